"""Numbers for the pages: a run beside the report, the five runs side by side, seed statistics.

Tables are Markdown strings at fixed precision, so they render in the book and
nbval can compare them exactly.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from .config import TrainConfig
from .data import MNIST, denormalize
from .diagnostics import grad_ratio
from .experiments import EXPERIMENTS, Run
from .records import config_mismatches

METRICS = ("train_loss", "train_loss_report", "train_acc", "test_loss", "test_acc", "lr", "seconds")


def columns(history: Sequence[Mapping[str, Any]] | Any) -> dict[str, list[float]]:
    """Per-epoch columns from a record's ``history`` list or a ``training.History``."""
    rows = history.as_dicts() if hasattr(history, "as_dicts") else history
    return {m: [r[m] for r in rows] for m in METRICS}


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def compare_with_report(run: Run) -> str:
    """A table of ``run``'s last epoch beside the report's printed epoch 15 and the difference."""
    if run.history.final is None:
        return f"No epoch completed ({run.history.status}): nothing to compare. {run.history.message}"
    exp, final = run.experiment, asdict(run.history.final)
    rep = exp.report
    rows = [
        ("test accuracy", pct(final["test_acc"]), pct(rep.test_acc),
         f"{100 * (final['test_acc'] - rep.test_acc):+.2f} pp"),
        ("train accuracy", pct(final["train_acc"]), pct(rep.train_acc),
         f"{100 * (final['train_acc'] - rep.train_acc):+.2f} pp"),
        ("test loss (per sample)", f"{final['test_loss']:.4f}", f"{rep.test_loss:.4f}",
         f"{final['test_loss'] - rep.test_loss:+.4f}"),
        ("train loss, report's convention (sum of batch means / N)",
         f"{final['train_loss_report']:.4f}", f"{rep.train_loss_report:.4f}",
         f"{final['train_loss_report'] - rep.train_loss_report:+.4f}"),
        ("train loss (per sample)", f"{final['train_loss']:.4f}", "not printed", ""),
    ]
    return _table(("last epoch", "this run", "report (epoch 15)", "difference"), rows)


def results_table(records: Mapping[str, Mapping[str, Any]]) -> str:
    """The five experiments side by side against the report (and its script run on our CPU)."""
    rows = []
    for name, exp in EXPERIMENTS.items():
        if name not in records:
            rows.append((exp.title, "missing", pct(exp.report.test_acc), pct(exp.script_test_acc), "", ""))
            continue
        final = records[name]["history"][-1]
        rows.append((exp.title, pct(final["test_acc"]), pct(exp.report.test_acc),
                     pct(exp.script_test_acc),
                     f"{100 * (final['test_acc'] - exp.report.test_acc):+.2f} pp",
                     pct(final["train_acc"])))
    return _table(("experiment", "test acc (ours)", "test acc (report)", "report's script here",
                   "ours - report", "train acc (ours)"), rows)


def final_accuracies(records: Mapping[str, Mapping[str, Any]], experiment: str) -> list[float]:
    """Final test accuracy of every completed record of ``experiment`` (one per seed)."""
    return [r["history"][-1]["test_acc"] for r in records.values()
            if r["experiment"] == experiment and r["status"] == "completed" and r["history"]]


def spread(values: Sequence[float]) -> dict[str, float]:
    """Count, mean, sample standard deviation (0 for one value), min and max."""
    return {"n": len(values), "mean": statistics.fmean(values),
            "std": statistics.stdev(values) if len(values) > 1 else 0.0, "min": min(values), "max": max(values)}


def seed_stats(records: Mapping[str, Mapping[str, Any]], experiment: str) -> dict[str, float] | None:
    """Mean, std, min and max of the final test accuracy over all seeds of ``experiment``."""
    accs = final_accuracies(records, experiment)
    return spread(accs) if accs else None


def seed_table(records: Mapping[str, Mapping[str, Any]]) -> str:
    """Final test accuracy over seeds, per experiment, beside the report's single-seed number."""
    rows = []
    for name, exp in EXPERIMENTS.items():
        s = seed_stats(records, name)
        if s is None:
            rows.append((exp.title, "0", "", "", "", pct(exp.report.test_acc)))
            continue
        rows.append((exp.title, str(s["n"]), pct(s["mean"]), f"{100 * s['std']:.2f} pp",
                     f"{pct(s['min'])} - {pct(s['max'])}", pct(exp.report.test_acc)))
    return _table(("experiment", "seeds", "mean test acc", "std", "min - max", "report (seed 1)"), rows)


def compare_at_epoch(runs: Mapping[str, Run], epoch: int) -> str:
    """Metrics of several runs at the same ``epoch`` (or their last, if shorter), for exercises."""
    rows = []
    for label, run in runs.items():
        if not run.history.epochs:
            rows.append((label, "-", "-", "-", f"no epoch completed ({run.history.status})"))
            continue
        e = run.history.epochs[min(epoch, len(run.history.epochs)) - 1]
        rows.append((label, str(e.epoch), pct(e.train_acc), pct(e.test_acc), f"{e.test_loss:.4f}"))
    return _table(("run", "epoch", "train acc", "test acc", "test loss"), rows)


def class_table(data: MNIST) -> str:
    """Count and share of each digit in the training and test sets."""
    rows = []
    for digit in range(10):
        tr = int((data.train_labels == digit).sum())
        te = int((data.test_labels == digit).sum())
        rows.append((str(digit), str(tr), pct(tr / len(data.train_labels)), str(te),
                     pct(te / len(data.test_labels))))
    return _table(("digit", "train images", "train share", "test images", "test share"), rows)


def pixel_stats_table(data: MNIST) -> str:
    """Pixel mean and std of the training set before (in [0, 1]) and after normalization."""
    x = data.train_images
    raw = denormalize(x)
    rows = [("pixels / 255 (what ToTensor gives)", f"{raw.mean():.4f}", f"{raw.std():.4f}"),
            ("after Normalize((0.1307,), (0.3081,))", f"{x.mean():.4f}", f"{x.std():.4f}")]
    return _table(("training pixels", "mean", "std"), rows)


def check_records(records: Mapping[str, Mapping[str, Any]], expected: TrainConfig) -> str:
    """One line per experiment: its record is there, complete and made with ``expected``'s parameters.

    Records made with other parameters (a quick run, a changed learning rate) are
    flagged here instead of being mixed silently into the book's tables.
    """
    lines = []
    for name in EXPERIMENTS:
        rec = records.get(name)
        if rec is None:
            lines.append(f"{name}: MISSING (run its notebook)")
            continue
        diff = config_mismatches(rec, expected)
        problems = [f"{k}={got!r} (book: {want!r})" for k, (got, want) in diff.items()]
        if rec["status"] != "completed":
            problems.append(f"status {rec['status']}")
        lines.append(f"{name}: " + ("OK" if not problems else "DOES NOT MATCH THE BOOK: " + ", ".join(problems)))
    return "\n".join(lines)


def diagnostics_by_experiment(records: Mapping[str, Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """``{experiment: per-epoch probes}`` from the seed-1 records that have diagnostics."""
    return {name: records[name]["diagnostics"] for name in EXPERIMENTS
            if name in records and records[name].get("diagnostics")}


def grad_ratio_table(diag: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    """First-layer over last-layer gradient norm at initialization, after epoch 1 and at the end."""
    rows = []
    for name, probes in diag.items():
        picks = [probes[0], probes[min(1, len(probes) - 1)], probes[-1]]
        rows.append((EXPERIMENTS[name].title, *(f"{grad_ratio(p):.2e}" for p in picks)))
    return _table(("experiment", "at init", "after epoch 1", "after the last epoch"), rows)


def activation_table(diag: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    """Per experiment at initialization and at the end: saturated share, mean slope, dead ReLUs."""
    rows = []
    for name, probes in diag.items():
        for label, p in (("init", probes[0]), ("end", probes[-1])):
            mean = lambda v: f"{sum(v) / len(v):.3f}" if v else "-"  # noqa: E731
            rows.append((EXPERIMENTS[name].title, label, mean(p["saturated"]), mean(p["act_grad"]),
                         mean(p["dead"]), f"{min(p['act_grad']):.3f}" if p["act_grad"] else "-"))
    return _table(("experiment", "when", "saturated Sigmoid share", "mean slope",
                   "dead ReLU share", "smallest layer slope"), rows)


def report_vs_seeds_table(records: Mapping[str, Mapping[str, Any]]) -> str:
    """Where the report's single number falls in our spread over seeds."""
    rows = []
    for name, exp in EXPERIMENTS.items():
        s = seed_stats(records, name)
        if s is None:
            continue
        rep = exp.report.test_acc
        inside = s["min"] <= rep <= s["max"]
        z = (rep - s["mean"]) / s["std"] if s["std"] > 0 else 0.0
        where = "inside our seed range" if inside else ("above" if rep > s["max"] else "below") + " every seed"
        rows.append((exp.title, pct(rep), f"{pct(s['min'])} - {pct(s['max'])}", f"{z:+.1f}", where))
    return _table(("experiment", "report", "our seeds (min - max)", "report in std units", "verdict"), rows)


def provenance(records: Mapping[str, Mapping[str, Any]]) -> str:
    """The machine, versions and thread count the records were made with (one line per distinct setup)."""
    setups = {}
    for rec in records.values():
        m, v = rec["machine"], rec["versions"]
        key = (f"torch {v['torch']}, torchvision {v['torchvision']}, Python {v['python']}, "
               f"labutils code {rec['code_version']}; {m['platform']} ({m['processor']}), "
               f"{m['cpu_count']} CPUs, {m['torch_threads']} torch thread(s), device {rec['device']}")
        setups[key] = setups.get(key, 0) + 1
    return "\n".join(f"{n} record(s): {k}" for k, n in setups.items())
