"""Griffe extension for docs/api.md: linesim's docstrings in Markdown.

The docstrings are written for ``help()`` and doctest: Sphinx roles (``:func:`run```)
and ``>>>`` examples in the running text. mkdocstrings reads them as Markdown, where a
role shows its colons and an example's ``["kpis"]`` reads as a link. This extension,
named in mkdocs.yml, turns each role into code and each run of ``>>>`` lines (with the
output below them, up to a blank line) into a ``pycon`` block; the source stays as it is.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj):`~?([^`]+)`")


def markdown(text: str) -> str:
    """A docstring with its roles as code spans and its examples as fenced blocks."""
    text = _ROLE.sub(r"``\1``", text)
    lines: list[str] = []
    in_example = False
    for line in text.split("\n"):
        if not in_example and line.lstrip().startswith(">>>"):
            if lines and lines[-1].strip():
                lines.append("")
            lines.append("```pycon")
            in_example = True
        elif in_example and not line.strip():
            lines.append("```")
            in_example = False
        lines.append(line)
    if in_example:
        lines.append("```")
    return "\n".join(lines)


class LinesimDocstrings(griffe.Extension):
    """Rewrite every docstring griffe loads with :func:`markdown`."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)
