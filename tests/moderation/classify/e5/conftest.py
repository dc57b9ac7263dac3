"""The e5 tier's tests run the real embedded engine (it is local), with the network blocked."""

from __future__ import annotations

from typing import Any

import pytest

from moderation.classify.e5.engine import Embedder, load_embedder
from tests.moderation.classify.ml.conftest import block_network


@pytest.fixture(autouse=True)
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    attempts: list[Any] = []
    block_network(monkeypatch, attempts)
    return attempts


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    with pytest.MonkeyPatch.context() as patch:
        block_network(patch, [])
        return load_embedder()
