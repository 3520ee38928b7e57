"""Student self-check: is my final test accuracy where the reference runs put it, and if not, why?

The reference bands come from the seed sweep (``python -m labutils.runner`` writes
them to ``reference_bands.json`` beside this file): for each experiment and set of
training parameters, the min and max final test accuracy over seeds, widened by
twice the standard deviation (at least 0.5 pp) for other machines and devices.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import TrainConfig
from .data import MNIST
from .experiments import Run
from .results import spread
from .training import evaluate

BANDS_FILE = Path(__file__).with_name("reference_bands.json")
BAND_KEYS = ("batch_size", "test_batch_size", "epochs", "lr", "gamma", "momentum",
             "train_subset", "shuffle")
MIN_MARGIN = 0.005


@dataclass(frozen=True)
class Verdict:
    """The self-check's answer: ``in_band`` is None when no band exists for these parameters."""

    in_band: bool | None
    message: str
    causes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  - {c}" for c in self.causes)])


def band_key(cfg: TrainConfig) -> dict[str, Any]:
    """The parameters a reference band depends on (not the seed, threads or device)."""
    d = cfg.as_dict()
    return {k: d[k] for k in BAND_KEYS}


def make_band(accs: list[float]) -> dict[str, float]:
    """The band of final test accuracies ``accs`` over seeds, widened for other machines."""
    s = spread(accs)
    margin = max(2 * s["std"], MIN_MARGIN)
    return {"n": s["n"], "mean": s["mean"], "std": s["std"],
            "low": max(0.0, s["min"] - margin), "high": min(1.0, s["max"] + margin)}


def load_bands(path: Path = BANDS_FILE) -> list[dict[str, Any]]:
    """The shipped reference bands (an empty list before the first seed sweep)."""
    return json.loads(path.read_text())["bands"] if path.exists() else []


def find_band(bands: list[dict[str, Any]], experiment: str, cfg: TrainConfig) -> dict[str, Any] | None:
    """The band for ``experiment`` at ``cfg``'s training parameters, if the sweep made one."""
    key = band_key(cfg)
    return next((b for b in bands if b["experiment"] == experiment and b["params"] == key), None)


def self_check(run: Run, data: MNIST | None = None, bands: list[dict[str, Any]] | None = None) -> Verdict:
    """Compare ``run``'s final test accuracy with the reference band for its parameters.

    Give ``data`` (the MNIST the run used) to let the check test the likely causes
    itself: inputs not normalized, BatchNorm left in training mode while testing.
    """
    bands = load_bands() if bands is None else bands
    final = run.history.final
    name = run.experiment.name
    if run.history.status == "diverged" or final is None:
        return Verdict(False, f"Out of range: the run did not finish ({run.history.message or 'no epoch completed'}).",
                       ["The learning rate is too large for this net: divide lr by 10 and rerun."])
    acc = final.test_acc
    band = find_band(bands, name, run.cfg)
    if band is None:
        return Verdict(None, f"Your final test accuracy is {100 * acc:.2f} %. There is no reference band "
                             f"for {name} with these parameters ({band_key(run.cfg)}); bands exist for the "
                             "report's settings and the course's quick mode"
                             + (", both unshuffled." if run.cfg.shuffle else "."))
    where = f"the reference band {100 * band['low']:.2f} - {100 * band['high']:.2f} % " \
            f"({band['n']} seeds, mean {100 * band['mean']:.2f} %)"
    if band["low"] <= acc <= band["high"]:
        return Verdict(True, f"In range: your final test accuracy {100 * acc:.2f} % is inside {where}.")
    causes = []
    if data is not None and run.experiment.batchnorm:
        device = next(run.model.parameters()).device
        _, eval_acc = evaluate(run.model, data.test_images.to(device), data.test_labels.to(device),
                               run.cfg.test_batch_size)
        if abs(eval_acc - acc) > 0.005:
            causes.append(f"BatchNorm was left in training mode while testing: this model scores "
                          f"{100 * eval_acc:.2f} % in evaluation mode. Call model.eval() before testing.")
    if data is not None:
        mean, std = data.train_images.mean().item(), data.train_images.std().item()
        if abs(mean) > 0.05 or abs(std - 1) > 0.05:
            causes.append(f"The inputs are not normalized: their mean is {mean:.3f} and std {std:.3f}, "
                          "not 0 and 1. Use Normalize((0.1307,), (0.3081,)) after ToTensor().")
    causes += [
        f"The learning rate (lr={run.cfg.lr:g}): too small learns slowly, too large diverges.",
        "Normalization: inputs should be (x / 255 - 0.1307) / 0.3081.",
        "Evaluation mode: with BatchNorm, call model.eval() before testing and model.train() after.",
    ]
    side = "below" if acc < band["low"] else "above"
    return Verdict(False, f"Out of range: your final test accuracy {100 * acc:.2f} % is {side} {where}. "
                          "Likely causes, most likely first:", causes)
