"""The embeddings of recently seen texts, so that a repeated message costs no engine call.

Chat repeats itself ("ok", "haha", the same line pasted by many in a raid). The engine's embedding of a text does
not depend on the other texts in its batch nor on the thread that computed it, so a remembered embedding is exactly
the one the engine would give again: the verdicts stay the same. Bounded (the least recently used goes first) and
keyed by a digest of the text, so the cache holds no message text.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class RecentEmbeddings:
    """At most `capacity` embeddings (0: remembers nothing). Safe to share between threads."""

    def __init__(self, capacity: int) -> None:
        if capacity < 0:
            raise ValueError(f"capacity must be >= 0, got {capacity}")
        self.capacity = capacity
        self._rows: OrderedDict[bytes, Vector] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0  # read by benchmarks
        self.misses = 0

    def __len__(self) -> int:
        return len(self._rows)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()

    def get_many(self, keys: Sequence[bytes]) -> list[Vector | None]:
        out: list[Vector | None] = []
        with self._lock:
            for key in keys:
                row = self._rows.get(key)
                if row is not None:
                    self._rows.move_to_end(key)
                out.append(row)
            found = sum(row is not None for row in out)
            self.hits += found
            self.misses += len(out) - found
        return out

    def put_many(self, keys: Sequence[bytes], rows: npt.NDArray[np.float32]) -> None:
        if self.capacity == 0:
            return
        with self._lock:
            for key, row in zip(keys, rows, strict=True):
                kept = row.copy()  # a row of its own: the caller's batch array can be freed
                kept.flags.writeable = False
                self._rows[key] = kept
                self._rows.move_to_end(key)
            while len(self._rows) > self.capacity:
                self._rows.popitem(last=False)
