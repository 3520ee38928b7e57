"""The five experiments of the lab report, with the numbers the report printed.

One place for the architectures and the reference results, so notebooks, the
runner, the results chapter and the tests all agree on them.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import torch
from torch import nn

from .config import TrainConfig
from .data import MNIST
from .diagnostics import make_probe
from .models import build_model, check_activation
from .training import History, fit

DEEP = (30, 50, 80, 100, 120, 150)  # the report's "5 hidden layers": six hidden widths
N_TRAIN, N_TEST = 60_000, 10_000


@dataclass(frozen=True)
class ReportResult:
    """Epoch-15 numbers as the report prints them (its train loss is a sum of batch means / N)."""

    train_loss_report: float
    train_correct: int
    test_loss: float
    test_correct: int

    @property
    def train_acc(self) -> float:
        return self.train_correct / N_TRAIN

    @property
    def test_acc(self) -> float:
        return self.test_correct / N_TEST


@dataclass(frozen=True)
class Experiment:
    """One row of the report's table: an architecture and what the report got with it."""

    name: str
    title: str
    hidden: tuple[int, ...]
    activation: str
    batchnorm: bool
    report: ReportResult
    script_test_acc: float  # the report's own script, run as written on this course's CPU

    def build(self) -> nn.Sequential:
        """A freshly initialized model (seed torch first for the report's weights)."""
        return build_model(self.hidden, self.activation, self.batchnorm)

    def reference(self) -> dict[str, float]:
        """The report's epoch-15 test accuracy and loss, for marking figures."""
        return {"test_acc": self.report.test_acc, "test_loss": self.report.test_loss}

    def variant(self, **changes: object) -> Experiment:
        """A copy with other ``hidden``, ``activation`` or ``batchnorm``, for exercises."""
        unknown = set(changes) - {"hidden", "activation", "batchnorm"}
        if unknown:
            raise ValueError(f"variant() takes hidden, activation or batchnorm, got {sorted(unknown)}")
        if "activation" in changes:
            check_activation(changes["activation"])
        changed = dataclasses.replace(self, **changes)  # type: ignore[arg-type]
        label = ", ".join(f"{k}={v}" for k, v in changes.items())
        return dataclasses.replace(changed, name=f"{self.name}_variant", title=f"{self.title} ({label})")

    @property
    def factor(self) -> str:
        """The factor that colours this experiment in every figure: sigmoid, sigmoid_bn, relu or relu_bn."""
        return self.activation + ("_bn" if self.batchnorm else "")


EXPERIMENTS: dict[str, Experiment] = {e.name: e for e in (
    Experiment("sigmoid_1h", "1 hidden layer, Sigmoid", (30,), "sigmoid", False,
               ReportResult(0.0084, 53159, 0.5250, 8920), 0.8921),
    Experiment("sigmoid_deep", "5 hidden layers, Sigmoid", DEEP, "sigmoid", False,
               ReportResult(0.0360, 6742, 2.3010, 1135), 0.1135),
    Experiment("sigmoid_deep_bn", "5 hidden layers, Sigmoid + BatchNorm", DEEP, "sigmoid", True,
               ReportResult(0.0042, 56320, 0.2638, 9409), 0.9385),
    Experiment("relu_1h", "1 hidden layer, ReLU", (30,), "relu", False,
               ReportResult(0.0039, 55687, 0.2466, 9282), 0.9286),
    Experiment("relu_deep_bn", "5 hidden layers, ReLU + BatchNorm", DEEP, "relu", True,
               ReportResult(0.0019, 57998, 0.1131, 9665), 0.9586),
)}


def get_experiment(name: object) -> Experiment:
    """The experiment called ``name``; a ValueError lists the valid names otherwise."""
    if name not in EXPERIMENTS:
        raise ValueError(f"experiment must be one of {list(EXPERIMENTS)}, got {name!r}")
    return EXPERIMENTS[name]  # type: ignore[index]


@dataclass
class Run:
    """A finished training run: what was trained, how, and what came out."""

    experiment: Experiment
    cfg: TrainConfig
    model: nn.Module
    history: History
    device: str
    wall_seconds: float


def run_experiment(
    experiment: str | Experiment,
    data: MNIST,
    cfg: TrainConfig | None = None,
    diagnostics: bool = True,
    progress: bool = True,
) -> Run:
    """Seed, build and train one experiment on ``data`` with ``cfg`` (default: the report's settings).

    Sets torch's CPU thread count to ``cfg.num_threads`` first, because float results
    depend on it; the model is built right after ``torch.manual_seed(cfg.seed)`` as
    in the report, so the initial weights are the report's.
    """
    exp = experiment if isinstance(experiment, Experiment) else get_experiment(experiment)
    cfg = cfg or TrainConfig()
    cfg.check_subset(len(data.train_labels))
    device = cfg.resolve_device()
    if cfg.num_threads is not None:
        torch.set_num_threads(cfg.num_threads)
    start = time.perf_counter()
    data = data.subset(cfg.train_subset).to(device)
    torch.manual_seed(cfg.seed)
    model = exp.build().to(device)
    probe = make_probe(data.train_images, data.train_labels) if diagnostics else None
    history = fit(model, data, cfg, probe=probe, progress=progress)
    return Run(exp, cfg, model, history, str(device), time.perf_counter() - start)
