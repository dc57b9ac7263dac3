"""`make demo` installs the core dependencies only: the demo must run with no platform SDK importable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'discord', 'nio', 'aiohttp', 'torch', 'transformers', 'detoxify', 'onnxruntime'}:
            raise ImportError(f'{name} is not installed here')
sys.meta_path.insert(0, Block())
from bot.cli import main
sys.argv = ['schoolwacht', 'demo']
main()
"""


def test_the_demo_runs_with_only_the_core_dependencies(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, cwd=tmp_path, timeout=300, env=None
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "detection tiers active" in result.stdout
