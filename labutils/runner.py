"""Run the whole course: ``python -m labutils.runner [--mode full|smoke] [-p name=value ...]``.

Stages, each spread over ``--jobs`` worker processes with one torch thread each
(two processes that each spin two threads on two cores run several times slower):

1. the seed sweep: every experiment at seeds 2..1+N (``--seeds N``), as run records
   in ``<runs>/seeds/``; their spread becomes the self-check's reference bands;
2. the notebooks that train (the data tour and the five labs), executed with
   papermill into ``--out`` and writing their run records to ``--runs``;
3. the notebooks that read the records (gradients, results).

A failing notebook is reported with its name and failing cell, never stops or
erases the others (its partial output goes to ``build/<mode>/failed/``, logs to ``build/<mode>/logs/``), and makes the
exit status 1.  Executed notebooks replace the old ones only when complete.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import ParameterError, TrainConfig
from .experiments import EXPERIMENTS, N_TRAIN

MODES: dict[str, dict[str, Any]] = {
    "full": {"params": {}, "seeds": 4, "out": "book/notebooks", "runs": "book/runs"},
    "smoke": {"params": {"epochs": 1, "train_subset": 2000}, "seeds": 2,
              "out": "build/smoke/notebooks", "runs": "build/smoke/runs"},
}
# One thread per process, no progress bars, and the CPU even where a GPU exists: the book's
# numbers are CPU numbers, and nbval must reproduce them on any machine.
KERNEL_ENV = {"CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MKL_DYNAMIC": "FALSE",
              "TQDM_DISABLE": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


@dataclass
class Outcome:
    name: str
    ok: bool
    seconds: float
    detail: str = ""


def parse_value(text: str) -> Any:
    """``-p`` values: Python literals (``3``, ``0.01``, ``True``, ``None``, ``'x'``), else the plain string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse_params(items: list[str]) -> dict[str, Any]:
    params = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ParameterError(f"-p expects name=value, got {item!r}")
        params[name.strip()] = parse_value(value.strip())
    return params


def notebook_parameters(path: Path) -> dict[str, Any]:
    """Names and default values of a notebook's ``parameters`` cell."""
    import papermill

    return {name: p["default"] for name, p in papermill.inspect_notebook(str(path)).items()}


def needs_records(path: Path) -> bool:
    return json.loads(path.read_text()).get("metadata", {}).get("labutils", {}).get("needs_records", False)


def validate(params: dict[str, Any], notebooks: list[Path]) -> None:
    """Check ``-p`` overrides before anything runs: known names, valid training values."""
    known: set[str] = set()
    for nb in notebooks:
        known |= set(notebook_parameters(nb))
    unknown = sorted(set(params) - known)
    if unknown:
        raise ParameterError(f"unknown parameter(s) {unknown}; the notebooks take {sorted(known)}")
    TrainConfig.from_params(params).check_subset(N_TRAIN)
    if "experiment" in params and params["experiment"] not in EXPERIMENTS:
        raise ParameterError(f"experiment must be one of {list(EXPERIMENTS)}, got {params['experiment']!r}")


def execute(src: Path, out_dir: Path, work_dir: Path, params: dict[str, Any], env: dict[str, str]) -> Outcome:
    """Execute one notebook; replace ``out_dir/<name>`` only on success."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    os.environ.update(env)
    start = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    _log_to(work_dir / "logs" / f"{src.stem}.log")
    failed_dir = work_dir / "failed"
    accepted = notebook_parameters(src)
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{src.stem}.", suffix=".partial")
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; the executed notebook is for everyone
    try:
        papermill.execute_notebook(str(src), tmp, parameters={k: v for k, v in params.items() if k in accepted},
                                   cwd=str(out_dir), progress_bar=False, kernel_name="python3")
    except PapermillExecutionError as err:
        failed_dir.mkdir(parents=True, exist_ok=True)
        shutil.move(tmp, failed_dir / src.name)  # may be another file system
        return Outcome(src.stem, False, time.perf_counter() - start,
                       f"cell {err.exec_count} (index {err.cell_index}): {err.ename}: {err.evalue}")
    except Exception as err:  # kernel died, bad notebook JSON, ...
        Path(tmp).unlink(missing_ok=True)
        return Outcome(src.stem, False, time.perf_counter() - start, f"{type(err).__name__}: {err}")
    tidy(Path(tmp))
    os.replace(tmp, out_dir / src.name)
    return Outcome(src.stem, True, time.perf_counter() - start)


def tidy(path: Path) -> None:
    """Drop papermill's timings and machine paths from an executed notebook (kept: the parameters).

    Committed notebooks then change only where their content changes.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.metadata["papermill"] = {"parameters": nb.metadata.get("papermill", {}).get("parameters", {})}
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


def _log_to(path: Path) -> None:
    """Send this worker's (and its kernel's) stderr to ``path``: the console keeps one line per task."""
    import warnings

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    warnings.filterwarnings("ignore", message="The specified file .* does not end in")


def sweep_one(experiment: str, seed: int, params: dict[str, Any], runs_dir: Path, work_dir: Path,
              env: dict[str, str]) -> Outcome:
    """Train one experiment at one seed (no notebook) and write its record to ``runs_dir``."""
    os.environ.update(env)
    start = time.perf_counter()
    name = f"{experiment}-seed{seed}"
    _log_to(work_dir / "logs" / f"{name}.log")
    try:
        from .data import load_mnist
        from .experiments import run_experiment
        from .records import save_run

        cfg = TrainConfig.from_params(params).replace(seed=seed)
        run = run_experiment(experiment, load_mnist(params.get("data_root")), cfg, progress=False)
        save_run(run, runs_dir)
    except Exception as err:
        return Outcome(name, False, time.perf_counter() - start,
                       f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=3)}")
    return Outcome(name, True, time.perf_counter() - start)


def write_bands(runs_dir: Path, params: dict[str, Any], path: Path) -> Path:
    """Turn the sweep's records made with ``params`` into reference bands in ``path`` (other bands kept)."""
    from .records import load_records, write_json_atomic
    from .results import final_accuracies
    from .selfcheck import band_key, load_bands, make_band

    key = band_key(TrainConfig.from_params(params))
    records = {stem: r for stem, r in load_records(runs_dir).items()
               if band_key(TrainConfig.from_params(r["config"])) == key}
    bands = [b for b in load_bands(path) if b["params"] != key]
    for name in EXPERIMENTS:
        accs = final_accuracies(records, name)
        if accs:
            bands.append({"experiment": name, "params": key, **make_band(accs)})
    bands.sort(key=lambda b: (json.dumps(b["params"], sort_keys=True), list(EXPERIMENTS).index(b["experiment"])))
    return write_json_atomic(path, {"bands": bands})


def run_stage(title: str, tasks: list[tuple], jobs: int) -> list[Outcome]:
    """Run ``(function, *args)`` tasks in ``jobs`` processes, printing one line per finished task."""
    if not tasks:
        return []
    print(f"== {title}: {len(tasks)} task(s), {jobs} at a time", flush=True)
    outcomes = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(*task) for task in tasks]
        for future in as_completed(futures):
            o = future.result()
            outcomes.append(o)
            status = "ok    " if o.ok else "FAILED"
            print(f"  {status} {o.name:<24} {o.seconds:6.1f} s  {o.detail}".rstrip(), flush=True)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labutils.runner", description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=sorted(MODES), default="full",
                        help="full: the report's settings; smoke: 2000 images, 1 epoch")
    parser.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                        help="override a notebook parameter, e.g. -p lr=0.01 (repeatable)")
    parser.add_argument("--only", nargs="+", default=None, metavar="NOTEBOOK",
                        help="run only these notebooks (file stems); skips the sweep unless --seeds is given")
    parser.add_argument("--seeds", type=int, default=None, help="extra seeds per experiment in the sweep")
    parser.add_argument("--notebooks", default="notebooks", help="folder of the source notebooks")
    parser.add_argument("--out", default=None, help="folder for the executed notebooks")
    parser.add_argument("--runs", default=None, help="folder for the run records")
    parser.add_argument("--bands", default=None,
                        help="reference-bands file the sweep updates (default: the one labutils ships)")
    parser.add_argument("--work", default=None, help="folder for logs and failed notebooks (default build/<mode>)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    args = parser.parse_args(argv)
    mode = MODES[args.mode]
    try:
        overrides = parse_params(args.param)
        params = {**mode["params"], **overrides}
        sources = sorted(Path(args.notebooks).glob("*.ipynb"))
        if not sources:
            raise ParameterError(f"--notebooks {args.notebooks!r} holds no .ipynb files")
        if args.only:
            names = {p.stem for p in sources}
            unknown = sorted(set(args.only) - names)
            if unknown:
                raise ParameterError(f"--only: unknown notebook(s) {unknown}; choose from {sorted(names)}")
            sources = [p for p in sources if p.stem in args.only]
        if args.jobs < 1:
            raise ParameterError(f"--jobs must be >= 1, got {args.jobs}")
        seeds = args.seeds if args.seeds is not None else (0 if args.only else mode["seeds"])
        if seeds < 0:
            raise ParameterError(f"--seeds must be >= 0, got {seeds}")
        validate(params, sources)
    except ParameterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    out = Path(args.out or mode["out"]).resolve()
    runs = Path(args.runs or mode["runs"]).resolve()
    work = Path(args.work or Path("build", args.mode)).resolve()  # logs, partial output of failed notebooks
    env = {**KERNEL_ENV, "LABUTILS_RUNS_DIR": str(runs)}
    start = time.perf_counter()
    outcomes = run_stage("seed sweep", [
        (sweep_one, name, seed, params, runs / "seeds", work, env)
        for seed in range(2, 2 + seeds) for name in sorted(EXPERIMENTS, key=lambda n: -len(EXPERIMENTS[n].hidden))
    ], args.jobs)
    if seeds and all(o.ok for o in outcomes):
        from .selfcheck import BANDS_FILE

        print(f"  reference bands -> {write_bands(runs / 'seeds', params, Path(args.bands or BANDS_FILE))}")
    for stage, wanted in (("notebooks that train", False), ("notebooks that read the records", True)):
        outcomes += run_stage(stage, [(execute, p, out, work, params, env)
                                      for p in sources if needs_records(p) == wanted], args.jobs)
    bad = [o for o in outcomes if not o.ok]
    print(f"== {len(outcomes) - len(bad)} ok, {len(bad)} failed in {time.perf_counter() - start:.1f} s; "
          f"notebooks in {out}, records in {runs}")
    for o in bad:
        print(f"FAILED {o.name}: {o.detail}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
