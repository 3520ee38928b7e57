"""Benchmark: labutils' training loop against the report's recipe, on the same data and machine.

    python benchmarks/bench_training.py [--epochs 3] [--threads 1] [--skip-script-check]

Prints, for each of the five experiments, seconds per epoch of a baseline written to the
report's recipe (per-image ToTensor + Normalize through a DataLoader, the report's
train/test loop; ``report_recipe.py``) and of ``labutils.fit``, their ratio, and whether
every per-epoch metric agrees exactly; then the wall time and peak memory of the whole
course's training (five experiments, 15 epochs, side by side in one-thread processes)
and of the smoke course; then, unless skipped, labutils at torch's default of two
threads for 15 epochs against the report's script run as written at two threads.
A script that prints figures, not a test: timings on shared machines are noisy.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report_recipe import run_report_recipe  # noqa: E402

import labutils as lab  # noqa: E402
from labutils.runner import MODES  # noqa: E402

def ours(name: str, data: lab.MNIST, epochs: int, threads: int):
    run = lab.run_experiment(name, data, lab.TrainConfig(epochs=epochs, num_threads=threads), progress=False)
    rows = [(e.train_loss, e.train_loss_report, e.train_acc, e.test_loss, e.test_acc, e.lr) for e in run.history.epochs]
    return rows, [e.seconds for e in run.history.epochs]


def one_experiment(name: str, params: dict, root: str) -> float:
    """Worker: train one experiment in this process with one thread; returns its wall seconds."""
    start = time.perf_counter()
    cfg = lab.TrainConfig(**params, num_threads=1)
    lab.run_experiment(name, lab.load_mnist(root, download=False), cfg, progress=False)
    return time.perf_counter() - start


def course_wall(params: dict, root: str, jobs: int) -> tuple[float, float]:
    """Wall seconds to train all five experiments in ``jobs`` processes, and their peak RSS in MiB."""
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:  # longest first
        order = sorted(lab.EXPERIMENTS, key=lambda n: -len(lab.EXPERIMENTS[n].hidden))
        list(pool.map(one_experiment, order, [params] * 5, [root] * 5))
    return time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs per loop in the per-epoch comparison")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for the per-epoch comparison")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for the course timing")
    parser.add_argument("--skip-script-check", action="store_true")
    parser.add_argument("--data-root", default=None, help="default: $LABUTILS_DATA_ROOT")
    args = parser.parse_args()
    root = str(lab.data.resolve_data_root(args.data_root))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"torch {torch.__version__}, torchvision {__import__('torchvision').__version__}, "
          f"Python {platform.python_version()}; {args.threads} torch thread(s) per loop; "
          f"{args.epochs} epochs each, no shuffle, seed 1")
    torch.set_num_threads(args.threads)
    data = lab.load_mnist(root, download=False)
    print(f"\n{'experiment':<17}{'report recipe s/epoch':>22}{'labutils s/epoch':>18}{'ratio':>8}  identical metrics")
    for name in lab.EXPERIMENTS:
        base = run_report_recipe(lab.EXPERIMENTS[name], root, epochs=args.epochs)
        rows, secs = ours(name, data, args.epochs, args.threads)
        b = sum(r[-1] for r in base) / len(base)
        o = sum(secs) / len(secs)
        same = rows == [r[:-1] for r in base]
        print(f"{name:<17}{b:>22.2f}{o:>18.3f}{b / o:>7.1f}x  {'yes, every epoch' if same else 'NO'}")
    for name in ("sigmoid_1h", "relu_deep_bn"):
        cfg = lab.TrainConfig(epochs=args.epochs, num_threads=args.threads)
        on = lab.run_experiment(name, data, cfg, diagnostics=True, progress=False).history.column("seconds")
        off = lab.run_experiment(name, data, cfg, diagnostics=False, progress=False).history.column("seconds")
        print(f"gradient-flow probe cost, {name}: {100 * (sum(on) / sum(off) - 1):+.1f} % per epoch")
    for mode in ("full", "smoke"):
        params = MODES[mode]["params"]
        wall, rss = course_wall(params, root, args.jobs)
        print(f"\n{mode} course training (five experiments, {params or 'report settings'}), "
              f"{args.jobs} processes x 1 thread: {wall:.1f} s wall; peak memory per process {rss:.0f} MiB")
    print(f"peak memory of this process (data + the comparison loops): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if args.skip_script_check:
        return
    print("\nlabutils at torch's default 2 threads, 15 epochs, vs the report's script as written (2 threads):")
    for name in lab.EXPERIMENTS:
        rows, _ = ours(name, data, 15, 2)
        got, want = rows[-1][4], lab.EXPERIMENTS[name].script_test_acc  # the script ran with 2 threads
        print(f"  {name:<17} labutils {100 * got:.2f} %   script {100 * want:.2f} %   "
              f"{'same' if round(got, 4) == want else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
