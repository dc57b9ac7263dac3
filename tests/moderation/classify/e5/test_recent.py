"""The embeddings of recent texts: bounded, least recently used out first, keyed without the text."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.classify.e5.recent import RecentEmbeddings, text_key


def _rows(*values: float) -> np.ndarray:
    return np.asarray([[v, v] for v in values], dtype=np.float32)


def test_it_keeps_at_most_capacity_and_forgets_the_least_recently_used_first() -> None:
    recent = RecentEmbeddings(2)
    a, b, c = text_key("a"), text_key("b"), text_key("c")
    recent.put_many([a, b], _rows(1, 2))
    assert recent.get_many([a])[0] is not None  # a is now the most recently used
    recent.put_many([c], _rows(3))
    found = recent.get_many([a, b, c])
    assert len(recent) == 2 and found[1] is None
    assert found[0] is not None and found[0].tolist() == [1.0, 1.0]
    assert found[2] is not None and found[2].tolist() == [3.0, 3.0]
    assert (recent.hits, recent.misses) == (3, 1)


def test_a_kept_row_is_its_own_read_only_copy() -> None:
    recent = RecentEmbeddings(4)
    batch = _rows(5)
    recent.put_many([text_key("x")], batch)
    batch[0, 0] = -1.0
    (kept,) = recent.get_many([text_key("x")])
    assert kept is not None and kept.tolist() == [5.0, 5.0]
    with pytest.raises(ValueError, match="read-only"):
        kept[0] = 0.0


def test_capacity_zero_remembers_nothing_and_clear_forgets_all() -> None:
    none = RecentEmbeddings(0)
    none.put_many([text_key("a")], _rows(1))
    assert none.get_many([text_key("a")]) == [None] and len(none) == 0
    some = RecentEmbeddings(3)
    some.put_many([text_key("a"), text_key("b")], _rows(1, 2))
    some.clear()
    assert some.get_many([text_key("a"), text_key("b")]) == [None, None]
    with pytest.raises(ValueError, match="capacity"):
        RecentEmbeddings(-1)


def test_the_key_is_a_digest_not_the_text() -> None:
    key = text_key("jij bent echt een sukkel")
    assert len(key) == 16 and b"sukkel" not in key
    assert key == text_key("jij bent echt een sukkel") != text_key("jij bent echt een sukkel!")
    assert len(text_key("half \ud800 surrogate")) == 16
