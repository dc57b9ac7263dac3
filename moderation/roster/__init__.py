"""The roster a school exports from its student information system (Magister, SOMtoday, a spreadsheet): read,
checked as a whole, and stored. A bad set of files imports nothing."""

from moderation.roster.columns import FileKind
from moderation.roster.errors import RosterError
from moderation.roster.importer import FileReport, Roster, parse_roster, read_roster
from moderation.roster.options import RosterOptions
from moderation.roster.store import ImportResult, Listed, TooManyRemovals, store_roster

__all__ = [
    "FileKind",
    "FileReport",
    "ImportResult",
    "Listed",
    "Roster",
    "RosterError",
    "RosterOptions",
    "TooManyRemovals",
    "parse_roster",
    "read_roster",
    "store_roster",
]
