"""What a reviewer reads on the review desk (the web front end), and a teacher on its Mededelingen page: every label,
button, title and answer.

The fixed words are fields of `DeskWords`, so a language that leaves one out does not type-check; a word may mark
a command or an address with backticks (shown as code) and name a part the page fills in (`{total}`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from moderation.incidents.review import Result


@dataclass(frozen=True, slots=True)
class DeskWords:
    # every page: the menu and the failures
    main_menu: str
    my_incidents: str
    overview: str
    privacy: str
    sign_out: str
    failed: str
    to_my_incidents: str
    no_such_page: str
    not_allowed_here: str
    went_wrong: str
    query_too_long: str
    field_too_long: str
    form_expired: str
    logout_expired: str
    # signing in
    sign_in: str
    sign_in_button: str
    link_refused: str  # backticks: the two platforms' commands
    signed_out: str
    how_to_sign_in: str
    too_many_attempts: str
    not_signed_in: str
    # the queue and a student's timeline
    filter_incidents: str
    search_student: str
    status: str
    open_and_in_review: str
    all: str
    class_name: str
    category: str
    room: str
    since: str
    until: str
    filter: str
    unknown_status: str
    no_incidents: str
    no_such_student: str
    listed_on_desk: str  # the access log's note on an incident the queue showed
    listed_in_timeline: str  # and on one a student's timeline showed
    # an incident
    who: str
    where: str
    when: str
    target: str
    rule_and_category: str
    message: str
    erased_text: str
    scores: str
    why: str
    chat_link: str
    open_message: str
    case: str
    outcome: str
    reporter: str
    reviewers: str
    actions: str
    acknowledge: str
    resolve: str
    resolve_note: str
    resolve_measure: str
    parents_informed: str
    not_applicable: str
    yes: str
    no: str
    dismiss_heading: str
    dismiss_note: str
    dismiss: str
    escalate: str
    escalate_to: str
    escalate_note: str
    history: str
    note_needed: str
    parents_needed: str
    race: str
    # the overview (leadership)
    overview_only_leadership: str
    overview_intro: str  # with {total}
    download_csv: str
    count: str
    no_class: str
    overview_file: str
    csv_header: tuple[str, str, str]
    # the privacy page (the privacy officer)
    privacy_intro: str
    search_person: str
    search: str
    off_roster: str
    not_on_roster: str
    nobody_found: str  # backticks: example accounts
    privacy_only: str
    privacy_unknown: str
    confirm_mismatch: str
    code: str
    inspection: str
    download_data: str
    erase: str
    would_erase: str
    warning: str  # with {warning}
    confirm: str  # with {subject}
    erase_for_good: str
    erased: str
    what_was_erased: str
    what: str
    incidents: str
    back_to_search: str
    # the Mededelingen page (a teacher's announcements to class rooms); "when" is the incident's word above
    announcements: str
    new_announcement: str
    to_rooms: str
    text: str
    text_hint: str
    now: str
    today_at: str
    tomorrow_at: str
    on_date: str
    time_field: str
    moment: str
    ask_read: str
    quick_choices: str
    quick_texts: tuple[tuple[str, str], ...]  # (the link's label, the short form it fills in)
    preview: str
    preview_title: str
    sent_at_once: str
    read_button: str
    send: str
    back_to_form: str
    my_announcements: str
    none_sent_yet: str
    retracted: str
    edit: str
    retract: str
    only_posters: str
    poster_not_signed_in: str
    no_announcements_here: str
    no_rooms_chosen: str
    not_your_rooms: str
    empty_text: str
    bad_time: str
    bad_moment: str
    no_such_announcement: str


class DeskTexts(Protocol):
    lang: str  # the pages' language tag
    words: DeskWords
    statuses: Mapping[str, str]  # status → word, in the order the queue's filter offers them
    categories: Mapping[str, str]  # the categories the queue's filter offers
    escalations: Mapping[str, str]  # the levels an incident can be escalated to
    # the overview's breakdowns by class, month, category and status: (title, the word in its table and the CSV)
    charts: Mapping[str, tuple[str, str]]
    erasure_rows: Sequence[tuple[str, str]]  # (the erasure plan's part, its label), in reading order

    def status(self, status: str) -> str: ...

    def category(self, category: str) -> str: ...

    def role(self, role: str) -> str: ...

    def severity(self, severity: int) -> str: ...

    def escalated(self, level: str) -> str: ...

    def incidents(self, count: int) -> str:
        """A number of incidents ("1 melding", "3 meldingen")."""
        ...

    def incident_title(self, incident_id: int) -> str: ...

    def incident_ref(self, incident_id: int) -> str: ...

    def student_title(self, name: str) -> str: ...

    def student_summary(self, class_name: str | None, count: int) -> str: ...

    def privacy_title(self, name: str) -> str: ...

    def account_data(self, account: str) -> str: ...

    def counts_caption(self, title: str) -> str: ...

    def result(self, result: Result) -> str:
        """The outcome of an action on the desk."""
        ...

    def not_a_date(self, value: str) -> str: ...

    def history_action(self, action: str) -> str: ...

    def history_actor(self, actor: str, name_of: Mapping[str, str]) -> str:
        """Who did it and where, from the history's actor key ("desk as <id>", "cli:<user> as <id>", "system")."""
        ...

    def unfinished(self, incident_id: int, why: str) -> str:
        """Why erasing a person also deletes an incident that is not finished yet."""
        ...

    def privacy_erased(self, who: str) -> str: ...

    def export_file(self, subject: str) -> str:
        """The file name of a person's data download (`subject` is made safe for a file name already)."""
        ...

    def announcement_title(self, code: int) -> str: ...

    def announcement_progress(self, done: int, total: int) -> str:
        """How many of its rooms an announcement has reached."""
        ...

    def announcement_scheduled(self, when: str) -> str: ...

    def announcement_reads(self, read: int) -> str: ...

    def announcement_room(self, status: str, *, retracted: bool, sent_at: str = "") -> str:
        """Where an announcement stands in one room (sent, and when; waiting to be sent; failed; gone), or its
        retraction there."""
        ...

    def announcement_waiting(self) -> str:
        """None of its rooms has it yet, and it is not scheduled for later: it waits for the bot to send it."""
        ...

    def edit_label(self, code: int) -> str: ...

    def preview_when(self, when: str) -> str: ...

    def text_too_long(self, limit: int, length: int) -> str: ...
