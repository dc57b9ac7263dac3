"""The optional ML tier: a local model (detoxify in torch or ONNX int8, or a Hugging Face folder), fully offline.

Importing this package imports neither torch nor transformers; backends import them when loaded.
"""

from moderation.classify.ml.errors import ModelError, ModelIntegrityError, ModelLoadError, ModelMissingError
from moderation.classify.ml.labels import DETOXIFY_CATEGORIES
from moderation.classify.ml.loader import load_ml_tier
from moderation.classify.ml.tier import MLTier, Scores

__all__ = [
    "DETOXIFY_CATEGORIES",
    "MLTier",
    "ModelError",
    "ModelIntegrityError",
    "ModelLoadError",
    "ModelMissingError",
    "Scores",
    "load_ml_tier",
]
