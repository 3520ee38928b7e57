"""The hyperparameters of one training run, checked before any training starts.

Field names are the lab report's argparse names (``batch_size``, ``lr``, ...), the
same in every notebook's ``parameters`` cell and in the runner's ``-p`` flags.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Any

import torch


class ParameterError(ValueError):
    """A parameter has a value that is not allowed; the message names both."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class TrainConfig:
    """One run's settings; the defaults are the lab report's.

    Extra fields beyond the report: ``train_subset`` (first N training images, for
    quick runs), ``shuffle`` (the report's CPU run does not shuffle), ``num_threads``
    (torch's float results depend on it) and ``device``.
    """

    batch_size: int = 64          # training batch size
    test_batch_size: int = 64     # evaluation batch size
    epochs: int = 15              # passes over the training set
    lr: float = 0.001             # SGD learning rate
    gamma: float = 0.7            # StepLR factor applied after every epoch
    momentum: float = 0.9         # SGD momentum
    seed: int = 1                 # torch.manual_seed before the model is built
    no_cuda: bool = False         # the report's flag: stay on the CPU even if CUDA exists
    dry_run: bool = False         # one batch of one epoch: checks that everything runs
    log_interval: int = 100       # batches between progress-bar updates
    save_model: bool = False      # write the trained weights next to the run record
    train_subset: int | None = None  # use only the first N training images (None: all)
    shuffle: bool = False         # reshuffle the training set each epoch (seeded)
    num_threads: int | None = 1   # torch CPU threads; None leaves torch's default
    device: str | None = None     # "cpu", "cuda", "cuda:N"; None: CUDA unless no_cuda

    def __post_init__(self) -> None:
        for name in ("batch_size", "test_batch_size", "epochs", "log_interval", "seed"):
            value = getattr(self, name)
            low = 0 if name == "seed" else 1
            if not _is_int(value) or value < low:
                raise ParameterError(f"{name} must be an integer >= {low}, got {value!r}")
        for name in ("no_cuda", "dry_run", "save_model", "shuffle"):
            if not isinstance(getattr(self, name), bool):
                raise ParameterError(f"{name} must be True or False, got {getattr(self, name)!r}")
        _check_range("lr", self.lr, "a number > 0", lambda v: v > 0)
        _check_range("gamma", self.gamma, "a number in (0, 1]", lambda v: 0 < v <= 1)
        _check_range("momentum", self.momentum, "a number in [0, 1)", lambda v: 0 <= v < 1)
        if self.train_subset is not None and (not _is_int(self.train_subset) or self.train_subset < 1):
            raise ParameterError(
                f"train_subset must be None or an integer >= 1, got {self.train_subset!r}")
        if self.num_threads is not None and (not _is_int(self.num_threads) or self.num_threads < 1):
            raise ParameterError(
                f"num_threads must be None or an integer >= 1, got {self.num_threads!r}")
        if self.device is not None and (
                not isinstance(self.device, str) or not re.fullmatch(r"cpu|cuda(:\d+)?", self.device)):
            raise ParameterError(
                f"device must be None, 'cpu', 'cuda' or 'cuda:N', got {self.device!r}")

    def resolve_device(self) -> torch.device:
        """The device to train on: ``device`` if set, else CUDA when available and not ``no_cuda``."""
        if self.device is None:
            use_cuda = not self.no_cuda and torch.cuda.is_available()
            return torch.device("cuda" if use_cuda else "cpu")
        if self.device.startswith("cuda"):
            index = int(self.device.partition(":")[2] or 0)
            if not torch.cuda.is_available() or index >= torch.cuda.device_count():
                raise ParameterError(
                    f"device={self.device!r} is not available on this machine "
                    f"({torch.cuda.device_count()} CUDA devices); use 'cpu' or None")
        return torch.device(self.device)

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> TrainConfig:
        """A config from notebook or runner parameters, ignoring those that are not training settings."""
        return cls(**{k: v for k, v in params.items() if k in cls.__dataclass_fields__})

    def check_subset(self, n_train: int) -> None:
        """Raise ParameterError if ``train_subset`` asks for more than the ``n_train`` images there are."""
        if self.train_subset is not None and self.train_subset > n_train:
            raise ParameterError(
                f"train_subset must be at most the {n_train} training images, got {self.train_subset}")

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with ``changes`` applied (and validated)."""
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _check_range(name: str, value: object, allowed: str, ok) -> None:
    if not _is_number(value) or not math.isfinite(value) or not ok(value):
        raise ParameterError(f"{name} must be {allowed}, got {value!r}")
