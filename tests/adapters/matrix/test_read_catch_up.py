"""Which events of a post's annotations say "gelezen" (the homeserver's relations list, read for confirmations
given before their reactions were kept)."""

from __future__ import annotations

from adapters.matrix.read_catch_up import read_annotation


def reaction(key: str, event_type: str = "m.reaction") -> dict[str, object]:
    relation = {"rel_type": "m.annotation", "event_id": "$post", "key": key}
    return {"type": event_type, "event_id": "$r", "sender": "@s:school.test", "content": {"m.relates_to": relation}}


def test_a_check_mark_says_read_and_an_encrypted_one_too() -> None:
    assert read_annotation(reaction("✅")) == ("$r", "@s:school.test")
    assert read_annotation(reaction("✔️")) == ("$r", "@s:school.test")
    # Encrypted: the relation (with its key) stays outside the encryption.
    assert read_annotation(reaction("✅", "m.room.encrypted")) == ("$r", "@s:school.test")


def test_anything_else_does_not() -> None:
    assert read_annotation(reaction("🖕")) is None
    assert read_annotation(reaction("✅", "m.room.message")) is None
    assert read_annotation({**reaction("✅"), "event_id": None}) is None
    assert read_annotation({"type": "m.reaction", "event_id": "$r", "sender": "@s:school.test"}) is None
