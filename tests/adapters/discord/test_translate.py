"""translate.py on recorded payloads: content, replies, forwards (R1), media, edits, and what is not a message."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.translate import NotAMessage, edit_to_message, parse_jump_link, to_message
from moderation.model import Platform
from tests.adapters.discord.payloads import load, message


def test_a_plain_message() -> None:
    msg = to_message(message(load("message_plain.json")))
    assert msg.platform is Platform.DISCORD
    assert (msg.room_id, msg.event_id, msg.message_id) == ("1175532051392626694",) + ("1175600000000000001",) * 2
    assert (msg.author, msg.author_name) == ("1175532051392626692", "Sanne B (2B)")
    assert msg.text == "wie heeft het huiswerk van wiskunde?"
    assert msg.sent_at == datetime.fromtimestamp(((1175600000000000001 >> 22) + 1420070400000) / 1000, UTC)
    assert not (msg.is_edit or msg.is_forward or msg.has_media) and msg.reply_to is None
    assert msg.link == "https://discord.com/channels/1175532051392626689/1175532051392626694/1175600000000000001"


def test_a_reply_names_the_message_it_answers() -> None:
    msg = to_message(message(load("message_reply.json")))
    assert msg.reply_to == "1175600000000000001" and not msg.is_forward
    assert msg.text == "ik ook niet 😅"


def test_a_forward_is_judged_on_the_forwarded_content() -> None:
    msg = to_message(message(load("message_forward.json")))
    assert msg.is_forward and msg.reply_to is None
    # The forwarded text, then the forwarded file's name (judged too).
    assert msg.text == "doorgestuurd: de screenshot van het groepsgesprek\nscreenshot"
    assert msg.has_media  # the forwarded screenshot
    assert msg.author == "1175532051392626692"  # R1: the one who forwarded it is responsible


def test_attachments_count_as_media() -> None:
    msg = to_message(message(load("message_attachments.json")))
    assert msg.has_media and msg.text == "foto's van de excursie\nIMG 2041\nclip"  # file names are read too


def test_a_poll_file_names_and_alt_texts_are_judged() -> None:
    data = load("message_attachments.json")
    data["content"] = ""
    data["attachments"][0] |= {"filename": "daan_is_een-sukkel.jpg", "description": "daan huilt weer"}
    data["poll"] = {
        "question": {"text": "wie is de grootste loser van 2b?"},
        "answers": [{"answer_id": 1, "poll_media": {"text": "daan"}}, {"answer_id": 2, "poll_media": {"text": ""}}],
        "expiry": "2026-11-27T08:00:00+00:00",
        "allow_multiselect": False,
        "layout_type": 1,
    }
    msg = to_message(message(data))
    assert msg.text.splitlines() == [
        "wie is de grootste loser van 2b?",
        "daan",
        "daan is een sukkel",
        "daan huilt weer",
        "clip",
    ]
    assert msg.has_media


def test_a_4000_character_message_with_attachments_is_kept_whole() -> None:
    data = load("message_attachments.json")
    data["content"] = ("lang verhaal " * 400)[:4000]
    msg = to_message(message(data))
    assert msg.text.startswith(data["content"] + "\n") and msg.has_media


def test_an_edit_is_a_new_version_of_the_same_message() -> None:
    original = to_message(message(load("message_plain.json")))
    edit = edit_to_message(message(load("message_edit.json")))
    assert edit.is_edit and edit.message_id == original.message_id == edit.target_id
    assert edit.event_id != original.event_id and edit.event_id.startswith("1175600000000000001@")
    assert edit.sent_at == datetime(2026, 11, 26, 8, 17, 30, 500000, tzinfo=UTC)
    assert edit.text.endswith("(hoofdstuk 4)")


def test_an_update_without_an_edit_time_is_not_an_edit() -> None:
    with pytest.raises(NotAMessage, match="edit time"):
        edit_to_message(message(load("message_plain.json")))


@pytest.mark.parametrize(
    ("name", "why"), [("message_pin_notice.json", "system message"), ("message_dm.json", "direct")]
)
def test_system_messages_and_dms_are_not_judged(name: str, why: str) -> None:
    with pytest.raises(NotAMessage, match=why):
        to_message(message(load(name)))


def test_a_thread_message_belongs_to_its_parent_channels_room() -> None:
    msg = to_message(message(load("message_plain.json"), thread_parent="1175532051392626600"))
    assert msg.room_id == "1175532051392626600"
    assert msg.link == "https://discord.com/channels/1175532051392626689/1175532051392626694/1175600000000000001"


def test_a_member_who_left_is_still_the_author() -> None:
    msg = to_message(message(load("message_left_member.json")))
    assert msg.author == "1175532051392626692" and msg.author_name == "Sanne"


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_arrives_unchanged(text: str) -> None:
    data = load("message_plain.json") | {"content": text}
    assert to_message(message(data)).text == text


def test_jump_links() -> None:
    link = parse_jump_link("https://discord.com/channels/11/22/33")
    assert (link.guild_id, link.channel_id, link.message_id) == (11, 22, 33)
    assert parse_jump_link(" https://ptb.discordapp.com/channels/@me/22/33/ ").guild_id is None
    for bad in ("https://discord.com/channels/11/22", "https://evil.example/channels/1/2/3", "33", ""):
        with pytest.raises(ValueError, match="not a Discord message link"):
            parse_jump_link(bad)
