"""`schoolwacht model ...` on the tiny detoxify model, offline: check, export-onnx, and download's packaging half.

(`download`'s first half needs internet; it is detoxify's own download path, which this machine cannot reach.)
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli_model import model_app, package
from moderation.classify.ml.cache import CHECKSUMS_FILE, onnx_dir, verify_checksums
from tests.moderation.classify.ml import conftest as ml_fixtures
from tests.moderation.classify.ml.conftest import Installed
from tests.support.tiny_models import use_cache

# The ML tier's fixtures (tiny models built once per session, network blocked) serve these tests too.
built_models = ml_fixtures.built_models
installed = ml_fixtures.installed
network_attempts = ml_fixtures.network_attempts

runner = CliRunner()


def _args(installed: Installed, *extra: str) -> list[str]:
    return ["--model", installed.cache.model, "--dir", str(installed.cache.cache_dir), *extra]


def test_check_loads_the_installed_model_and_predicts(installed: Installed) -> None:
    result = runner.invoke(model_app, ["check", *_args(installed)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"ok: detoxify-{installed.cache.model} loads offline")
    assert "threat=" in result.output


def test_check_the_onnx_backend(installed: Installed) -> None:
    result = runner.invoke(model_app, ["check", *_args(installed, "--backend", "onnx")])
    assert result.exit_code == 0, result.output
    assert "onnx-int8" in result.output


def test_check_a_missing_model_is_one_line_and_exit_1(installed: Installed) -> None:
    installed.cache.checkpoint.unlink()
    result = runner.invoke(model_app, ["check", *_args(installed)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: no detoxify model {installed.cache.model!r} installed in {installed.cache.cache_dir} (see the warning)"
    ]


def test_check_a_damaged_checkpoint_exit_1(installed: Installed) -> None:
    installed.cache.checkpoint.write_bytes(installed.cache.checkpoint.read_bytes()[:1000])
    result = runner.invoke(model_app, ["check", *_args(installed)])
    assert result.exit_code == 1
    assert "damaged or not the published file" in result.output
    assert "Traceback" not in result.output


def test_check_a_folder_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(model_app, ["check", "--dir", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_export_onnx_reports_its_agreement(installed: Installed) -> None:
    result = runner.invoke(model_app, ["export-onnx", *_args(installed)])
    assert result.exit_code == 0, result.output
    assert "largest difference from torch" in result.output


def test_export_onnx_refuses_when_agreement_is_impossible_and_keeps_the_old_export(installed: Installed) -> None:
    manifest = onnx_dir(installed.cache.cache_dir, installed.cache.model) / "manifest.json"
    before = manifest.read_bytes()
    result = runner.invoke(model_app, ["export-onnx", *_args(installed, "--tolerance", "0")])
    assert result.exit_code == 1
    assert "export refused" in result.output
    assert manifest.read_bytes() == before


def test_download_packaging_gives_a_tarball_that_checks_out_on_the_server(
    installed: Installed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tarball = tmp_path / "out" / "model.tar.gz"
    package(installed.cache.cache_dir, tarball)
    printed = capsys.readouterr().out
    assert installed.cache.checkpoint.name in printed  # the checksums are printed for the admin
    server = tmp_path / "server-models"
    with tarfile.open(tarball) as archive:
        archive.extractall(server, filter="data")
    assert verify_checksums(server) == []
    use_cache(server, monkeypatch)  # the server's own process points at its own folder
    result = runner.invoke(model_app, ["check", "--model", installed.cache.model, "--dir", str(server)])
    assert result.exit_code == 0, result.output


def test_check_names_files_that_differ_from_the_checksums(installed: Installed) -> None:
    package(installed.cache.cache_dir, installed.cache.cache_dir.parent / "m.tar.gz")
    tokenizer = next((installed.cache.cache_dir / "HF_HOME").rglob("tokenizer.json"))
    tokenizer.write_text(tokenizer.read_text() + " ")
    result = runner.invoke(model_app, ["check", *_args(installed)])
    assert result.exit_code == 1
    assert f"{CHECKSUMS_FILE}: HF_HOME/" in result.output
    assert "tokenizer.json: checksum differs" in result.output


def test_check_takes_backend_model_and_folder_from_the_settings_file(installed: Installed, tmp_path: Path) -> None:
    settings = tmp_path / "schoolwacht.toml"
    settings.write_text(
        f'[classifier]\nml_backend = "onnx"\nmodel = "{installed.cache.model}"\n'
        f'model_dir = "{installed.cache.cache_dir}"\n'
    )
    result = runner.invoke(model_app, ["check", "--config", str(settings)])
    assert result.exit_code == 0, result.output
    assert f"ok: onnx-int8-{installed.cache.model}" in result.output


def test_a_bad_settings_file_is_a_usage_error(tmp_path: Path) -> None:
    settings = tmp_path / "schoolwacht.toml"
    settings.write_text("[classifier]\nmodle = 'typo'\n")
    result = runner.invoke(model_app, ["check", "--config", str(settings)])
    assert result.exit_code == 2
    assert "modle" in result.output
