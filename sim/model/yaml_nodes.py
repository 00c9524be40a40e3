"""YAML text to a node tree with marks: libyaml's C parser when PyYAML has it, else PyYAML.

PyYAML's pure-Python scanner and parser take most of the time of reading a line file
(about 60 ms for the four shipped configs against 9 ms here). The C parser
(``yaml._yaml.CParser``, present when PyYAML was built with libyaml) gives the same
events with the same 1-based-able marks; composing them into nodes stays with PyYAML's
Python :class:`yaml.composer.Composer`, because the C composer recurses in C and
crashes the interpreter (a segmentation fault, not a ``RecursionError``) on a document
nested a hundred thousand levels deep (``- - - - ... x``), which a 5 MB file can be.

Errors are always PyYAML's own: when the fast path finds the text invalid, the text is
read again with the pure-Python loader, whose messages and marks (characters, not
bytes, for a control character) the located errors are built from.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

__all__ = ["FAST", "compose_and_construct"]

try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml
    CParser = None


def _fast_loader_class() -> type | None:
    """A safe loader of libyaml's events and PyYAML's composer, or None without libyaml."""
    if CParser is None:
        return None

    class CEventSafeLoader(CParser, Composer, SafeConstructor, Resolver):  # type: ignore[misc]  # yaml is unannotated: its bases are Any
        """libyaml events, composed into nodes by Python (recursion-safe), safe types."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

        # CParser's own versions compose in C; take the Python composer's.
        get_single_node = Composer.get_single_node
        get_node = Composer.get_node
        check_node = Composer.check_node

    return CEventSafeLoader


_FAST_LOADER = _fast_loader_class()
FAST = _FAST_LOADER is not None
"""Whether libyaml's parser is used for valid documents."""


def compose_and_construct(text: str, check: Any, fast: bool = FAST) -> Any:
    """Compose ``text`` into nodes, call ``check(node)`` on the root node (when the document
    is not empty) and return the constructed Python data (``None`` for an empty document).

    PyYAML's errors (``yaml.YAMLError``) and ``RecursionError`` propagate as the
    pure-Python loader raises them; errors raised by ``check`` propagate unchanged.
    """
    if fast and _FAST_LOADER is not None:
        try:
            return _load(_FAST_LOADER(text), check)
        except yaml.YAMLError:
            pass  # read again below for PyYAML's message and character-based marks
    return _load(yaml.SafeLoader(text), check)


def _load(loader: Any, check: Any) -> Any:
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()
