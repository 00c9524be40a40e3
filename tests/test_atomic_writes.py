"""Atomic writes flush to the disk where the file system can, and never leave a half file:
a file system that cannot flush keeps the file, one that fails to store it raises."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from sim.atomic import write_text


def _fsync_failing(code: int) -> object:
    def fsync(_handle: int) -> None:
        raise OSError(code, os.strerror(code))

    return fsync


@pytest.mark.parametrize("code", [errno.EINVAL, errno.ENOTSUP])
def test_a_drive_that_cannot_flush_keeps_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    monkeypatch.setattr(os, "fsync", _fsync_failing(code))
    target = tmp_path / "summary.json"
    write_text(target, "{}\n")
    assert target.read_text(encoding="utf-8") == "{}\n"
    assert [path.name for path in tmp_path.iterdir()] == ["summary.json"]


@pytest.mark.parametrize("code", [errno.EIO, errno.ENOSPC])
def test_a_failed_flush_raises_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    target = tmp_path / "summary.json"
    target.write_text("the previous run\n", encoding="utf-8")
    monkeypatch.setattr(os, "fsync", _fsync_failing(code))
    with pytest.raises(OSError) as raised:
        write_text(target, "{}\n")
    assert raised.value.errno == code
    assert target.read_text(encoding="utf-8") == "the previous run\n"
    assert [path.name for path in tmp_path.iterdir()] == ["summary.json"]
