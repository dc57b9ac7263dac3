"""Pure translation of recorded/hand-written Matrix event JSON into `Message`."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.matrix.event_fields import MalformedEvent
from adapters.matrix.event_text import html_to_text, strip_reply_fallback
from adapters.matrix.report_command import REPORT_REASON_MAX, report_command
from adapters.matrix.translate import (
    edit_on_its_own,
    event_message,
    message_from_event,
    parse_event_link,
    read_reaction,
)
from moderation.model import Platform

DATA = Path(__file__).parent / "data"
ROOM = "!room:school.test"


def events(name: str) -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = json.loads((DATA / name).read_text())
    return loaded


EVENTS = events("messages.json")
MALFORMED = events("malformed.json")


def translate(name: str) -> Any:
    return message_from_event(ROOM, EVENTS[name])


def test_plain_text() -> None:
    message = translate("text")
    assert message.platform is Platform.MATRIX
    assert message.room_id == ROOM
    assert message.event_id == "$text1"
    assert message.target_id == "$text1"
    assert message.author == "@sanne:school.test"
    assert message.text == "Morgen vervalt het 3e uur"
    assert message.sent_at == datetime.fromtimestamp(1764150000, tz=UTC)
    assert not message.is_edit and not message.has_media
    assert message.link == "https://matrix.to/#/!room:school.test/$text1"


def test_notice_and_emote_are_text() -> None:
    assert translate("notice").text == "Automatisch bericht"
    assert translate("emote").text == "zwaait naar iedereen"


def test_html_is_rendered_to_text() -> None:
    text = translate("html").text
    assert "Let op: lokaal\xa012 & 14" in text
    assert "een" in text and "twee" in text
    assert "<" not in text


def test_plain_body_that_differs_from_the_html_is_judged_too() -> None:
    text = translate("hidden_html").text
    assert "hallo allemaal" in text
    assert "jij bent een sukkel" in text


def test_reply_fallback_is_stripped_from_body_and_html() -> None:
    message = translate("reply")
    assert message.text == "Top, dank je!"
    assert message.reply_to == "$text1"


def test_edit_is_a_new_version_of_the_original() -> None:
    message = translate("edit")
    assert message.is_edit
    assert message.event_id == "$edit1"
    assert message.message_id == "$text1"
    assert message.target_id == "$text1"
    assert message.text == "nieuwe tekst"  # the new content, not the " * " fallback


def test_an_edit_of_someone_elses_message_stands_on_its_own() -> None:
    message = translate("edit")
    forged = edit_on_its_own(message, "@jan:school.test")
    assert forged.target_id == "$edit1" and forged.forged_edit_of == "@jan:school.test"
    assert forged.link is not None and forged.link.endswith("/$edit1") and forged.text == "nieuwe tekst"
    unknown = edit_on_its_own(message, None)  # the original could not be read: on its own, but not called forged
    assert unknown.target_id == "$edit1" and unknown.forged_edit_of is None


@pytest.mark.parametrize("name", ["image", "video", "file", "sticker"])
def test_media_is_marked(name: str) -> None:
    message = translate(name)
    assert message.has_media
    assert message.text  # the caption / file name is still judged


@pytest.mark.parametrize("name", ["redacted", "reaction", "unknown"])
def test_not_a_message(name: str) -> None:
    assert translate(name) is None


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_events_raise_a_clear_error(name: str) -> None:
    with pytest.raises(MalformedEvent) as caught:
        message_from_event(ROOM, MALFORMED[name])
    assert str(caught.value)  # says which field


def test_a_one_megabyte_body_is_kept_whole() -> None:
    event = dict(EVENTS["text"])
    event["content"] = {"msgtype": "m.text", "body": "a" * 1_048_576}
    message = message_from_event(ROOM, event)
    assert message is not None and len(message.text) == 1_048_576


def test_report_command() -> None:
    command = report_command(ROOM, EVENTS["report"])
    assert command is not None
    assert command.reporter == "@lotte:school.test"
    assert command.target == "$bad1"
    assert command.reason == "pest Sanne al weken"
    assert command.command_event == "$rep1"
    no_reason = report_command(ROOM, EVENTS["report_no_reason"])
    assert no_reason is not None and no_reason.reason == ""


def test_a_long_report_reason_is_cut_to_one_line_of_bounded_length() -> None:
    event = json.loads(json.dumps(EVENTS["report"]))
    event["content"]["body"] = "!report " + "echt\n\n heel erg " * 20_000
    command = report_command(ROOM, event)
    assert command is not None and len(command.reason) == REPORT_REASON_MAX and command.reason.endswith("…")
    assert "\n" not in command.reason and command.reason.startswith("echt heel erg echt")


def test_a_private_report_names_the_message_by_its_link() -> None:
    event = json.loads(json.dumps(EVENTS["report_not_reply"]))
    link = "https://matrix.to/#/%21klas2b%3Aschool.test/%24bad1%3Aschool.test?via=school.test"
    event["content"]["body"] = f"!report {link} hij scheldt steeds"
    command = report_command(ROOM, event)
    assert command is not None
    assert (command.target_room, command.target) == ("!klas2b:school.test", "$bad1:school.test")
    assert command.reason == "hij scheldt steeds" and command.reporter == "@lotte:school.test"
    assert parse_event_link("https://matrix.to/#/!r:s/$e") == ("!r:s", "$e")
    assert parse_event_link("https://example.org/#/!r:s/$e") is None


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("!report https://matrix.to/#/%23klas2b%3Aschool.test/%24bad1", "room's id"),  # an alias cannot be used
        ("!report https://matrix.to/#/@daan:school.test", "reply to the message it reports, or with its link"),
        ("!report hij scheldt", "reply to the message it reports, or with its link"),
    ],
)
def test_a_report_without_a_usable_reply_or_link_is_refused(body: str, problem: str) -> None:
    event = json.loads(json.dumps(EVENTS["report_not_reply"]))
    event["content"]["body"] = body
    with pytest.raises(MalformedEvent, match=problem):
        report_command(ROOM, event)


def test_report_must_be_a_reply() -> None:
    with pytest.raises(MalformedEvent, match="reply"):
        report_command(ROOM, EVENTS["report_not_reply"])


def test_ordinary_message_is_no_report() -> None:
    assert report_command(ROOM, EVENTS["text"]) is None
    assert report_command(ROOM, EVENTS["reply"]) is None


def test_strip_reply_fallback_keeps_quotes_that_are_not_a_fallback() -> None:
    assert strip_reply_fallback("hallo\n> geciteerd") == "hallo\n> geciteerd"
    assert strip_reply_fallback("> a\n> b\n\nc\n\nd") == "c\n\nd"


def test_html_to_text_ignores_broken_markup() -> None:
    assert html_to_text("<b>half <i>open") == "half open"
    assert html_to_text("<mx-reply>weg</mx-reply><p>blijft</p>") == "blijft"


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["type", "event_id", "sender", "origin_server_ts", "content"]),
        st.none() | st.integers() | st.text() | st.dictionaries(st.text(), st.text() | st.integers()),
    )
)
def test_arbitrary_events_translate_or_raise_malformed(event: dict[str, Any]) -> None:
    event.setdefault("type", "m.room.message")
    with contextlib.suppress(MalformedEvent):
        message_from_event(ROOM, event)


def _event(event_type: str, content: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": event_type,
        "event_id": "$e1",
        "sender": "@daan:school.test",
        "origin_server_ts": 1764150006000,
        "content": content,
        **extra,
    }


def test_a_poll_is_its_question_and_answers_in_either_dialect() -> None:
    unstable = {
        "org.matrix.msc3381.poll.start": {
            "question": {"org.matrix.msc1767.text": "Wie is het domst?"},
            "answers": [{"id": "a", "org.matrix.msc1767.text": "Sanne"}, {"id": "b", "body": "Noor"}],
        },
        "org.matrix.msc1767.text": "Wie is het domst?\n1. Sanne\n2. Noor",
    }
    stable = {
        "m.poll": {
            "question": {"m.text": [{"body": "Wie is het domst?"}]},
            "answers": [{"m.text": [{"body": "Sanne"}]}],
        }
    }
    one = message_from_event(ROOM, _event("org.matrix.msc3381.poll.start", unstable))
    two = message_from_event(ROOM, _event("m.poll.start", stable))
    assert one is not None and one.text.startswith("Wie is het domst?\nSanne\nNoor")
    assert two is not None and two.text == "Wie is het domst?\nSanne"
    assert report_command(ROOM, _event("m.poll.start", {"m.poll": {"question": {"m.text": "!report"}}})) is None


def test_a_poll_with_a_broken_question_still_has_its_answers_judged() -> None:
    content = {"m.poll": {"question": 42, "answers": [{"m.text": "jij sukkel"}, "kapot"]}}
    message = message_from_event(ROOM, _event("m.poll.start", content))
    assert message is not None and message.text == "jij sukkel"


def test_an_attachment_is_its_caption_and_its_file_name() -> None:
    content = {"msgtype": "m.image", "body": "leuke foto", "filename": "sanne-is-dom.jpg", "url": "mxc://s/x"}
    message = message_from_event(ROOM, _event("m.room.message", content))
    assert message is not None and message.text == "leuke foto\nsanne-is-dom.jpg" and message.has_media


def test_a_rooms_name_and_topic_are_judged_words() -> None:
    name = message_from_event(ROOM, _event("m.room.name", {"name": "klas van sukkels"}, state_key=""))
    topic = message_from_event(ROOM, _event("m.room.topic", {"topic": "hier pesten we"}, state_key=""))
    assert name is not None and name.text == "klas van sukkels" and name.target_id == "$e1"
    assert topic is not None and topic.text == "hier pesten we"


@pytest.mark.parametrize("key", ["✅", "✔️", "✔", "☑️", "👍", " ✅ "])
def test_a_check_mark_reaction_reads_as_gelezen(key: str) -> None:
    event = {"type": "m.reaction", "sender": "@s:school.test", "content": {"m.relates_to": {}}}
    event["content"] = {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$post", "key": key}}
    assert read_reaction(event) == ("$post", "@s:school.test")


@pytest.mark.parametrize(
    "content",
    [
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$post", "key": "🖕"}},
        {"m.relates_to": {"rel_type": "m.reference", "event_id": "$post", "key": "✅"}},
        {"m.relates_to": {"rel_type": "m.annotation", "key": "✅"}},
        {"m.relates_to": "✅"},
        {},
        "not an object",
    ],
)
def test_anything_else_is_no_read_confirmation(content: object) -> None:
    assert read_reaction({"type": "m.reaction", "sender": "@s:school.test", "content": content}) is None
    assert read_reaction({"type": "m.room.message", "sender": "@s:school.test", "content": content}) is None


def test_a_reaction_is_open_only_where_the_room_lets_everyone_react() -> None:
    reaction = {"type": "m.reaction", "event_id": "$r", "sender": "@s:school.test", "origin_server_ts": 0}
    vote = {**reaction, "type": "org.matrix.msc3381.poll.response"}
    assert event_message(ROOM, reaction, reactions_open=True).open_reaction
    assert not event_message(ROOM, reaction).open_reaction  # a reaction where none may react: R10 as any post
    assert not event_message(ROOM, vote, reactions_open=True).open_reaction
