import json
import math
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from helpers import metrics as _metrics
from labutils import EXPERIMENTS, TrainConfig, run_experiment
from labutils.training import evaluate, fit, train_epoch


def test_a_tiny_batch_is_memorized(tiny):
    torch.manual_seed(0)
    model = EXPERIMENTS["relu_1h"].build()
    x, y = tiny.train_images[:32], tiny.train_labels[:32]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(150):
        result = train_epoch(model, optimizer, x, y, batch_size=32)
    assert result.correct == 32
    assert result.loss_sum / result.n < 0.05


class FixedLogProbs(nn.Module):
    """Returns given log-probabilities whatever the input (for hand-checked metrics)."""

    def __init__(self, log_probs):
        super().__init__()
        self.log_probs = log_probs

    def forward(self, x):
        return self.log_probs[: len(x)]


def test_evaluate_on_a_hand_made_batch():
    probs = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.5, 0.25, 0.25], [0.2, 0.2, 0.6]])
    labels = torch.tensor([0, 1, 1, 0])  # first two right, last two wrong
    model = FixedLogProbs(probs.log())
    loss, acc = evaluate(model, torch.zeros(4, 784), labels, batch_size=4)
    assert acc == 0.5
    assert loss == pytest.approx(-(math.log(0.7) + math.log(0.8) + math.log(0.25) + math.log(0.2)) / 4)


def test_train_loss_is_per_sample_and_the_reports_column_divides_batch_means_by_n(tiny):
    torch.manual_seed(0)
    model = EXPERIMENTS["sigmoid_1h"].build()
    history = fit(model, tiny.subset(100), TrainConfig(epochs=1, batch_size=64, lr=1e-9, momentum=0.0),
                  progress=False)
    torch.manual_seed(0)
    same = EXPERIMENTS["sigmoid_1h"].build()
    b1 = F.nll_loss(same(tiny.train_images[:64]), tiny.train_labels[:64]).item()
    b2 = F.nll_loss(same(tiny.train_images[64:100]), tiny.train_labels[64:100]).item()
    e = history.final
    assert e.train_loss == pytest.approx((64 * b1 + 36 * b2) / 100, rel=1e-5)
    assert e.train_loss_report == pytest.approx((b1 + b2) / 100, rel=1e-5)


def test_lr_follows_steplr(tiny):
    torch.manual_seed(0)
    history = fit(EXPERIMENTS["relu_1h"].build(), tiny, TrainConfig(epochs=3, lr=0.1, gamma=0.5), progress=False)
    assert history.column("lr") == pytest.approx([0.1, 0.05, 0.025])


def test_same_seed_same_numbers_and_other_seed_other_numbers(tiny):
    cfg = TrainConfig(epochs=2, lr=0.05)
    a = run_experiment("sigmoid_deep_bn", tiny, cfg, progress=False)
    b = run_experiment("sigmoid_deep_bn", tiny, cfg, progress=False)
    c = run_experiment("sigmoid_deep_bn", tiny, cfg.replace(seed=2), progress=False)
    assert _metrics(a.history) == _metrics(b.history)
    assert a.history.diagnostics == b.history.diagnostics
    assert _metrics(a.history) != _metrics(c.history)


FRESH = """
import json, sys, labutils as lab
data = lab.load_mnist(sys.argv[1], download=False)
run = lab.run_experiment("relu_deep_bn", data, lab.TrainConfig(epochs=2, train_subset=3000), progress=False)
print(json.dumps([{k: v for k, v in e.items() if k != "seconds"} for e in run.history.as_dicts()]))
"""


@pytest.mark.mnist
def test_reruns_in_fresh_processes_are_bitwise_identical(mnist, mnist_root):
    outs = [json.loads(subprocess.run([sys.executable, "-c", FRESH, mnist_root], check=True,
                                      capture_output=True, text=True).stdout) for _ in range(2)]
    here = run_experiment("relu_deep_bn", mnist, TrainConfig(epochs=2, train_subset=3000), progress=False)
    assert outs[0] == outs[1] == json.loads(json.dumps(_metrics(here.history)))


def test_shuffle_is_seeded_and_changes_the_order(tiny):
    cfg = TrainConfig(epochs=2, lr=0.05, shuffle=True)
    a = run_experiment("relu_1h", tiny, cfg, progress=False)
    b = run_experiment("relu_1h", tiny, cfg, progress=False)
    plain = run_experiment("relu_1h", tiny, cfg.replace(shuffle=False), progress=False)
    assert _metrics(a.history) == _metrics(b.history) != _metrics(plain.history)


class NaNAfter(nn.Module):
    """Passes its input through for ``calls`` forward calls, then returns NaN."""

    def __init__(self, calls):
        super().__init__()
        self.calls = calls

    def forward(self, x):
        self.calls -= 1
        return x if self.calls >= 0 else x * float("nan")


def test_divergence_stops_at_that_epoch_and_keeps_the_earlier_ones(tiny, capsys):
    torch.manual_seed(0)
    # epoch 1: 4 train + 1 test batch; NaN in the 2nd batch of epoch 2
    model = nn.Sequential(NaNAfter(6), *EXPERIMENTS["relu_1h"].build())
    history = fit(model, tiny, TrainConfig(epochs=5), progress=False)
    assert history.status == "diverged"
    assert [e.epoch for e in history.epochs] == [1]
    assert "diverged in epoch 2" in history.message and "smaller learning rate (e.g. lr=0.0001)" in history.message
    assert history.message in capsys.readouterr().out


def test_a_real_divergence_from_a_huge_learning_rate(tiny):
    run = run_experiment("relu_1h", tiny, TrainConfig(epochs=3, lr=1e6), progress=False)
    assert run.history.status == "diverged" and len(run.history.epochs) < 3


class CountTrainingCalls(nn.Module):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, x):
        self.calls += self.training
        return x


def test_dry_run_is_one_batch_of_one_epoch(tiny):
    counter = CountTrainingCalls()
    torch.manual_seed(0)
    history = fit(nn.Sequential(counter, *EXPERIMENTS["relu_1h"].build()), tiny,
                  TrainConfig(dry_run=True, batch_size=32), progress=False)
    assert history.status == "dry_run" and len(history.epochs) == 1
    assert counter.calls == 1  # one training batch of the 8 there are


def test_subset_larger_than_the_data_is_refused_before_training(tiny):
    from labutils import ParameterError

    with pytest.raises(ParameterError, match="train_subset must be at most the 256 training images, got 1000"):
        run_experiment("relu_1h", tiny, TrainConfig(train_subset=1000))


def test_thread_count_is_set_from_the_config(tiny):
    before = torch.get_num_threads()
    try:
        for threads in (2, 1):
            run_experiment("relu_1h", tiny, TrainConfig(epochs=1, num_threads=threads), progress=False)
            assert torch.get_num_threads() == threads
    finally:
        torch.set_num_threads(before)


def test_divergence_leaves_the_weights_finite(tiny):
    run = run_experiment("relu_1h", tiny, TrainConfig(epochs=2, lr=1e6), progress=False)
    assert run.history.status == "diverged"
    assert all(torch.isfinite(p).all() for p in run.model.parameters())
