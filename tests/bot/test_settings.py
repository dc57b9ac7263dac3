from __future__ import annotations

from pathlib import Path

import pytest

from adapters.base import AdapterConfigError
from adapters.secrets import read_secret
from bot.settings import SettingsError, load_settings, settings_from_dict
from moderation.model import Category


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schoolwacht.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_written_by_init_is_valid() -> None:
    from importlib import resources

    text = resources.files("bot").joinpath("example.toml").read_text(encoding="utf-8")
    import tomllib

    settings = settings_from_dict(tomllib.loads(text))
    assert settings.matrix is not None
    assert {r.kind for r in settings.rooms} == {"announcement", "class"}


def test_malformed_toml_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[bot]\nplatforms = ["console"\ndry_run = true\n')
    with pytest.raises(SettingsError, match=r"schoolwacht\.toml: not valid TOML.*line"):
        load_settings(path)


def test_unknown_key_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "[bot]\ndry_rnu = true\n")
    with pytest.raises(SettingsError, match=r"schoolwacht\.toml: unknown key 'bot\.dry_rnu'"):
        load_settings(path)


def test_wrong_type_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, '[[rooms]]\nplatform = "matrix"\nid = "!a:b"\nname = "x"\nkind = "announcment"\n')
    with pytest.raises(SettingsError, match=r"rooms\.0\.kind"):
        load_settings(path)


def test_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="schoolwacht init"):
        load_settings(tmp_path / "nope.toml")


def test_password_in_the_toml_is_refused() -> None:
    with pytest.raises(SettingsError, match="SCHOOLWACHT_DATABASE_URL"):
        settings_from_dict({"database": {"url": "postgresql://bot:hunter2@db/school"}})


def test_thresholds_out_of_range_and_duplicate_rooms() -> None:
    with pytest.raises(SettingsError, match="threshold for insult"):
        settings_from_dict({"thresholds": {"default": {"insult": 1.5}}})
    room = {"platform": "console", "id": "a", "name": "a", "kind": "class"}
    with pytest.raises(SettingsError, match="listed twice"):
        settings_from_dict({"rooms": [room, room]})


def test_thresholds_layer_default_then_kind_then_room() -> None:
    settings = settings_from_dict(
        {
            "thresholds": {"default": {"insult": 0.6, "threat": 0.4}, "class": {"insult": 0.7}},
            "rooms": [{"platform": "console", "id": "a", "name": "a", "kind": "class", "thresholds": {"threat": 0.3}}],
        }
    )
    assert settings.room_thresholds(settings.rooms[0]) == {Category.INSULT: 0.7, Category.THREAT: 0.3}


def test_secrets_from_env_or_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "token"
    secret_file.write_text("s3cret\n", encoding="utf-8")
    assert read_secret("X_TOKEN", {"X_TOKEN": "direct"}) == "direct"
    assert read_secret("X_TOKEN", {"X_TOKEN_FILE": str(secret_file)}) == "s3cret"
    assert read_secret("X_TOKEN", {}) is None
    with pytest.raises(AdapterConfigError, match="X_TOKEN_FILE: cannot read"):
        read_secret("X_TOKEN", {"X_TOKEN_FILE": str(tmp_path / "missing")})
    with pytest.raises(AdapterConfigError, match="not both"):
        read_secret("X_TOKEN", {"X_TOKEN": "a", "X_TOKEN_FILE": str(secret_file)})


def test_database_url_from_env_or_file_never_both_and_relative_sqlite_is_beside_the_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[database]\nurl = "sqlite:///data/sw.sqlite3"\n'))
    assert settings.database_url({}) == f"sqlite:///{tmp_path / 'data' / 'sw.sqlite3'}"
    assert (tmp_path / "data").is_dir()
    pg = "postgresql://bot:pw@db/school"
    with pytest.raises(SettingsError, match=r"set twice: SCHOOLWACHT_DATABASE_URL\(_FILE\) and \[database\] url"):
        settings.database_url({"SCHOOLWACHT_DATABASE_URL": pg})  # the file's url is never silently overridden
    without_url = load_settings(write(tmp_path, "[bot]\n"))
    assert without_url.database_url({"SCHOOLWACHT_DATABASE_URL": pg}) == pg
    secret = tmp_path / "db-url"
    secret.write_text(pg + "\n", encoding="utf-8")
    assert without_url.database_url({"SCHOOLWACHT_DATABASE_URL_FILE": str(secret)}) == pg


def test_relative_paths_are_relative_to_the_settings_file(tmp_path: Path) -> None:
    from bot.app import classifier_config

    settings = load_settings(write(tmp_path, '[classifier]\nmodel_dir = "models"\nlexicon_files = ["/abs/x.toml"]\n'))
    config = classifier_config(settings)
    assert config.ml is not None and config.ml.cache_dir == tmp_path / "models"
    assert config.lexicon_files == (Path("/abs/x.toml"),)
