"""Run records: one JSON file per run, read by the results chapter, the benchmarks and CI.

A record holds the experiment, every parameter, library versions, the machine,
the code version, the per-epoch metrics and diagnostics, and the wall time.
Records are written atomically (a temporary file, then ``os.replace``), so a
killed run never leaves half a JSON behind.  They live in ``runs_dir``: the
argument, else ``$LABUTILS_RUNS_DIR``, else ``./runs``; the book's are in
``book/runs/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

import torch

from .config import TrainConfig
from .experiments import Run
from .models import build_model

SCHEMA = 1
RUNS_DIR_ENV = "LABUTILS_RUNS_DIR"


def resolve_runs_dir(runs_dir: str | os.PathLike | None = None) -> Path:
    """Where records go: the argument, else ``$LABUTILS_RUNS_DIR``, else ``./runs``."""
    return Path(runs_dir or os.environ.get(RUNS_DIR_ENV) or "runs").expanduser()


def records_subdir(runs_dir: str | os.PathLike | None, name: str) -> Path:
    """A subfolder of the runs folder, e.g. ``seeds`` for the seed sweep's records."""
    return resolve_runs_dir(runs_dir) / name


def code_version() -> str:
    """A short hash of labutils' own source files: records made by different code differ here."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def versions() -> dict[str, str]:
    import torchvision

    return {"python": platform.python_version(), "torch": torch.__version__,
            "torchvision": torchvision.__version__, "labutils": code_version()}


def machine() -> dict[str, Any]:
    return {"platform": platform.platform(), "processor": platform.machine(),
            "cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads()}


def make_record(run: Run) -> dict[str, Any]:
    """The JSON-ready record of ``run``."""
    h = run.history
    return {
        "schema": SCHEMA,
        "experiment": run.experiment.name,
        "title": run.experiment.title,
        "config": run.cfg.as_dict(),
        "status": h.status,
        "message": h.message,
        "device": run.device,
        "versions": versions(),
        "code_version": code_version(),
        "machine": machine(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "wall_seconds": run.wall_seconds,
        "history": h.as_dicts(),
        "diagnostics": h.diagnostics,
    }


def record_name(experiment: str, seed: int, default_seed: int = TrainConfig.seed) -> str:
    """File stem of a record: the experiment name, plus ``-seedN`` unless it is the report's seed."""
    return experiment if seed == default_seed else f"{experiment}-seed{seed}"


@contextmanager
def atomic_open(path: Path, mode: str = "w") -> Iterator[IO]:
    """A temporary file beside ``path`` that replaces ``path`` on success and is removed on any error.

    A run killed mid-write thus leaves the previous file intact and no half-written one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes it private; records and checkpoints are for everyone
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, obj: Any) -> Path:
    """Write ``obj`` as JSON to ``path`` atomically."""
    with atomic_open(path) as f:
        json.dump(obj, f, indent=1)
    return path


def save_run(run: Run, runs_dir: str | os.PathLike | None = None) -> Path:
    """Write ``run``'s record (and, if ``cfg.save_model``, its weights) to ``runs_dir``; returns the record path."""
    folder = resolve_runs_dir(runs_dir)
    stem = record_name(run.experiment.name, run.cfg.seed)
    if run.cfg.save_model:
        save_checkpoint(run, folder / f"{stem}.pt")
    return write_json_atomic(folder / f"{stem}.json", make_record(run))


def save_checkpoint(run: Run, path: Path) -> Path:
    """Save the trained weights with the architecture and config, atomically."""
    exp = run.experiment
    with atomic_open(path, "wb") as f:
        torch.save({"experiment": exp.name, "hidden": list(exp.hidden), "activation": exp.activation,
                    "batchnorm": exp.batchnorm, "config": run.cfg.as_dict(),
                    "state_dict": run.model.state_dict()}, f)
    return path


def load_checkpoint(path: str | os.PathLike) -> tuple[torch.nn.Module, dict[str, Any]]:
    """Rebuild the model saved by ``save_checkpoint``; returns ``(model in eval mode, checkpoint)``."""
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    model = build_model(ckpt["hidden"], ckpt["activation"], ckpt["batchnorm"])
    model.load_state_dict(ckpt["state_dict"])
    return model.eval(), ckpt


def load_record(path: str | os.PathLike) -> dict[str, Any]:
    with open(path) as f:
        return json.load(f)


def load_records(runs_dir: str | os.PathLike | None = None, pattern: str = "*.json") -> dict[str, dict[str, Any]]:
    """All records in ``runs_dir`` keyed by file stem (``sigmoid_1h``, ``relu_1h-seed3``, ...)."""
    folder = resolve_runs_dir(runs_dir)
    return {p.stem: load_record(p) for p in sorted(folder.glob(pattern))}


def config_mismatches(record: dict[str, Any], expected: TrainConfig, ignore=("seed", "save_model",
                      "log_interval", "device", "no_cuda")) -> dict[str, tuple[Any, Any]]:
    """Parameters where ``record`` differs from ``expected``: ``{name: (recorded, expected)}``."""
    want = asdict(expected)
    got = record.get("config", {})
    return {k: (got.get(k), v) for k, v in want.items() if k not in ignore and got.get(k) != v}


