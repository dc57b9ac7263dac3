"""A fake Zermelo portal (REST API v3) for the tests; see `server.py` for what is known from where."""

from tests.support.fake_zermelo.server import FakeZermelo, Portal

__all__ = ["FakeZermelo", "Portal"]
