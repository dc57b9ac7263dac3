"""`schoolwacht run` as its own process, for the fault tests: started, watched through its log, killed or stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    """One run of the bot. Its log (stderr and stdout) goes to `log_path`, appended across runs."""

    def __init__(self, config: Path, log_path: Path, *, env: dict[str, str] | None = None) -> None:
        self.config = config
        self.log_path = log_path
        self._env = env or {}
        self._process: subprocess.Popen[bytes] | None = None
        self._start_offset = 0

    def start(self, *, die_at: str | None = None) -> BotProcess:
        env = {**os.environ, "PYTHONPATH": str(ROOT), **self._env}
        env.pop("SCHOOLWACHT_TEST_DIE_AT", None)
        if die_at:
            env["SCHOOLWACHT_TEST_DIE_AT"] = die_at
        self._start_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--config", str(self.config)],
                cwd=str(self.config.parent),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def log(self) -> str:
        """This run's part of the log."""
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(self._start_offset)
            return log.read().decode("utf-8", "replace")

    def wait_for_log(self, text: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if self._process is not None and self._process.poll() is not None:
                raise AssertionError(f"the bot ended (code {self._process.returncode}) before {text!r}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {text!r} in the bot's log:\n{self.log()[-4000:]}")
            time.sleep(0.05)

    def wait_ended(self, timeout: float = 60.0) -> int:
        assert self._process is not None
        try:
            return self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the bot did not end within {timeout}s:\n{self.log()[-4000:]}") from None

    def terminate(self, timeout: float = 60.0) -> int:
        """SIGTERM, as a service manager stops it; returns the exit code."""
        assert self._process is not None
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
        return self.wait_ended(timeout)

    def kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=30)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None
