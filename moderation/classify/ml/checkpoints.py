"""detoxify's checkpoints: which files schoolwacht knows, and reading one without running code.

A detoxify checkpoint is a torch pickle ({"config": ..., "state_dict": ...}). A pickle can run any code while it
loads, so two locks, both here in the code and never in the tarball that travels with the file:

- the file's full sha256 must be in KNOWN_CHECKPOINTS (a name's 8-hex prefix is 32 bits: forged in minutes);
- it is read with `torch.load(weights_only=True)`: tensors, dicts, lists, numbers and strings only. A file that
  holds anything else is refused before any of it is built, so even a pinned file never runs code.

A new checkpoint is added by its file name and full sha256, after checking the file against its publisher's
release; `schoolwacht model download` prints the sha256 of what it fetched when it is not known yet.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from moderation.classify.ml.errors import ModelIntegrityError

# file name (as torch.hub stores it) -> full sha256 of the file. Read-only for the product (typed as a Mapping).
KNOWN_CHECKPOINTS: Mapping[str, str] = {}

_RENAMED = {"toxic": "toxicity", "identity_hate": "identity_attack", "severe_toxic": "severe_toxicity"}


def read_checkpoint(path: Path) -> dict[str, Any]:
    """The checkpoint's weights and config, read as data only; ModelIntegrityError when it holds anything else."""
    import torch

    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelIntegrityError(
            f"checkpoint {path.name} holds more than weights (objects that would run code when loaded) or is not a "
            f"torch checkpoint; refused: {first}"
        ) from None
    if not isinstance(loaded, dict) or not isinstance(loaded.get("state_dict"), Mapping):
        raise ModelIntegrityError(f"checkpoint {path.name} has no state_dict: not a detoxify checkpoint; refused")
    config = loaded.get("config")
    try:
        assert isinstance(config, dict)
        arch = config["arch"]["args"]
        classes = config["dataset"]["args"]["classes"]
        assert isinstance(arch, dict) and isinstance(classes, list)
    except (AssertionError, KeyError, TypeError):
        raise ModelIntegrityError(f"checkpoint {path.name} has no detoxify config (arch, classes); refused") from None
    return loaded


def class_names(checkpoint: Mapping[str, Any]) -> list[str]:
    """The label names, spelled as detoxify spells them for every model."""
    return [_RENAMED.get(name, name) for name in checkpoint["config"]["dataset"]["args"]["classes"]]
