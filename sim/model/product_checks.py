"""Checks of a line's product mix that no single field can make: the stations and types
it names, the campaigns and changeover entries it needs, and flows it cannot carry.
Each error names the YAML path under ``products`` and the fix."""

from __future__ import annotations

import difflib

from sim.errors import ConfigError
from sim.model.line import Line
from sim.model.products import ProductMix
from sim.model.serial import as_general

__all__ = ["check_products", "typed_stations"]


def typed_stations(line: Line, release_at: str) -> list[str]:
    """Stations from ``release_at`` on, whose lots carry a type, in file order (the
    general form's names, which are a serial line's too)."""
    general = as_general(line)
    carried: set[str] = set()
    typed: set[str] = set()
    frontier = [release_at]
    while frontier:
        name = frontier.pop()
        if name in typed:
            continue
        typed.add(name)
        made = general.station(name).output_material or ""
        carried.add(made)
        frontier.extend(s.name for s in general.stations if made in (s.inputs or {}))
    return [s.name for s in general.stations if s.name in typed]


def typed_materials(line: Line, release_at: str) -> set[str]:
    """Materials whose lots carry a type: what the typed stations give."""
    general = as_general(line)
    return {
        general.station(name).output_material or "" for name in typed_stations(line, release_at)
    }


def _unknown(kind: str, name: str, known: list[str], path: str, fix: str) -> ConfigError:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return ConfigError(
        f"unknown {kind} {name!r}{hint} (known: {', '.join(known) or 'none'}); {fix}", path=path
    )


def check_products(line: Line) -> list[ConfigError]:
    """Return every error of ``line.products`` (empty when fine or when there is none)."""
    mix = line.products
    if mix is None:
        return []
    together = ["ramp_up"] if getattr(line, "ramp_up", None) is not None else []
    if any(getattr(station, "rework", None) is not None for station in line.stations):
        together.append("rework")
    if together:
        return [
            ConfigError(
                f"a product mix with {' and '.join(together)} is not built yet (their "
                "counts are not kept by type); run the mix without it",
                path="products",
            )
        ]
    general = as_general(line)
    names = [s.name for s in general.stations]
    if mix.release_at not in names:
        return [
            _unknown(
                "station",
                mix.release_at,
                names,
                "products.release_at",
                "name the station whose output first has a type (e.g. winding)",
            )
        ]
    if general.station(mix.release_at).kind == "delay":
        return [
            ConfigError(
                "a delay soaks what it is given; release the types at a machine station",
                path="products.release_at",
            )
        ]
    typed = typed_stations(line, mix.release_at)
    errors = _merges(general, mix, typed)
    errors += _sequence(mix)
    errors += _type_changes(general, mix, names, typed)
    errors += _changeovers(general, mix, names, typed)
    return errors


def _merges(general: Line, mix: ProductMix, typed: list[str]) -> list[ConfigError]:
    """A typed station takes one typed material: two would have to be matched by type."""
    carried = {general.station(name).output_material for name in typed}
    errors = []
    for name in typed:
        inputs = [m for m in general.station(name).inputs or {} if m in carried]
        if len(inputs) > 1:
            errors.append(
                ConfigError(
                    f"station {name!r} takes {len(inputs)} materials that carry a type "
                    f"({', '.join(inputs)}); a typed station takes one typed material (and any "
                    "common ones), so release the types after this merge",
                    path="products.release_at",
                )
            )
    return errors


def _sequence(mix: ProductMix) -> list[ConfigError]:
    errors = []
    types = mix.names
    for name in mix.sequence.lots:
        if name not in mix.types:
            errors.append(
                _unknown(
                    "type",
                    name,
                    types,
                    f"products.sequence.lots.{name}",
                    "give each campaign a type of products.types",
                )
            )
    for name in types if mix.sequence.rule == "campaign" else []:
        if name not in mix.sequence.lots:
            errors.append(
                ConfigError(
                    f"type {name!r} has no campaign; add products.sequence.lots.{name}: N "
                    "(lots of the release station per campaign)",
                    path="products.sequence.lots",
                )
            )
    return errors


def _type_changes(
    general: Line, mix: ProductMix, names: list[str], typed: list[str]
) -> list[ConfigError]:
    errors = []
    for type_name, cell_type in mix.types.items():
        for station_name, changes in cell_type.stations.items():
            path = f"products.types.{type_name}.stations.{station_name}"
            if station_name not in names:
                errors.append(
                    _unknown("station", station_name, names, path, "name a station of the line")
                )
                continue
            station = general.station(station_name)
            if station_name not in typed:
                errors.append(
                    ConfigError(
                        f"station {station_name!r} is upstream of release_at "
                        f"({mix.release_at!r}), where work has no type yet; change it for "
                        "every type at stations instead, or release the types earlier",
                        path=path,
                    )
                )
                continue
            if station.kind == "delay":
                errors.append(
                    ConfigError(
                        "a delay soaks every type alike; a type changes machine stations only",
                        path=path,
                    )
                )
                continue
            if changes.speed is not None and station.batch is not None:
                errors.append(
                    ConfigError(
                        "a batch station takes process_time per batch, not a speed",
                        path=f"{path}.speed",
                    )
                )
            for material in changes.inputs or {}:
                if material not in (station.inputs or {}):
                    errors.append(
                        _unknown(
                            "input",
                            material,
                            list(station.inputs or {}),
                            f"{path}.inputs.{material}",
                            "a type changes the quantities of what the station takes",
                        )
                    )
    return errors


def _changeovers(
    general: Line, mix: ProductMix, names: list[str], typed: list[str]
) -> list[ConfigError]:
    errors = []
    types = mix.names
    for station_name, matrix in mix.changeovers.items():
        path = f"products.changeovers.{station_name}"
        if station_name not in names:
            errors.append(
                _unknown("station", station_name, names, path, "name a station of the line")
            )
            continue
        if station_name not in typed or general.station(station_name).kind == "delay":
            errors.append(
                ConfigError(
                    f"station {station_name!r} never changes type (it is upstream of "
                    f"release_at {mix.release_at!r}, or a delay); remove its changeovers",
                    path=path,
                )
            )
            continue
        for before, row in matrix.items():
            if before not in mix.types:
                errors.append(_unknown("type", before, types, f"{path}.{before}", "rows are types"))
                continue
            for after, time in row.items():
                if after not in mix.types:
                    errors.append(
                        _unknown(
                            "type", after, types, f"{path}.{before}.{after}", "columns are types"
                        )
                    )
                elif after == before and time != 0:
                    errors.append(
                        ConfigError(
                            "a station does not change over when the type stays; make it 0 "
                            "or leave it out",
                            path=f"{path}.{before}.{after}",
                        )
                    )
        missing = [
            f"{a} -> {b}" for a in types for b in types if a != b and b not in matrix.get(a, {})
        ]
        if missing:
            errors.append(
                ConfigError(
                    f"no changeover time for {', '.join(missing)}; give every change between "
                    "two types (0 for a change that costs nothing)",
                    path=path,
                )
            )
    return errors
