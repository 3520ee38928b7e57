"""Train and test loops: the report's ``train``/``test`` functions, minus the per-sample overhead.

Per batch the arithmetic is the report's: ``zero_grad``, forward, ``F.nll_loss``,
``backward``, SGD step.  What changed is around it: batches are slices of one
pre-normalized tensor (see ``data.py``) and SGD updates all parameters with one
``foreach`` kernel per operation instead of a Python loop over the 26 tensors of a
deep BatchNorm net.  Both give bitwise the same numbers (``benchmarks/`` checks
every epoch of all five experiments).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.optim.lr_scheduler import StepLR

from .config import TrainConfig
from .data import MNIST, batches


@dataclass(frozen=True)
class EpochRecord:
    """Metrics of one epoch. Losses are per-sample means; accuracies are fractions in [0, 1]."""

    epoch: int
    train_loss: float          # mean NLL per training sample
    train_loss_report: float   # the report's convention: sum of batch means / N (~ train_loss / 64)
    train_acc: float
    test_loss: float
    test_acc: float
    lr: float                  # learning rate used during this epoch
    seconds: float             # wall time of this epoch (train + test)


@dataclass
class History:
    """What ``fit`` returns: per-epoch records, the run's status and per-epoch diagnostics."""

    epochs: list[EpochRecord] = field(default_factory=list)
    status: str = "completed"  # "completed", "diverged" or "dry_run"
    message: str = ""
    diagnostics: list[dict[str, Any]] = field(default_factory=list)

    def column(self, name: str) -> list[float]:
        """One metric over the epochs, e.g. ``history.column("test_acc")``."""
        return [getattr(e, name) for e in self.epochs]

    @property
    def final(self) -> EpochRecord | None:
        return self.epochs[-1] if self.epochs else None

    def as_dicts(self) -> list[dict[str, Any]]:
        return [asdict(e) for e in self.epochs]


@dataclass(frozen=True)
class EpochResult:
    loss_sum: float       # sum over batches of (batch-mean loss x batch size)
    batch_mean_sum: float  # sum over batches of the batch-mean loss (the report's sum_loss)
    correct: int
    n: int
    finite: bool          # False when a batch loss was NaN or infinite (training stopped there)


def make_optimizer(model: nn.Module, cfg: TrainConfig) -> tuple[optim.SGD, StepLR]:
    """SGD with momentum and StepLR(step_size=1, gamma) as in the report."""
    optimizer = optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum, foreach=True)
    return optimizer, StepLR(optimizer, step_size=1, gamma=cfg.gamma)


def train_epoch(
    model: nn.Module,
    optimizer: optim.Optimizer,
    images: torch.Tensor,
    labels: torch.Tensor,
    batch_size: int,
    max_batches: int | None = None,
    on_batch: Callable[[int, float], None] | None = None,
) -> EpochResult:
    """One pass of SGD over ``images`` ``(N, 784)`` in the given order; stops early on a non-finite loss."""
    model.train()
    loss_sum = batch_mean_sum = 0.0
    correct = torch.zeros((), dtype=torch.long, device=labels.device)
    n = 0
    for i, (x, y) in enumerate(batches(images, labels, batch_size)):
        if max_batches is not None and i >= max_batches:
            break
        optimizer.zero_grad()
        log_probs = model(x)                     # (B, 10)
        loss = F.nll_loss(log_probs, y)
        value = loss.item()
        if not math.isfinite(value):  # stop before the step, so the weights stay finite
            return EpochResult(loss_sum, batch_mean_sum, int(correct), n, finite=False)
        loss.backward()
        optimizer.step()
        batch_mean_sum += value
        loss_sum += value * len(y)
        correct += (log_probs.argmax(dim=1) == y).sum()
        n += len(y)
        if on_batch is not None:
            on_batch(i, value)
    return EpochResult(loss_sum, batch_mean_sum, int(correct), n, finite=True)


@torch.no_grad()
def evaluate(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int,
) -> tuple[float, float]:
    """Mean NLL per sample and accuracy of ``model`` in eval mode (BatchNorm uses running stats)."""
    model.eval()
    loss_sum = 0.0
    correct = torch.zeros((), dtype=torch.long, device=labels.device)
    for x, y in batches(images, labels, batch_size):
        log_probs = model(x)
        loss_sum += F.nll_loss(log_probs, y, reduction="sum").item()
        correct += (log_probs.argmax(dim=1) == y).sum()
    return loss_sum / len(labels), int(correct) / len(labels)


def fit(
    model: nn.Module,
    data: MNIST,
    cfg: TrainConfig,
    probe: Callable[[nn.Module], dict[str, Any]] | None = None,
    progress: bool = True,
) -> History:
    """Train ``model`` on ``data`` for ``cfg.epochs`` epochs, testing after each one.

    ``model`` and ``data`` must already be on the same device.  ``probe`` (see
    ``diagnostics.py``) is called once before training and after every epoch; it
    must leave the model's state untouched.  The run stops at the first epoch
    whose training loss is NaN or infinite and reports ``status="diverged"``.
    """
    from tqdm.auto import tqdm  # only the loop needs it

    optimizer, scheduler = make_optimizer(model, cfg)
    history = History()
    if probe is not None:
        history.diagnostics.append({"epoch": 0, **probe(model)})
    epochs = 1 if cfg.dry_run else cfg.epochs
    max_batches = 1 if cfg.dry_run else None
    n_train = len(data.train_labels)
    per_epoch = 1 if cfg.dry_run else math.ceil(n_train / cfg.batch_size)
    generator = torch.Generator().manual_seed(cfg.seed)
    # the runner sets TQDM_DISABLE=1: bars are for people, not for executed notebooks
    quiet = os.environ.get("TQDM_DISABLE", "").lower() in ("1", "true")
    bar = tqdm(total=epochs * per_epoch, unit="batch", disable=quiet or not progress)

    def on_batch(i: int, loss: float) -> None:
        if (i + 1) % cfg.log_interval == 0:
            bar.update(cfg.log_interval)
            bar.set_postfix(loss=f"{loss:.4f}", refresh=False)

    try:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            lr = optimizer.param_groups[0]["lr"]
            images, labels = data.train_images, data.train_labels
            if cfg.shuffle:
                order = torch.randperm(n_train, generator=generator).to(labels.device)
                images, labels = images[order], labels[order]
            result = train_epoch(model, optimizer, images, labels, cfg.batch_size,
                                 max_batches, on_batch)
            if not result.finite:
                history.status = "diverged"
                history.message = (
                    f"Training diverged in epoch {epoch}: the loss became NaN or infinite "
                    f"(learning rate {lr:g}; the run started at lr={cfg.lr:g}). Try a smaller "
                    f"learning rate (e.g. lr={cfg.lr / 10:g}). The record keeps the {epoch - 1} "
                    "epoch(s) before it.")
                print(history.message)
                break
            test_loss, test_acc = evaluate(model, data.test_images, data.test_labels,
                                           cfg.test_batch_size)
            scheduler.step()
            history.epochs.append(EpochRecord(
                epoch=epoch,
                train_loss=result.loss_sum / result.n,
                train_loss_report=result.batch_mean_sum / n_train,
                train_acc=result.correct / result.n,
                test_loss=test_loss,
                test_acc=test_acc,
                lr=lr,
                seconds=time.perf_counter() - start,
            ))
            if probe is not None:
                history.diagnostics.append({"epoch": epoch, **probe(model)})
            bar.update(epoch * per_epoch - bar.n)
            bar.set_postfix(epoch=epoch, test_acc=f"{test_acc:.4f}", refresh=True)
    finally:
        bar.close()
    if cfg.dry_run and history.status == "completed":
        history.status = "dry_run"
    return history
