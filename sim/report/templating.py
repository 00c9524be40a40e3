"""The one Jinja2 environment of linesim's HTML pages (run, comparison and fit reports).

Templates live in ``sim/report/templates`` (package data) and get text that is already
formatted with its units (:mod:`sim.report.numbers`): they lay it out, they never compute
it. Everything is escaped unless a template marks a fragment ``|safe`` (an SVG drawn by
:mod:`sim.report.diagram`, a section rendered by another template). An undefined name is an
error, not an empty string. Jinja2 is imported on the first render only, so commands that
write no page (``linesim --help``) never load it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["environment", "render"]


@cache
def environment() -> Environment:
    """The shared environment: templates from the package, autoescape on, strict names."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("sim.report", "templates"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "html.j2"), default_for_string=True, default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **context: Any) -> str:
    """Render ``template`` (a name in ``sim/report/templates``) with ``context``."""
    return environment().get_template(template).render(**context)
