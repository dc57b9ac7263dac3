"""What can go wrong with a local model, as error classes the caller can tell apart."""

from __future__ import annotations


class ModelError(Exception):
    """Base class: the ML tier could not be set up. The message is one line a school admin can act on."""


class ModelMissingError(ModelError):
    """The model files are not installed. The text tier keeps running without the ML tier."""


class ModelIntegrityError(ModelError):
    """The model files are present but wrong (bad hash, truncated, corrupt): refused, never loaded."""


class ModelLoadError(ModelError):
    """The files passed their checks but the library could not load them, or the process was set up wrongly."""
