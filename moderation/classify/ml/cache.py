"""The model cache folder: its layout, the environment that points libraries at it, and integrity checks.

Layout under `MLConfig.cache_dir` (what `schoolwacht model download` fills and the admin copies to the server):

    TORCH_HOME/hub/checkpoints/<name>-<8 hex>.ckpt   detoxify's checkpoint, as torch.hub stores it (checkpoints.py)
    HF_HOME/hub/models--<org>--<name>/...            the Hugging Face config and tokenizer detoxify asks for
    onnx/<model>/                                    what `schoolwacht model export-onnx` writes
    SHA256SUMS                                       checksums of every file, written by `download`
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from moderation.classify.ml.checkpoints import KNOWN_CHECKPOINTS
from moderation.classify.ml.errors import ModelIntegrityError, ModelLoadError, ModelMissingError

CHECKSUMS_FILE = "SHA256SUMS"


def torch_home(cache_dir: Path) -> Path:
    return cache_dir / "TORCH_HOME"


def hf_home(cache_dir: Path) -> Path:
    return cache_dir / "HF_HOME"


def checkpoints_dir(cache_dir: Path) -> Path:
    return torch_home(cache_dir) / "hub" / "checkpoints"


def onnx_dir(cache_dir: Path, model: str) -> Path:
    return cache_dir / "onnx" / model


def point_libraries_at(cache_dir: Path, *, offline: bool) -> None:
    """Set the cache environment before torch.hub, transformers and huggingface_hub look at it.

    huggingface_hub reads HF_HOME / HF_HUB_OFFLINE once, at import, into `huggingface_hub.constants`, which it and
    transformers then consult on every call. If something in this process imported it earlier (a test suite, an
    evaluation script), the environment alone would change nothing and detoxify could go online: so we also set
    those constants. Checked against the pinned huggingface_hub (2.4) and transformers (5.24).
    """
    cache_dir = cache_dir.resolve()
    hub_cache = str(hf_home(cache_dir) / "hub")
    os.environ["TORCH_HOME"] = str(torch_home(cache_dir))
    os.environ["HF_HOME"] = str(hf_home(cache_dir))
    os.environ["HF_HUB_CACHE"] = hub_cache
    os.environ.pop("TRANSFORMERS_CACHE", None)
    os.environ["HF_HUB_OFFLINE"] = "1" if offline else "0"
    os.environ["TRANSFORMERS_OFFLINE"] = "1" if offline else "0"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    constants: Any = sys.modules.get("huggingface_hub.constants")
    if constants is None:
        return
    try:
        constants.HF_HOME = str(hf_home(cache_dir))
        constants.HF_HUB_CACHE = hub_cache
        constants.HF_HUB_OFFLINE = offline
    except AttributeError as error:  # an unexpected huggingface_hub: refuse rather than risk going online
        raise ModelLoadError(
            f"cannot point the already imported huggingface_hub at {cache_dir}: {error}; load the ML tier before "
            "anything imports transformers"
        ) from error


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def verify_checkpoint(path: Path, known: Mapping[str, str] = KNOWN_CHECKPOINTS) -> str:
    """Refuse a checkpoint that is missing, not known by its full sha256, or not the known file. Returns the sha256.

    A missing file must be caught here: detoxify would otherwise silently try to download it. The check also
    catches truncated and corrupted copies, and any other file under a known name, before it is ever opened.
    """
    if not path.is_file():
        raise ModelMissingError(f"model checkpoint {path} is not installed")
    actual = sha256_file(path)
    expected = known.get(path.name)
    if expected is None:
        raise ModelIntegrityError(
            f"checkpoint {path.name} (sha256 {actual}) is not one schoolwacht knows: only checkpoints whose full "
            "sha256 is pinned in moderation/classify/ml/checkpoints.py are loaded"
        )
    if actual != expected:
        size = path.stat().st_size
        raise ModelIntegrityError(
            f"checkpoint {path.name} is damaged or not the published file: sha256 {actual[:16]}… is not the known "
            f"{expected[:16]}… ({size} bytes); copy it again"
        )
    return actual


def iter_files(root: Path) -> Iterator[Path]:
    """Every file under root (links followed), in a stable order, skipping hidden ones and the checksum file."""
    for path in sorted(root.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(root).parts)
        if path.is_file() and not hidden and path.name != CHECKSUMS_FILE:
            yield path


def write_checksums(root: Path) -> list[tuple[str, str]]:
    """Write `SHA256SUMS` (sha256sum's format, paths relative to root) and return its lines."""
    lines = [(sha256_file(path), path.relative_to(root).as_posix()) for path in iter_files(root)]
    text = "".join(f"{digest}  {name}\n" for digest, name in lines)
    (root / CHECKSUMS_FILE).write_text(text, encoding="utf-8")
    return lines


def verify_checksums(root: Path) -> list[str]:
    """Compare the files with `SHA256SUMS`; return one problem per line (empty: all good, or no checksum file)."""
    sums = root / CHECKSUMS_FILE
    if not sums.is_file():
        return []
    problems = []
    for number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            problems.append(f"{CHECKSUMS_FILE} line {number} is malformed")
            continue
        path = root / name
        if ".." in Path(name).parts or not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256_file(path) != digest:
            problems.append(f"{name}: checksum differs")
    return problems
