"""The comparison file as a schema: located errors, ``linesim validate`` and the exported
JSON Schema (issue 13, "one schema")."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim.cli
from sim.errors import ConfigErrors
from sim.model.comparison_file import read_comparison_file
from sim.model.schema_export import schemas

ROOT = Path(__file__).resolve().parent.parent.parent

BAD = """\
name: x
compare: [a.yaml, b.yaml]
claim: {efficency: 20}
attribution:
  replications: 0
uncertainty: {horizon: -5}
"""


def test_the_main_job_reads() -> None:
    spec = read_comparison_file(ROOT / "scenarios" / "claim_20_20.yaml")
    assert spec.compare[0].endswith(".yaml") and spec.claim is not None


def test_errors_are_located_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(ConfigErrors) as caught:
        read_comparison_file(path)
    text = str(caught.value)
    assert (
        f"{path}:3:9: claim.efficency: unknown key 'efficency'; did you mean 'efficiency'" in text
    )
    assert f"{path}:5:3: attribution.replications" in text
    assert f"{path}:6:" in text and "uncertainty.horizon" in text


def test_validate_reports_comparison_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    assert sim.cli.main(["validate", str(path)]) == 2
    assert f"{path}:3:9: claim.efficency" in capsys.readouterr().err.replace("\n", "")


def test_schema_exports_the_comparison_file() -> None:
    """The exported schema accepts the main job and rejects a typo in claim."""
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = schemas()["comparison"]
    data = yaml.safe_load((ROOT / "scenarios" / "claim_20_20.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "claim": {"efficency": 20}}, schema)
