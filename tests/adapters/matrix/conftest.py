"""Fixtures for the Matrix adapter tests: one real Synapse per test session, the school's accounts on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adapters.matrix.helpers import SCHOOL_ACCOUNTS, School
from tests.support.synapse import SynapseServer, running_synapse


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    with running_synapse(tmp_path_factory.mktemp("synapse")) as server:
        yield server


@pytest.fixture(scope="session")
def school(synapse: SynapseServer) -> School:
    """The roster's people as Synapse accounts (registered once per session)."""
    return School(synapse, {name: synapse.register(name) for name in SCHOOL_ACCOUNTS})


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "matrix-store"
