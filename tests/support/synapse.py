"""A real Synapse homeserver for tests: started on a free loopback port from its own virtual environment.

Only the client listener runs (no federation), on SQLite, with cheap password hashing and relaxed rate limits,
unless a test asks for strict ones. Users are made through the shared-secret admin registration API.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

SYNAPSE_PYTHON_ENV = "SCHOOLWACHT_SYNAPSE_PYTHON"
DEFAULT_SYNAPSE_PYTHON = str(Path(__file__).resolve().parents[2] / ".venv-synapse" / "bin" / "python")
SERVER_NAME = "school.test"

_RELAXED = {"per_second": 1000, "burst_count": 1000}
RELAXED_RATE_LIMITS: dict[str, object] = {
    "rc_message": _RELAXED,
    "rc_login": {"address": _RELAXED, "account": _RELAXED, "failed_attempts": _RELAXED},
    "rc_registration": _RELAXED,
    "rc_joins": {"local": _RELAXED, "remote": _RELAXED},
    "rc_invites": {"per_room": _RELAXED, "per_user": _RELAXED, "per_issuer": _RELAXED},
    "rc_room_creation": _RELAXED,
    "rc_admin_redaction": _RELAXED,
    "rc_key_requests": _RELAXED,
}


@dataclass(frozen=True)
class Account:
    user_id: str
    access_token: str
    device_id: str
    password: str


class SynapseError(RuntimeError):
    pass


class SynapseServer:
    """One running Synapse; `start()` blocks until `/_matrix/client/versions` answers."""

    def __init__(self, workdir: Path, *, overrides: Mapping[str, object] | None = None) -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server_name = SERVER_NAME
        self.shared_secret = secrets.token_hex(16)
        self._overrides = dict(overrides or {})
        self._process: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "synapse.log"

    @property
    def pid(self) -> int | None:
        """The homeserver's process id while it runs (the benchmarks read its CPU time)."""
        return self._process.pid if self._process is not None else None

    def _config(self) -> dict[str, object]:
        config: dict[str, object] = {
            "server_name": self.server_name,
            "pid_file": str(self.workdir / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {"name": "sqlite3", "args": {"database": str(self.workdir / "homeserver.db")}},
            "media_store_path": str(self.workdir / "media"),
            "signing_key_path": str(self.workdir / "signing.key"),
            "registration_shared_secret": self.shared_secret,
            "macaroon_secret_key": secrets.token_hex(16),
            "form_secret": secrets.token_hex(16),
            "report_stats": False,
            "bcrypt_rounds": 4,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "presence": {"enabled": False},
            "enable_metrics": False,
            "url_preview_enabled": False,
            # Synapse answers an identical /sync from a 2-minute cache; tests repeat identical full syncs.
            "caches": {"sync_response_cache_duration": 0},
            **RELAXED_RATE_LIMITS,
        }
        config.update(self._overrides)
        return config

    def start(self, timeout: float = 60.0) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        key_path = self.workdir / "signing.key"
        if not key_path.exists():
            # The Synapse signing-key format: algorithm, version, unpadded base64 of a 32-byte seed.
            seed = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
            key_path.write_text(f"ed25519 a_test {seed}\n")
        config_path = self.workdir / "homeserver.yaml"
        config_path.write_text(json.dumps(self._config(), indent=1))  # JSON is valid YAML
        python = os.environ.get(SYNAPSE_PYTHON_ENV, DEFAULT_SYNAPSE_PYTHON)
        if not Path(python).exists():
            raise SynapseError(
                f"no Synapse interpreter at {python}: set {SYNAPSE_PYTHON_ENV} to the python of a virtual "
                "environment with matrix-synapse installed (.ci/run creates .venv-synapse)"
            )
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [python, "-m", "synapse.app.homeserver", "-c", str(config_path)],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise SynapseError(f"Synapse exited with {self._process.returncode}:\n{self.log_tail()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/_matrix/client/versions", timeout=1) as resp,
            ):
                if resp.status == 200:
                    return
            time.sleep(0.05)
        self.stop()
        raise SynapseError(f"Synapse did not answer within {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no Synapse log)"

    def register(self, localpart: str, *, admin: bool = False, password: str | None = None) -> Account:
        """Create a user with the shared-secret admin API (nonce + HMAC-SHA1) and return its first login."""
        password = password or secrets.token_hex(8)
        nonce = self._request("GET", "/_synapse/admin/v1/register")["nonce"]
        parts = (str(nonce), localpart, password, "admin" if admin else "notadmin")
        mac = hmac.new(self.shared_secret.encode(), "\x00".join(parts).encode(), hashlib.sha1)
        body = {
            "nonce": nonce,
            "username": localpart,
            "password": password,
            "admin": admin,
            "mac": mac.hexdigest(),
        }
        result = self._request("POST", "/_synapse/admin/v1/register", body)
        return Account(str(result["user_id"]), str(result["access_token"]), str(result["device_id"]), password)

    def api(self, method: str, path: str, token: str, body: Mapping[str, object] | None = None) -> dict[str, object]:
        """A raw client-server API call (for test set-up and for checking what the server holds)."""
        return self._request(method, path, body, token=token)

    def _request(
        self, method: str, path: str, body: Mapping[str, object] | None = None, *, token: str | None = None
    ) -> dict[str, object]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                result: dict[str, object] = json.loads(resp.read() or b"{}")
                return result
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            raise MatrixHTTPError(exc.code, detail) from None


class MatrixHTTPError(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body
        try:
            self.errcode = str(json.loads(body).get("errcode", ""))
        except (ValueError, AttributeError):
            self.errcode = ""


@contextlib.contextmanager
def running_synapse(workdir: Path, *, overrides: Mapping[str, object] | None = None) -> Iterator[SynapseServer]:
    server = SynapseServer(workdir, overrides=overrides)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
