"""AVG rights: export everything stored about one person (JSON), and erase it — without touching other people's
incidents beyond removing this person from them.

A person is named by their roster id (`sanne`), or, for someone not on the roster, by a platform account
(`discord:123456789012345678`, `matrix:@x:school.nl`, `console:x`).

What "about the person" means here:
- their roster record and platform accounts;
- incidents they authored (all fields but who else was involved: reporter, target, reviewers' names);
- incidents aimed at them, reports they made, incidents they were assigned to review, and what they did as a
  reviewer: only the incident number, date, kind and status — the rest of those incidents is about someone else.

Erasure also takes the reporter's own words out of the reports they made, gives those reports a key that links
to nobody, and queues every incident whose text changed for its chat cards to be withdrawn (and, while still
open, sent again as they read now). On SQLite the erased bytes are overwritten (`secure_delete`) and the
write-ahead log is emptied, so the name and text are not left in the database files.

Data an adapter keeps about a person outside the incident log (Matrix: its direct room with them) is exported and
erased by that adapter's own hook (`moderation.ports.PersonalDataHook`), which the composition root passes in.

Every export and erasure is itself recorded (`privacy.log.*` in `bot_state`): who ran it, when, and what it
touched in numbers. An export names its subject until that subject is erased; an erasure never does.

One module per part: `subject` (whom a request is about), `export`, `erase`, `state` (the adapters' hooks) and `log`.
"""

from moderation.privacy.erase import ErasurePlan, empty_write_ahead_log, erase_person, without_reporters_words
from moderation.privacy.export import export_person
from moderation.privacy.log import ERASED, privacy_log
from moderation.privacy.subject import UnknownPerson

__all__ = [
    "ERASED",
    "ErasurePlan",
    "UnknownPerson",
    "empty_write_ahead_log",
    "erase_person",
    "export_person",
    "privacy_log",
    "without_reporters_words",
]
