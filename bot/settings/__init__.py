"""Typed settings from one TOML file (`schoolwacht.toml`); secrets only from the environment or `*_FILE` paths.

Unknown keys and wrong types are errors that name the key and the file. One module per part of the file: `common`
(strict models, the error), `database`, `running` ([bot], [classifier], [review]), `platforms` ([matrix], [discord],
[zermelo]), `roster`, `rooms`, and `file` (the whole file and loading it).
"""

from bot.settings.common import SettingsError
from bot.settings.file import Settings, load_settings, settings_from_dict
from bot.settings.platforms import DiscordSettings, MatrixSettings, ZermeloSettings
from bot.settings.rooms import WEEKDAY, RoomSettings, parse_window

__all__ = [
    "WEEKDAY",
    "DiscordSettings",
    "MatrixSettings",
    "RoomSettings",
    "Settings",
    "SettingsError",
    "ZermeloSettings",
    "load_settings",
    "parse_window",
    "settings_from_dict",
]
