from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from bot.secrets import SecretError, read_secret
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
    with pytest.raises(SecretError, match="X_TOKEN_FILE: cannot read"):
        read_secret("X_TOKEN", {"X_TOKEN_FILE": str(tmp_path / "missing")})
    with pytest.raises(SecretError, match="not both"):
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


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "sqllite:///var/x.sqlite3",
            "database.url: unknown database 'sqllite'; schoolwacht works with sqlite and postgresql",
        ),
        ("var/x.sqlite3", "database.url: 'var/x.sqlite3' is not a database URL; write e.g. sqlite:///var/x.sqlite3"),
        ("postgresql://bot@db:notaport/school", "database.url: not a valid database URL"),
    ],
)
def test_a_malformed_database_url_is_one_line_naming_the_setting(tmp_path: Path, url: str, expected: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(write(tmp_path, f'[database]\nurl = "{url}"\n'))
    assert expected in str(caught.value) and "\n" not in str(caught.value)
    without_url = load_settings(write(tmp_path, "[bot]\n"))
    with pytest.raises(SettingsError, match="SCHOOLWACHT_DATABASE_URL: "):
        without_url.database_url({"SCHOOLWACHT_DATABASE_URL": url})


def test_a_time_zone_is_checked_at_load_with_the_valid_form(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(write(tmp_path, '[bot]\ntimezone = "Amsterdam"\n'))
    assert "bot.timezone: 'Amsterdam' is not a time zone; use the Area/City form, e.g. \"Europe/Amsterdam\"" in str(
        caught.value
    )


def test_a_password_in_the_file_points_to_the_environment_variable(tmp_path: Path) -> None:
    text = '[matrix]\nhomeserver = "https://m.example"\nuser_id = "@bot:m.example"\npassword = "geheim"\n'
    with pytest.raises(
        SettingsError,
        match=r"matrix.password: secrets do not go in the settings file; set "
        r"SCHOOLWACHT_MATRIX_PASSWORD \(or SCHOOLWACHT_MATRIX_PASSWORD_FILE\)",
    ):
        load_settings(write(tmp_path, text))


_DATABASE_URL_OF = """
import sys
from pathlib import Path
from bot.settings import SettingsError, load_settings
try:
    load_settings(Path(sys.argv[1])).database_url({})
except SettingsError as error:
    print(error)
"""


def _database_url_error(settings_file: Path, read_only: Path) -> str:
    """The error for the settings' database URL, with `read_only` not writable for the process that checks it.

    A folder's mode does not stop root, so as root the check runs in its own user and mount namespace with a
    read-only file system mounted on the folder (what a read-only volume in a container is)."""
    repo = Path(__file__).parents[2]
    command = [sys.executable, "-c", _DATABASE_URL_OF, str(settings_file)]
    if os.geteuid() == 0:
        mount = f"mount -t tmpfs -o ro none {shlex.quote(str(read_only))} && exec " + shlex.join(command)
        command = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", mount]
    else:
        read_only.chmod(0o555)
    env = {**os.environ, "PYTHONPATH": str(repo)}
    run = subprocess.run(command, capture_output=True, text=True, check=True, cwd=repo, env=env)
    return run.stdout + run.stderr


def test_a_read_only_database_folder_is_named_as_a_permission_problem(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    settings_file = write(tmp_path, '[database]\nurl = "sqlite:///ro/db.sqlite3"\n')
    try:
        error = _database_url_error(settings_file, folder)
    finally:
        folder.chmod(0o755)
    assert re.search(rf"{folder} is not writable .* \(a permission problem", error), error


def test_data_paths_go_to_the_data_folder_and_own_files_stay_beside_the_settings(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    settings = load_settings(write(config, '[classifier]\nlexicon_files = ["eigen.toml"]\n'))
    data = {"SCHOOLWACHT_DATA_DIR": str(tmp_path / "data")}
    assert settings.resolve_path(Path("var/models"), data) == tmp_path / "data" / "var" / "models"
    assert settings.database_url(data) == f"sqlite:///{tmp_path / 'data' / 'var' / 'schoolwacht.sqlite3'}"
    assert settings.config_path(Path("eigen.toml")) == config / "eigen.toml"
    assert settings.resolve_path(Path("var/models"), {}) == config / "var" / "models"


def test_roster_settings_become_import_options(tmp_path: Path) -> None:
    text = (
        '[roster]\nleadership = ["DIR"]\nencoding = "windows-1252"\nmax_removed_share = 0.1\n'
        '[roster.columns]\n"Nr. leerling" = "student_id"\n[roster.accounts]\nmatrix = "@{gebruikersnaam}:school.nl"\n'
    )
    options = load_settings(write(tmp_path, text)).roster.options()
    assert options.encoding == "cp1252" and options.leadership == frozenset({"DIR"})
    assert options.columns == {"Nr. leerling": "student_id"} and options.max_removed_share == 0.1
    with pytest.raises(SettingsError, match=r"roster\.accounts: .*names no column"):
        load_settings(write(tmp_path, '[roster.accounts]\nmatrix = "@bot:school.nl"\n'))
    with pytest.raises(SettingsError, match=r"roster\.columns\.Coach"):
        load_settings(write(tmp_path, '[roster.columns]\nCoach = "mentorr"\n'))


def test_a_database_folder_that_cannot_be_made_is_a_permission_problem_with_the_absolute_path(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[database]\nurl = "sqlite:////sys/schoolwacht/db.sqlite3"\n'))
    with pytest.raises(
        SettingsError, match=r"cannot create the database folder /sys/schoolwacht: .*a permission problem"
    ):
        settings.database_url({})
