import copy

import pytest
import torch

from labutils import TrainConfig, run_experiment
from labutils.experiments import Run
from labutils.selfcheck import band_key, make_band, self_check
from labutils.training import History, evaluate


@pytest.fixture(scope="module")
def bn_run():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(600, 784, generator=g)
    y = (x @ torch.randn(784, 10, generator=g)).argmax(dim=1)
    from labutils.data import MNIST

    data = MNIST(x[:512], y[:512], x[512:], y[512:])
    return run_experiment("relu_deep_bn", data, TrainConfig(epochs=3, lr=0.05), progress=False), data


def _bands(run, low, high):
    return [{"experiment": run.experiment.name, "params": band_key(run.cfg), "n": 5,
             "mean": (low + high) / 2, "std": 0.0, "low": low, "high": high}]


def test_in_band(bn_run):
    run, data = bn_run
    acc = run.history.final.test_acc
    verdict = self_check(run, data, bands=_bands(run, acc - 0.01, acc + 0.01))
    assert verdict.in_band is True and str(verdict).startswith("In range")


def test_out_of_band_lists_likely_causes(bn_run):
    run, data = bn_run
    acc = run.history.final.test_acc
    verdict = self_check(run, data, bands=_bands(run, acc + 0.05, acc + 0.10))
    assert verdict.in_band is False and "is below the reference band" in verdict.message
    text = str(verdict)
    assert "learning rate" in text and "Normalization" in text and "model.eval()" in text
    assert "left in training mode" not in text  # this run did test in eval mode


def test_batchnorm_left_in_training_mode_is_diagnosed(bn_run):
    run, data = bn_run
    wrong = copy.deepcopy(run.model).train()  # the student's mistake: no model.eval() before testing
    with torch.no_grad():
        preds = torch.cat([wrong(x).argmax(1) for x in data.test_images.split(4)])
    wrong_acc = (preds == data.test_labels).float().mean().item()
    _, right_acc = evaluate(run.model, data.test_images, data.test_labels, 64)
    assert abs(wrong_acc - right_acc) > 0.005
    final = run.history.final
    history = History([type(final)(**{**vars(final), "test_acc": wrong_acc})])
    student = Run(run.experiment, run.cfg, run.model, history, run.device, run.wall_seconds)
    verdict = self_check(student, data, bands=_bands(run, right_acc - 0.005, right_acc + 0.005))
    assert verdict.in_band is False
    assert verdict.causes[0].startswith("BatchNorm was left in training mode while testing")
    assert f"{100 * right_acc:.2f} % in evaluation mode" in verdict.causes[0]


def test_unnormalized_inputs_are_diagnosed(bn_run):
    run, data = bn_run
    raw = type(data)(data.train_images * 0.3081 + 0.1307, *data.tensors()[1:])
    verdict = self_check(run, raw, bands=_bands(run, 0.999, 1.0))
    assert any(c.startswith("The inputs are not normalized") for c in verdict.causes)


def test_no_band_for_other_parameters_and_diverged_runs(bn_run):
    run, _ = bn_run
    assert self_check(run, bands=[]).in_band is None
    diverged = Run(run.experiment, run.cfg, run.model, History(status="diverged", message="boom"), "cpu", 0.0)
    v = self_check(diverged, bands=[])
    assert v.in_band is False and "divide lr by 10" in str(v)


def test_band_is_the_seed_range_widened_and_clipped():
    band = make_band([0.9, 0.91, 0.92])
    assert band["low"] == pytest.approx(0.9 - 0.02) and band["high"] == pytest.approx(0.92 + 0.02)
    assert make_band([0.1135] * 5)["low"] == pytest.approx(0.1085)
    assert make_band([0.999, 1.0])["high"] == 1.0


def test_shipped_bands_cover_the_books_and_the_quick_settings():
    from labutils.experiments import EXPERIMENTS
    from labutils.runner import MODES
    from labutils.selfcheck import find_band, load_bands

    bands = load_bands()
    for params in (MODES["full"]["params"], MODES["smoke"]["params"]):
        for name in EXPERIMENTS:
            band = find_band(bands, name, TrainConfig(**params))
            assert band is not None and band["n"] >= 2 and band["low"] <= band["mean"] <= band["high"], (name, params)
