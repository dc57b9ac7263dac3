"""`schoolwacht model download | check | export-onnx`: install the ML tier's model once, verify it offline.

The school's server has no internet. An admin runs `download` on a machine that has it: it fills a cache folder
through detoxify's own download path, verifies the checkpoint, writes SHA256SUMS and a tarball. On the server:
`tar -xzf <tarball> -C <model_dir>`, then `schoolwacht model check` (offline) and optionally `export-onnx`.

Exit codes: 0 fine; 1 the model is missing, damaged or does not load; 2 a mistake in the command or settings.
"""

from __future__ import annotations

import tarfile
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from moderation.classify.config import MLBackend, MLConfig
from moderation.classify.ml.cache import CHECKSUMS_FILE, verify_checkpoint, verify_checksums, write_checksums
from moderation.classify.ml.errors import ModelError, ModelIntegrityError, ModelMissingError

model_app = typer.Typer(help="The optional ML tier's model: download, check, export to ONNX.", no_args_is_help=True)

ModelOption = Annotated[str | None, typer.Option("--model", "-m", help="detoxify model: multilingual, original, …")]
DirOption = Annotated[Path | None, typer.Option("--dir", "-d", help="The model cache folder (classifier.model_dir).")]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", envvar="SCHOOLWACHT_CONFIG", help="Take model and folder from here.")
]
SAMPLE = "Hoe laat begint de les morgen?"


class UsageError(Exception):
    """A mistake in the command line or settings: exit code 2."""


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _ml_config(config: Path | None, model: str | None, folder: Path | None, backend: MLBackend | None) -> MLConfig:
    """Settings file (if given) first, then the options on top; defaults are MLConfig's."""
    base = MLConfig(backend="detoxify")  # these commands manage the downloadable models, not the embedded e5
    if config is not None:
        from bot.app import classifier_config
        from bot.settings import SettingsError, load_settings

        try:
            configured = classifier_config(load_settings(config)).ml
        except SettingsError as error:
            raise UsageError(str(error)) from error
        base = configured if configured is not None else base
    changes: dict[str, object] = {}
    if model is not None:
        changes["model"] = model
    if folder is not None:
        changes["cache_dir"] = folder
    if backend is not None:
        changes["backend"] = backend
    return replace(base, **changes)  # type: ignore[arg-type]


def write_tarball(cache_dir: Path, tarball: Path) -> int:
    """Pack the cache folder (links kept as links, lock files left out); returns the number of files packed."""
    count = 0

    def keep(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        nonlocal count
        if any(part.startswith(".") for part in Path(info.name).parts):
            return None  # huggingface_hub's .locks and .no_exist, half-written exports
        count += info.isfile()
        return info

    tarball.parent.mkdir(parents=True, exist_ok=True)
    partial = tarball.with_name(tarball.name + ".partial")
    with tarfile.open(partial, "w:gz") as archive:
        for child in sorted(cache_dir.iterdir()):
            if not child.name.startswith("."):
                archive.add(child, arcname=child.name, filter=keep)
    partial.replace(tarball)
    return count


def package(cache_dir: Path, tarball: Path) -> None:
    """The offline half of `download`: checksums of every file, printed and saved, then the tarball."""
    lines = write_checksums(cache_dir)
    for digest, name in lines:
        typer.echo(f"{digest}  {name}")
    count = write_tarball(cache_dir, tarball)
    typer.echo(f"wrote {tarball} ({count} files, {tarball.stat().st_size / 1e6:.1f} MB)")
    typer.echo(f"on the server: tar -xzf {tarball.name} -C <classifier.model_dir>; then: schoolwacht model check")


@model_app.command()
def download(
    model: ModelOption = None,
    folder: DirOption = None,
    tarball: Annotated[Path | None, typer.Option(help="Where to write the tarball.")] = None,
    config: ConfigOption = None,
) -> None:
    """(Needs internet.) Fetch the model through detoxify's own path, verify it, write checksums and a tarball."""
    try:
        ml = _ml_config(config, model, folder, "detoxify")
        ml.cache_dir.mkdir(parents=True, exist_ok=True)
        from moderation.classify.ml.detoxify_backend import TorchScorer, checkpoint_path, load_detoxify

        # detoxify's own path downloads the checkpoint into TORCH_HOME and the config/tokenizer into HF_HOME.
        detox = load_detoxify(ml.cache_dir, ml.model, offline=False)
        checkpoint = checkpoint_path(ml.cache_dir, ml.model)
        try:
            verify_checkpoint(checkpoint)  # what the server checks; a bad download fails here, not there
        except ModelIntegrityError:
            checkpoint.unlink()  # so that the next attempt downloads it afresh
            raise
        TorchScorer(detox)([SAMPLE])
        package(ml.cache_dir, tarball or Path(f"schoolwacht-model-{ml.model}.tar.gz"))
    except UsageError as error:
        raise _fail(str(error), 2) from error
    except (ModelError, OSError) as error:
        raise _fail(str(error), 1) from error


@model_app.command()
def check(
    model: ModelOption = None,
    folder: DirOption = None,
    backend: Annotated[MLBackend | None, typer.Option(help="Which backend to check.")] = None,
    config: ConfigOption = None,
) -> None:
    """(Offline.) Verify the installed model: files and checksums, the checkpoint hash, loading, one prediction."""
    from moderation.classify.ml.loader import load_ml_tier

    try:
        ml = _ml_config(config, model, folder, backend)
        if not ml.cache_dir.is_dir() and ml.backend != "hf":
            raise UsageError(f"model folder {ml.cache_dir} does not exist (see `schoolwacht model download`)")
        problems = verify_checksums(ml.cache_dir)
        for problem in problems:
            typer.echo(f"{CHECKSUMS_FILE}: {problem}", err=True)
        if problems:
            raise _fail(f"{len(problems)} file(s) in {ml.cache_dir} differ from {CHECKSUMS_FILE}; copy them again", 1)
        tier = load_ml_tier(ml)
        if tier is None:
            raise ModelMissingError(f"no {ml.backend} model {ml.model!r} installed in {ml.cache_dir} (see the warning)")
        try:
            (scores,) = tier.predict([SAMPLE])
        finally:
            tier.close()
    except UsageError as error:
        raise _fail(str(error), 2) from error
    except ModelError as error:
        raise _fail(str(error), 1) from error
    shown = ", ".join(f"{category}={value:.3f}" for category, value in sorted(scores.items()))
    typer.echo(f"ok: {tier.name} loads offline; {SAMPLE!r} -> {shown}")


@model_app.command("export-onnx")
def export_onnx_command(
    model: ModelOption = None,
    folder: DirOption = None,
    tolerance: Annotated[float, typer.Option(min=0.0, max=1.0, help="Largest allowed difference per label.")] = 0.02,
    config: ConfigOption = None,
) -> None:
    """(Offline.) Export the installed detoxify model to ONNX int8; refused unless it agrees with torch."""
    from moderation.classify.ml.onnx_export import export_onnx

    try:
        ml = _ml_config(config, model, folder, "detoxify")
        if not ml.cache_dir.is_dir():
            raise UsageError(f"model folder {ml.cache_dir} does not exist (see `schoolwacht model download`)")
        report = export_onnx(ml.cache_dir, ml.model, tolerance=tolerance)
    except UsageError as error:
        raise _fail(str(error), 2) from error
    except ModelError as error:
        raise _fail(str(error), 1) from error
    typer.echo(
        f"wrote {report.folder} ({report.size_bytes / 1e6:.1f} MB, {report.quantisation}); largest difference from "
        f"torch over {report.samples} sample texts: {report.max_abs_diff:.4f} (allowed {tolerance})"
    )
    typer.echo('use it with: [classifier] ml_backend = "onnx"')
