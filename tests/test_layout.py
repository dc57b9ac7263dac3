"""The layers hold: `moderation/` imports no platform SDK and nothing from `bot/` or `adapters/`, and imports with no
SDK installed; `adapters/` never imports `bot/` (the composition root builds the adapters, not the other way)."""

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


# Which top-level packages each layer may not import, anywhere in a module (also inside functions and under
# TYPE_CHECKING: a lazy import is still a dependency).
FORBIDDEN: dict[str, frozenset[str]] = {
    "moderation": frozenset({*PLATFORM_SDKS, "bot", "adapters"}),
    "adapters": frozenset({"bot"}),
}


def imported_names(source: str) -> list[str]:
    """Every module an absolute import in this source names (relative imports stay inside their package)."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def layer_offences(root: Path) -> list[str]:
    offenders = []
    for layer, forbidden in FORBIDDEN.items():
        for path in sorted((root / layer).rglob("*.py")):
            for name in imported_names(path.read_text(encoding="utf-8")):
                if name.split(".")[0] in forbidden:
                    offenders.append(f"{path.relative_to(root)} imports {name}")
    return offenders


def test_no_layer_imports_what_it_may_not() -> None:
    assert layer_offences(ROOT) == []


def test_the_layer_check_sees_a_lazy_import_of_the_root(tmp_path: Path) -> None:
    (tmp_path / "adapters").mkdir()
    (tmp_path / "moderation").mkdir()
    (tmp_path / "adapters" / "x.py").write_text("def build():\n    from bot.app import Core\n", encoding="utf-8")
    (tmp_path / "moderation" / "y.py").write_text("import nio\nfrom adapters.base import Adapter\n", encoding="utf-8")
    assert layer_offences(tmp_path) == [
        "moderation/y.py imports nio",
        "moderation/y.py imports adapters.base",
        "adapters/x.py imports bot.app",
    ]
