"""Fixtures for the ML tier: no network at all, and tiny models built here once per test session."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from moderation.classify.ml.cache import onnx_dir
from moderation.classify.ml.onnx_backend import MODEL_FILE, WEIGHTS_FILE, Manifest
from moderation.classify.ml.onnx_export import SAMPLE_TEXTS, ExportReport, export_onnx
from tests.support.tiny_models import (
    DetoxifyCache,
    build_detoxify_cache,
    build_hf_folder,
    one_torch_thread,
    register_model,
    use_cache,
)

HF_LABELS = ("neutral", "scheldwoord", "bedreiging")


class NetworkBlocked(OSError):
    pass


def _is_local(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) and address else ""
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def block_network(monkeypatch: pytest.MonkeyPatch, attempts: list[Any]) -> None:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if not _is_local(address):
            attempts.append(address)
            raise NetworkBlocked(f"network blocked in ML tier tests: {address!r}")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _is_local(address):
            attempts.append(address)
            raise NetworkBlocked(f"network blocked in ML tier tests: {address!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_local((host.decode() if isinstance(host, bytes) else host or "",)):
            attempts.append(host)
            raise NetworkBlocked(f"name lookup blocked in ML tier tests: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(autouse=True)
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every test here runs without network; the list records any attempt (tests assert it stays empty)."""
    attempts: list[Any] = []
    block_network(monkeypatch, attempts)
    return attempts


@dataclass(frozen=True, slots=True)
class Built:
    cache: DetoxifyCache
    export: ExportReport
    hf_folder: Path


@pytest.fixture(scope="session")
def built_models(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build once per run: the tiny detoxify model in its caches, its ONNX export, a tiny HF folder model.

    Other test folders reuse this fixture (e.g. the CLI's tests); a marker file lets them share one build. Under
    pytest-xdist the workers share it too: it lives beside their own temporary folders, built under a file lock.
    """
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "ml-models"
    done = root / "built.json"
    with FileLock(f"{root}.lock"):
        if not done.is_file():
            _build(root, done)
    raw = json.loads(done.read_text())
    cache = DetoxifyCache(root / "cache", raw["model"], Path(raw["checkpoint"]), raw["url"])
    manifest = Manifest.read(onnx_dir(cache.cache_dir, cache.model))
    report = ExportReport(
        onnx_dir(cache.cache_dir, cache.model),
        manifest.max_abs_diff,
        len(SAMPLE_TEXTS),
        sum((onnx_dir(cache.cache_dir, cache.model) / name).stat().st_size for name in (MODEL_FILE, WEIGHTS_FILE)),
        manifest.quantisation,
    )
    return Built(cache, report, root / "hf-model")


def _build(root: Path, done: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        block_network(mp, [])
        use_cache(root / "cache", mp)
        with one_torch_thread():
            cache = build_detoxify_cache(root / "cache")
            register_model(cache, mp)
            export_onnx(root / "cache", cache.model)
            build_hf_folder(root / "hf-model", HF_LABELS)
    done.write_text(json.dumps({"model": cache.model, "url": cache.url, "checkpoint": str(cache.checkpoint)}))


@dataclass(frozen=True, slots=True)
class Installed:
    cache: DetoxifyCache  # a private copy this test may damage
    export: ExportReport
    hf_folder: Path


@pytest.fixture
def installed(built_models: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Installed:
    """The built models copied into this test's own cache folder, which the process now points at."""
    cache_dir = tmp_path / "models"
    shutil.copytree(built_models.cache.cache_dir, cache_dir)
    checkpoint = cache_dir / built_models.cache.checkpoint.relative_to(built_models.cache.cache_dir)
    cache = DetoxifyCache(cache_dir, built_models.cache.model, checkpoint, built_models.cache.url)
    use_cache(cache_dir, monkeypatch)
    register_model(cache, monkeypatch)
    return Installed(cache, built_models.export, built_models.hf_folder)
