"""labutils' loop against the report's recipe (per-image transforms, DataLoader, its train/test
functions; ``benchmarks/report_recipe.py``) on real MNIST: every per-epoch number must be equal."""

import sys

import pytest
import torch

from helpers import ROOT
from labutils import EXPERIMENTS, TrainConfig, run_experiment

sys.path.insert(0, str(ROOT / "benchmarks"))
from report_recipe import run_report_recipe  # noqa: E402


@pytest.mark.mnist
@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_every_epoch_equals_the_reports_recipe(name, mnist, mnist_root):
    before = torch.get_num_threads()
    try:
        run = run_experiment(name, mnist, TrainConfig(epochs=2, train_subset=3000), progress=False)
        baseline = run_report_recipe(EXPERIMENTS[name], mnist_root, epochs=2, train_subset=3000)
    finally:
        torch.set_num_threads(before)
    ours = [(e.train_loss, e.train_loss_report, e.train_acc, e.test_loss, e.test_acc, e.lr)
            for e in run.history.epochs]
    assert ours == [row[:-1] for row in baseline]
