"""The cache folder's integrity checks: pure file logic, no model needed."""

from __future__ import annotations

import hashlib
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from moderation.classify.ml.cache import (
    CHECKSUMS_FILE,
    point_libraries_at,
    verify_checkpoint,
    verify_checksums,
    write_checksums,
)
from moderation.classify.ml.errors import ModelIntegrityError, ModelMissingError


def _known(folder: Path, payload: bytes, stem: str = "model") -> tuple[Path, dict[str, str]]:
    """A checkpoint file and a table of known checkpoints that pins it by its full sha256."""
    digest = hashlib.sha256(payload).hexdigest()
    path = folder / f"{stem}-{digest[:8]}.ckpt"
    path.write_bytes(payload)
    return path, {path.name: digest}


def test_a_known_checkpoint_passes(tmp_path: Path) -> None:
    path, known = _known(tmp_path, b"weights" * 1000)
    assert verify_checkpoint(path, known) == hashlib.sha256(b"weights" * 1000).hexdigest()


def test_a_missing_checkpoint_is_reported_as_missing(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match="not installed"):
        verify_checkpoint(tmp_path / "model-0b549669.ckpt", {})


def test_a_checkpoint_with_other_bytes_is_refused(tmp_path: Path) -> None:
    path, known = _known(tmp_path, b"weights" * 1000)
    path.write_bytes(b"Weights" + b"weights" * 999)  # same size, one byte different
    with pytest.raises(ModelIntegrityError, match="damaged or not the published file"):
        verify_checkpoint(path, known)


def test_a_truncated_checkpoint_is_refused(tmp_path: Path) -> None:
    path, known = _known(tmp_path, b"weights" * 1000)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ModelIntegrityError, match="100 bytes"):
        verify_checkpoint(path, known)


def test_a_file_whose_name_carries_its_own_hash_prefix_is_not_enough(tmp_path: Path) -> None:
    # What the name promises is 32 bits: anyone can name a file after its own hash. Only the pinned table counts.
    path, _ = _known(tmp_path, b"made by someone else")
    with pytest.raises(ModelIntegrityError, match="not one schoolwacht knows"):
        verify_checkpoint(path, {})
    with pytest.raises(ModelIntegrityError, match="not one schoolwacht knows"):
        verify_checkpoint(path)  # the project's own table


def test_checksums_catch_a_changed_and_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.bin").write_bytes(b"1")
    (tmp_path / "two.json").write_text("{}")
    lines = write_checksums(tmp_path)
    assert [name for _, name in lines] == ["a/one.bin", "two.json"]
    assert verify_checksums(tmp_path) == []
    (tmp_path / "a" / "one.bin").write_bytes(b"2")
    (tmp_path / "two.json").unlink()
    assert verify_checksums(tmp_path) == ["a/one.bin: checksum differs", "two.json: missing"]


def test_a_malformed_checksum_file_is_reported_not_crashed_on(tmp_path: Path) -> None:
    (tmp_path / CHECKSUMS_FILE).write_text("nonsense\n" + "0" * 64 + "  ../../etc/passwd\n")
    assert verify_checksums(tmp_path) == [f"{CHECKSUMS_FILE} line 1 is malformed", "../../etc/passwd: missing"]


def test_follows_a_huggingface_hub_imported_earlier_with_other_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # huggingface_hub read its environment at import; setting HF_HOME now would change nothing on its own.
    for name in ("TORCH_HOME", "HF_HOME", "HF_HUB_CACHE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HF_HUB_DISABLE_TELEMETRY", "HF_HUB_DISABLE_PROGRESS_BARS"):
        monkeypatch.delenv(name, raising=False)
    stale: Any = types.ModuleType("huggingface_hub.constants")
    stale.HF_HOME = str(tmp_path / "elsewhere")
    stale.HF_HUB_CACHE = str(tmp_path / "elsewhere" / "hub")
    stale.HF_HUB_OFFLINE = False
    monkeypatch.setitem(sys.modules, "huggingface_hub.constants", stale)
    point_libraries_at(tmp_path / "models", offline=True)
    wanted = str((tmp_path / "models").resolve() / "HF_HOME" / "hub")
    assert wanted == stale.HF_HUB_CACHE
    assert stale.HF_HUB_OFFLINE is True
