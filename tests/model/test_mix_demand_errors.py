"""A product mix with a demand in a line file: the located errors of orders and of the
due-date rule."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sim.errors import ConfigError
from sim.model import load_line

LINE = """\
name: mix
release: {policy: push}
materials:
  raw: {unit: pcs}
  done: {unit: pcs}
stations:
  - name: press
    inputs: {raw: 1}
    output: {done: 1}
    process_time: 1
products:
  release_at: press
  types:
    small: {}
    large: {}
  sequence:
    rule: due-date
demand:
  orders:
    - {product: small, quantity: 5, due: 10 h}
    - {product: large, quantity: 5, due: 20 h}
"""

LineErrors = Callable[[str], list[ConfigError]]
"""The ``line_errors`` fixture (tests/model/conftest.py)."""


def line_of(text: str, needle: str) -> int:
    """The 1-based line of ``text`` that holds ``needle``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_valid_mix_with_orders_loads(tmp_path: Path) -> None:
    """The file above is fine: orders naming types, due-date sequencing."""
    path = tmp_path / "line.yaml"
    path.write_text(LINE)
    line = load_line(path)
    assert line.products is not None and line.products.sequence.rule == "due-date"


def test_due_date_without_demand(line_errors: LineErrors) -> None:
    """EDD needs orders to take due dates from."""
    text = LINE[: LINE.index("demand:")]
    [error] = line_errors(text)
    assert error.path == "products.sequence.rule"
    assert "due-date sequencing needs a demand with orders naming the types" in str(error)
    assert "use rule: campaign" in str(error)
    assert error.line == line_of(text, "rule: due-date")


def test_order_of_an_unknown_type_suggests_the_closest(line_errors: LineErrors) -> None:
    """A misspelt type is named, with the type meant."""
    text = LINE.replace("{product: large,", "{product: lareg,")
    [error] = line_errors(text)
    assert error.path == "demand.orders.1.product"
    assert "unknown type 'lareg'; did you mean 'large'?" in str(error)
    assert error.line == line_of(text, "lareg")


def test_order_without_a_type_under_a_mix(line_errors: LineErrors) -> None:
    """With a mix every order names its type."""
    text = LINE.replace("{product: small, quantity: 5", "{quantity: 5")
    [error] = line_errors(text)
    assert error.path == "demand.orders.0.product"
    assert "every order names the type" in str(error)


def test_rate_demand_with_a_mix_is_refused(line_errors: LineErrors) -> None:
    """A rate has no split by type: refused where it is written."""
    text = LINE.replace(
        "    rule: due-date\n", "    rule: campaign\n    lots: {small: 1, large: 1}\n"
    )
    text = text[: text.index("  orders:")] + '  rate: "1 /h"\n'
    [error] = line_errors(text)
    assert error.path == "demand.rate"
    assert "no split by type" in str(error)
    assert error.line == line_of(text, "rate:")
