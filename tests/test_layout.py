"""The core stays platform-neutral: `moderation/` imports no platform SDK, and imports with none installed."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_SDKS = ("discord", "nio", "aiohttp")

# Import every module of the core while discord.py, matrix-nio, torch and transformers cannot be imported at all.
_PROBE = """
import importlib, pkgutil, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'discord', 'nio', 'torch', 'transformers', 'detoxify', 'onnxruntime'}:
            raise ImportError(f'{name} is not installed here')
sys.meta_path.insert(0, Block())
import moderation
for info in pkgutil.walk_packages(moderation.__path__, 'moderation.'):
    importlib.import_module(info.name)
print('imported', len(sys.modules))
"""


def test_moderation_imports_with_no_platform_sdk_or_ml_library() -> None:
    result = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("imported")


def test_no_module_in_moderation_names_a_platform_sdk() -> None:
    offenders = []
    for path in (ROOT / "moderation").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in PLATFORM_SDKS]
    assert offenders == []
