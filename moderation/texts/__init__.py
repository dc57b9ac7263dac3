"""The texts port: every sentence a person reads in chat, per language, comes through here.

The core and the adapters say *what* to tell someone; a language (bot/texts/nl.py, Dutch, for everything students
and staff read) says it. The composition root picks one and passes it in; the core never names one. `Texts` is
the reviewers' side (cards, answers, lists, the digest) and the fixed `Phrase`s; each other reader has a group of
its own, one module each: `notices`, `announcements`, `timetable`, `linking`, and `desk` (the review desk's
pages).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from moderation.texts.announcements import AnnouncementTexts
from moderation.texts.desk import DeskTexts, DeskWords
from moderation.texts.linking import LinkingTexts
from moderation.texts.notices import Notices
from moderation.texts.timetable import TimetableTexts

if TYPE_CHECKING:
    from moderation.digest import Digest
    from moderation.incidents.cards import Card
    from moderation.incidents.commands import CommandError, ReviewCommand
    from moderation.incidents.review import ReviewResult
    from moderation.model import Person


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
    BUTTON_ESCALATE = "button-escalate"  # on a combined card, where each incident has one row of buttons
    ESCALATE_TITLE = "escalate-title"  # with {n}
    COMBINED_BUTTONS = "combined-buttons"  # a combined card's hint: each row of buttons is one incident's
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
    # "Gelezen ✓" under a teacher's announcement: Discord's button, Matrix's line under the post
    READ_BUTTON = "read-button"
    READ_BY_REACTION = "read-by-reaction"  # with {key}, the reaction that confirms
    # a burst's combined card: several incidents in one message
    COMBINED_TITLE = "combined-title"  # with {n}
    COMBINED_REACTIONS = "combined-reactions"
    COMBINED_PICK = "combined-pick"  # with {numbers} and {first}: a decision by reaction on a combined card
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


__all__ = [
    "AnnouncementTexts",
    "DeskTexts",
    "DeskWords",
    "LinkingTexts",
    "Notices",
    "Phrase",
    "Texts",
    "TimetableTexts",
    "Withdrawal",
]


class Texts(Protocol):
    zone: tzinfo  # the school's time zone, for every time a person reads

    @property
    def notices(self) -> Notices: ...

    @property
    def announcements(self) -> AnnouncementTexts: ...

    @property
    def linking(self) -> LinkingTexts: ...

    @property
    def desk(self) -> DeskTexts: ...

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
