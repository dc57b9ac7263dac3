"""Opening the database: a server that accepts TCP and never answers is named in one line within seconds."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from moderation.storage.engine import CONNECT_TIMEOUT_S, DatabaseUnavailable, make_engine, wait_for_database


@pytest.fixture
def hung_port() -> Iterator[int]:
    """A local socket that accepts every connection and never says a word (a hung database server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        server.close()


def test_a_hung_postgresql_fails_within_the_connect_timeout(hung_port: int) -> None:
    engine = make_engine(f"postgresql://schoolwacht@127.0.0.1:{hung_port}/schoolwacht")
    began = time.monotonic()
    try:
        with pytest.raises(DatabaseUnavailable, match="accepts connections but does not answer") as caught:
            wait_for_database(engine, attempts=5)
    finally:
        engine.dispose()
    assert time.monotonic() - began < CONNECT_TIMEOUT_S + 5  # once, not five times five seconds
    assert "\n" not in str(caught.value)


def test_the_cli_says_it_in_one_line(hung_port: int, tmp_path: Path) -> None:
    config = tmp_path / "schoolwacht.toml"
    config.write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
        "SCHOOLWACHT_DATABASE_URL": f"postgresql://schoolwacht@127.0.0.1:{hung_port}/schoolwacht",
    }
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "incidents", "list", "--config", str(config)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert time.monotonic() - began < CONNECT_TIMEOUT_S + 15
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the database at") and "does not answer" in lines[0]
