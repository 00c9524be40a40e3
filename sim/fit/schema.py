"""JSON Schemas of the MES log (one row) and of the alias file, for editors and for checking
a plant's export before fitting::

    python -m sim.fit.schema schemas      # writes mes_log.schema.json, mes_aliases.schema.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from sim.engine.monitor import STATES
from sim.fit.aliases import BUILTIN_ALIASES, AliasFile

__all__ = ["alias_schema", "log_row_schema", "write_schemas"]


def log_row_schema() -> dict[str, Any]:
    """JSON Schema of one row of an MES log (a CSV or Parquet table of these columns)."""
    words = sorted({*STATES, *(w for ws in BUILTIN_ALIASES.values() for w in ws)})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "linesim MES log row",
        "description": "One row per state start of one machine; a state lasts until the "
        "next row of the same machine, the last is right-censored at the log's end.",
        "type": "object",
        "required": ["timestamp", "station", "machine", "state"],
        "properties": {
            "timestamp": {
                "description": "ISO 8601 date-time with or without UTC offset (--time iso), "
                "or seconds since a start (--time seconds) [s]",
                "anyOf": [{"type": "string", "format": "date-time"}, {"type": "number"}],
            },
            "station": {
                "type": "string",
                "minLength": 1,
                "description": "station name of the line YAML",
            },
            "machine": {
                "type": ["string", "integer"],
                "description": "machine id within the station (any string)",
            },
            "state": {
                "type": "string",
                "minLength": 1,
                "description": "a canonical state or a word of the alias table (built-in "
                "words listed in examples; more in an --aliases file); case, spaces and "
                "hyphens are ignored",
                "examples": words,
            },
            "units": {
                "type": ["number", "null"],
                "minimum": 0,
                "description": "good units finished at the end of this busy period [unit]",
            },
            "scrap": {
                "type": ["number", "null"],
                "minimum": 0,
                "description": "units scrapped at the end of this busy period [unit]",
            },
        },
    }  # fmt: skip


def alias_schema() -> dict[str, Any]:
    """JSON Schema of an alias file (the pydantic model :class:`AliasFile`)."""
    schema = AliasFile.model_json_schema()
    schema["title"] = "linesim MES alias file"
    return schema


def write_schemas(folder: str | Path) -> list[Path]:
    """Write ``mes_log.schema.json`` and ``mes_aliases.schema.json`` into ``folder``."""
    from sim.atomic import write_text

    target = Path(folder)
    written = []
    for name, schema in (("mes_log", log_row_schema()), ("mes_aliases", alias_schema())):
        path = target / f"{name}.schema.json"
        write_text(path, json.dumps(schema, indent=2) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_schemas(sys.argv[1] if len(sys.argv) > 1 else "schemas"):
        print(f"wrote {written_path}")
