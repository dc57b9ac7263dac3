"""Secrets (tokens, passwords, a database URL with a password) come from the environment, never from the settings
file: `NAME` itself, or `NAME_FILE`, the path of a file that holds it (Docker and Kubernetes secrets). Only the
composition root reads them; adapters are handed the values."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


class SecretError(ValueError):
    """A secret is given twice, or its file cannot be read or is empty; the message names the variable."""


def read_secret(name: str, environ: Mapping[str, str]) -> str | None:
    """The secret, stripped; None when neither form is set. Both forms at once, or an unreadable or empty file, is
    an error that names the variable."""
    direct = environ.get(name, "").strip()
    path = environ.get(f"{name}_FILE", "").strip()
    if direct and path:
        raise SecretError(f"set either {name} or {name}_FILE, not both")
    if not path:
        return direct or None
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SecretError(f"{name}_FILE: cannot read {path}: {exc.strerror or exc}") from None
    if not value:
        raise SecretError(f"{name}_FILE: {path} is empty")
    return value
