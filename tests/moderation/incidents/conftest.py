"""The school most incident tests share: its roster, a frozen clock and a review service, on SQLite and on the real
PostgreSQL server. A module that needs another school (other settings, one per module) defines its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.review import School, make_school


@pytest.fixture
def school(tmp_path: Path, database_url: str) -> Iterator[School]:
    """On SQLite and on the real PostgreSQL server."""
    school = make_school(tmp_path, database_url=database_url)
    yield school
    school.core.close()
