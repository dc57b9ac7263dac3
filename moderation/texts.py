"""The texts port: every sentence a person reads in chat, per language, comes through here.

The core and the adapters say *what* to tell someone; a language module (bot/texts/nl.py, Dutch, for everything
students and staff read) says it. The composition root picks one and passes it in; the core never names one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from moderation.announcements.timetable import Lesson, TimetableNews
    from moderation.digest import Digest
    from moderation.incidents.cards import Card
    from moderation.incidents.commands import CommandError, ReviewCommand
    from moderation.incidents.review import ReviewResult
    from moderation.model import Category, Person


class Phrase(StrEnum):
    """Fixed phrases; every language gives each of them."""

    HELP = "help"
    NOT_A_REVIEWER = "not-a-reviewer"
    NOT_DELIVERED_EVERYWHERE = "not-delivered-everywhere"  # appended to an answer
    # Discord's review controls
    NOT_THIS_CARD = "not-this-card"
    UNKNOWN_BUTTON = "unknown-button"
    BUTTON_ACK = "button-ack"
    BUTTON_IN_REVIEW = "button-in-review"
    BUTTON_RESOLVE = "button-resolve"
    BUTTON_DISMISS = "button-dismiss"
    ESCALATE_PLACEHOLDER = "escalate-placeholder"
    RESOLVE_TITLE = "resolve-title"  # with {n}
    RESOLVE_NOTE = "resolve-note"
    RESOLVE_NOTE_EXAMPLE = "resolve-note-example"
    RESOLVE_MEASURE = "resolve-measure"
    RESOLVE_MEASURE_EXAMPLE = "resolve-measure-example"
    RESOLVE_PARENTS = "resolve-parents"
    RESOLVE_PARENTS_PLACEHOLDER = "resolve-parents-placeholder"
    PARENTS_YES = "parents-yes"
    PARENTS_NO = "parents-no"
    NOTE_NOT_SAVED = "note-not-saved"  # with {note}
    # Discord's report commands (students read these)
    REPORT_MENU = "report-menu"
    REPORT_DESCRIPTION = "report-description"
    REPORT_LINK = "report-link"
    REPORT_REASON = "report-reason"
    REPORT_THANKS = "report-thanks"
    REPORT_FAILED = "report-failed"
    REPORT_REFUSED = "report-refused"  # with {why}
    REPORT_NOT_FOUND = "report-not-found"  # with {why}
    REPORT_OTHER_SERVER = "report-other-server"
    REPORT_BAD_LINK = "report-bad-link"
    REPORT_UNREACHABLE = "report-unreachable"
    REPORT_NOT_A_POST = "report-not-a-post"
    # Matrix's `!report` (students read these)
    REPORT_RECEIVED = "report-received"
    REPORT_HOW = "report-how"
    REPORT_UNREADABLE = "report-unreadable"
    # Discord's linking and desk sign-in commands, as the command list shows them
    LINK_COMMAND = "link-command"
    LINK_OPTION = "link-option"
    UNLINK_COMMAND = "unlink-command"
    LOGIN_COMMAND = "login-command"
    # the answer to `!login` / `/login`
    LOGIN_LINK = "login-link"  # with {link} and {minutes}
    LOGIN_REFUSED = "login-refused"
    # the reason on a retracted announcement (Matrix shows it on the redaction)
    ANNOUNCEMENT_RETRACTED = "announcement-retracted"
    # the first card of an incident, in the overview
    INCIDENT = "incident"  # with {n}
    SCHOOL_RULE = "school-rule"  # with {rule}
    LABEL_INCIDENT = "label-incident"
    LABEL_WHO = "label-who"
    LABEL_WHERE = "label-where"
    LABEL_WHEN = "label-when"
    LABEL_WHAT = "label-what"
    LABEL_MESSAGE = "label-message"
    LABEL_WHY = "label-why"
    LABEL_LINK = "label-link"
    LABEL_REVIEWERS = "label-reviewers"
    LABEL_ATTENTION = "label-attention"
    LABEL_DESK = "label-desk"
    CRIMINAL = "criminal"
    NOT_ON_ROSTER = "not-on-roster"
    NOBODY_ROUTED = "nobody-routed"
    EDITED = "edited"
    FORWARDED = "forwarded"
    WITH_MEDIA = "with-media"
    NO_TEXT = "no-text"


class Withdrawal(StrEnum):
    """Why a copy of a card leaves chat."""

    ERASED = "erased"  # privacy erase or retention: the text must go
    CHANGED = "changed"  # the incident's text changed: a fresh copy follows
    LEFT = "left"  # the viewer left the school
    NOT_YOURS = "not-yours"  # no longer theirs to review
    GONE = "gone"  # the incident no longer exists


class Notices(Protocol):
    """What the author of a message reads when a rule acted on it (`room` is the room's name)."""

    def abusive(self, category: Category, room: str, *, staff: bool, deleted: bool) -> str:
        """R2/R7: the message looked abusive; `staff` names their manager instead of a mentor (R12/R13)."""
        ...

    def self_harm(self) -> str:
        """Care, not punishment: where to find help now."""
        ...

    def announcement_only(self, room: str) -> str: ...

    def forged_edit(self) -> str: ...

    def media_held(self, room: str) -> str:
        """R6: a photo or video taken down until the mentor has looked at it (the room's policy)."""
        ...

    def media_removed(self, room: str) -> str:
        """R6/R7: a photo or video an image tier was sure about."""
        ...

    def personal_data(self, room: str, kinds: Sequence[str], *, held: bool) -> str:
        """R6: someone else's personal data (`kinds`: what was found, the finders' kinds)."""
        ...

    def quiet_hours(self, room: str, window: str, end: time, *, held: bool) -> str: ...

    def staff_in_student_room(self, room: str) -> str:
        """R10: to a staff member in a student-run group chat (polite: "u")."""
        ...


class AnnouncementTexts(Protocol):
    """What a staff member reads about their own announcements (`!mededeling`), and what the short forms become."""

    def how(self) -> str:
        """How the commands go (the answer to a malformed one)."""
        ...

    def not_staff(self) -> str: ...

    def post_header(self, name: str, classes: str) -> str:
        """Who the post is from, for which classes."""
        ...

    def post_text(self, header: str, body: str, *, edited: bool = False) -> str: ...

    def cancelled(self, what: str) -> str:
        """The short form "vervalt 3e uur wiskunde" as the class reads it."""
        ...

    def room_changed(self, what: str, room: str) -> str: ...

    def test_moved(self, subject: str, when: str) -> str: ...

    def unknown_classes(self, classes: str) -> str: ...

    def no_room(self, refused: str) -> str: ...

    def refused_rooms(self, classes: str) -> str: ...

    def sent(self, done: int, total: int, code: int | None) -> str: ...

    def progress(self, done: int, total: int) -> str: ...

    def scheduled(self, when: str, total: int, code: int | None) -> str: ...

    def scheduled_done(self, code: int, done: int, total: int, failed: list[str]) -> str: ...

    def failed_rooms(self, rooms: list[str]) -> str: ...

    def quiet_now(self) -> str: ...

    def retry_later(self) -> str: ...

    def elsewhere(self) -> str:
        """Another process of the bot delivers them."""
        ...

    def not_found(self, code: int) -> str: ...

    def not_yours(self, code: int, *, retract: bool) -> str: ...

    def already_retracted(self, code: int) -> str: ...

    def retracting(self, code: int, left: int) -> str: ...

    def retracted(self, code: int) -> str: ...

    def edited(self, code: int, done: int, total: int) -> str: ...

    def edited_scheduled(self, code: int) -> str: ...

    def moment(self, when: datetime, zone: tzinfo) -> str:
        """A scheduled moment as the sender reads it, in `zone`."""
        ...

    def no_time(self) -> str: ...

    def bad_time(self) -> str: ...

    def bad_date(self) -> str: ...

    def in_the_past(self, when: str) -> str: ...

    def too_far(self, days: int) -> str: ...


class LinkingTexts(Protocol):
    """What a person reads while linking their chat account to the roster (`c`: the platform's command prefix)."""

    def mail_subject(self) -> str: ...

    def mail_body(self, first_name: str, platform: str, account: str, code: str, c: str, minutes: int) -> str: ...

    def how(self, c: str) -> str: ...

    def code_sent(self, c: str, minutes: int) -> str:
        """The same answer whether or not the number exists, so that nobody can find out which numbers do."""
        ...

    def linked(self, name: str, c: str) -> str: ...

    def linked_instead(self, name: str, old: str) -> str:
        """Appended to `linked` when another account of theirs was linked before."""
        ...

    def already_linked(self, name: str, c: str) -> str: ...

    def taken_meanwhile(self, c: str) -> str: ...

    def wrong_code(self, left: int) -> str: ...

    def too_many_wrong(self, c: str) -> str: ...

    def expired(self, c: str) -> str: ...

    def no_request(self, c: str) -> str: ...

    def too_many_requests(self, minutes: int) -> str: ...

    def unlinked(self, name: str) -> str: ...

    def from_the_roster(self) -> str:
        """The account is the roster's own: only the administrator can undo it."""
        ...

    def not_linked(self, c: str) -> str: ...

    def request_withdrawn(self) -> str: ...

    def failed(self) -> str: ...


class TimetableTexts(Protocol):
    """What a class reads about a change in its timetable, and the school's news, in its announcement room."""

    def for_classes(self, classes: Sequence[str], lesson: Lesson) -> str: ...

    def news(self, item: TimetableNews) -> str: ...


class Texts(Protocol):
    zone: tzinfo  # the school's time zone, for every time a person reads

    @property
    def notices(self) -> Notices: ...

    @property
    def announcements(self) -> AnnouncementTexts: ...

    @property
    def linking(self) -> LinkingTexts: ...

    def timetable(self, subject_names: Mapping[str, str]) -> TimetableTexts:
        """Timetable changes in words; `subject_names` are the school's own names for subject codes."""
        ...

    def phrase(self, phrase: Phrase) -> str: ...

    def category(self, category: str) -> str:
        """What an incident is about, as a noun phrase ("een scheldwoord")."""
        ...

    def severity(self, severity: int) -> str: ...

    def status(self, status: str) -> str: ...

    def reason(self, reason: str) -> str:
        """Why someone reviews an incident (mentor, coordinator, manager, leadership)."""
        ...

    def escalation(self, level: str) -> str:
        """An escalation level as a choice in a menu (coordinator, leadership, police)."""
        ...

    def why(self, category: str, explanation: str, target: str | None) -> str:
        """Why the bot thinks so, in words (the rule's own explanation may name the evidence)."""
        ...

    def card_title(self, card: Card) -> str: ...

    def desk_link(self, incident_id: int) -> str | None:
        """The incident's page on the review desk, when the school runs one."""
        ...

    def card_rows(self, card: Card, *, technical: bool = False) -> list[tuple[str, str]]:
        """(label, value) pairs in reading order; `technical` adds the rule's own explanation and the scores (for
        the administrator's command line)."""
        ...

    def card_commands(self, card: Card) -> str:
        """What the reader can do now (empty for a closed incident)."""
        ...

    def answer(self, command: ReviewCommand, result: ReviewResult, added: Sequence[str]) -> str:
        """The answer to a change or a show, from its outcome; `added` names whom an escalation added."""
        ...

    def command_error(self, error: CommandError) -> str: ...

    def incident_list(self, cards: Sequence[Card], status: str) -> str: ...

    def digest(self, reviewer: Person, digest: Digest) -> str: ...

    def withdrawn(self, incident_id: int, why: Withdrawal) -> str:
        """What is left of a withdrawn copy where the platform keeps one (Discord), or the redaction's reason."""
        ...
