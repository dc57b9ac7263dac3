"""Importing the ML tier costs nothing: torch and transformers load only when a backend does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_importing_the_ml_tier_imports_no_ml_library() -> None:
    script = (
        "import sys, moderation, moderation.classify.ml, moderation.classify.ml.loader\n"
        "heavy = [m for m in ('torch', 'transformers', 'detoxify', 'onnxruntime', 'numpy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=Path(__file__).parents[4]
    )
    assert done.returncode == 0, done.stderr
