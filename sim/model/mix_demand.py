"""A product mix under a demand: the checks of orders that name types, and each type's
recipe (what one sold unit of it is made of).

With a mix, every order names the type it asks for (``demand.orders.<i>.product``, a type
of ``products.types``); a ``rate`` or ``monthly`` demand, which has no types, is refused
(it would need a split of the rate by type). ``products.sequence.rule: due-date`` needs
such orders. The release rule is :mod:`sim.model.demand`'s, kept per type
(:mod:`sim.engine.sequencing` states it).
"""

from __future__ import annotations

import difflib

from sim.errors import ConfigError
from sim.model.line import Line
from sim.model.product_checks import typed_materials
from sim.model.serial import as_general, release_per_unit

__all__ = ["check_mix_demand", "release_claims", "type_line", "type_recipes"]

NEEDS_ORDERS = (
    "due-date sequencing needs a demand with orders naming the types; add demand.orders "
    "or use rule: campaign"
)


def check_mix_demand(line: Line) -> list[ConfigError]:
    """Errors of a mix's sequence rule and demand (empty when fine or without a mix)."""
    mix = line.products
    if mix is None:
        return []
    demand = line.demand
    if demand is None:
        if mix.sequence.rule == "due-date":
            return [ConfigError(NEEDS_ORDERS, path="products.sequence.rule")]
        return []
    errors = []
    for key in ("rate", "monthly"):
        if getattr(demand, key) is not None:
            errors.append(
                ConfigError(
                    f"a product mix sells its types by order: a demand {key} has no split by "
                    "type (not built yet); give demand.orders, each naming its product",
                    path=f"demand.{key}",
                )
            )
    types = mix.names
    for index, order in enumerate(demand.orders or []):
        path = f"demand.orders.{index}.product"
        if order.product is None:
            errors.append(
                ConfigError(
                    "with a product mix every order names the type it asks for; add "
                    f"product: one of {', '.join(types)}",
                    path=path,
                )
            )
        elif order.product not in mix.types:
            close = difflib.get_close_matches(order.product, types, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            errors.append(
                ConfigError(
                    f"unknown type {order.product!r}{hint} (known: {', '.join(types)}); "
                    "an order names a type of products.types",
                    path=path,
                )
            )
    return errors


def type_line(line: Line, name: str) -> Line:
    """The general form of ``line`` whose stations take what type ``name`` takes at each
    (its ``inputs`` changes), for the recipe arithmetic of one unit of that type."""
    general = as_general(line)
    mix = line.products
    assert mix is not None
    changes = mix.types[name].stations
    stations = []
    for station in general.stations:
        changed = changes.get(station.name)
        if changed is not None and changed.inputs:
            inputs = {**(station.inputs or {}), **changed.inputs}
            station = station.model_copy(update={"inputs": inputs})
        stations.append(station)
    return general.model_copy(update={"stations": stations})


def type_recipes(line: Line, raw: list[str]) -> list[dict[str, dict[str, float]]]:
    """Per type of the mix, in file order, each ``raw`` material's units in one unit of
    every material made from it by that type's recipe [-] (:func:`release_per_unit`)."""
    assert line.products is not None
    return [
        {name: release_per_unit(type_line(line, kind), name) for name in raw}
        for kind in line.products.names
    ]


def release_claims(line: Line) -> list[dict[str, float]]:
    """Per type of the mix, in file order, the release station's output units in one unit
    of each typed material by that type's recipe [-]: what an order of the sold material
    or a scrapped unit claims of the release station."""
    mix = line.products
    assert mix is not None
    made = as_general(line).station(mix.release_at).output_material or ""
    typed = typed_materials(line, mix.release_at)
    claims = []
    for kind in mix.names:
        per_unit = release_per_unit(type_line(line, kind), made)
        claims.append({material: per for material, per in per_unit.items() if material in typed})
    return claims
