import torch
from torch import nn

from helpers import metrics as _metrics
from labutils import EXPERIMENTS, TrainConfig, run_experiment
from labutils.diagnostics import grad_ratio, measure


def test_probing_does_not_change_training(tiny):
    cfg = TrainConfig(epochs=3, lr=0.05)
    probed = run_experiment("sigmoid_deep_bn", tiny, cfg, diagnostics=True, progress=False)
    plain = run_experiment("sigmoid_deep_bn", tiny, cfg, diagnostics=False, progress=False)
    assert _metrics(probed.history) == _metrics(plain.history)
    for a, b in zip(probed.model.state_dict().values(), plain.model.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert [d["epoch"] for d in probed.history.diagnostics] == [0, 1, 2, 3]


def test_probe_reports_one_value_per_layer(tiny):
    torch.manual_seed(0)
    d = measure(EXPERIMENTS["sigmoid_deep_bn"].build(), tiny.train_images, tiny.train_labels)
    assert len(d["grad_norm"]) == 7
    assert len(d["preact_std"]) == len(d["bn_std"]) == len(d["saturated"]) == len(d["act_grad"]) == 6
    assert d["dead"] == []
    assert all(abs(s - 1) < 0.01 for s in d["bn_std"])  # BatchNorm standardizes (gamma=1 at init)


def test_saturation_and_dead_units_on_hand_made_layers():
    lin = nn.Linear(2, 4)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[100.0, 0], [-100.0, 0], [0.0, 0], [0, 0]]))
        lin.bias.copy_(torch.tensor([0.0, 0, -5, 0]))
    x = torch.tensor([[1.0, 0], [2.0, 0]])
    sig = measure(nn.Sequential(lin, nn.Sigmoid(), nn.Linear(4, 3), nn.LogSoftmax(1)), x, torch.tensor([0, 1]))
    assert sig["saturated"] == [0.75]  # units 1, 2 and 3 (sigmoid(-5) = 0.0067) are saturated
    relu = measure(nn.Sequential(lin, nn.ReLU(), nn.Linear(4, 3), nn.LogSoftmax(1)), x, torch.tensor([0, 1]))
    assert relu["dead"] == [0.75]      # only unit 0 is ever positive


def test_deep_sigmoid_gradient_vanishes_towards_the_input(tiny):
    torch.manual_seed(1)
    d = measure(EXPERIMENTS["sigmoid_deep"].build(), tiny.train_images, tiny.train_labels)
    assert grad_ratio(d) < 1e-3
    torch.manual_seed(1)
    assert grad_ratio(measure(EXPERIMENTS["relu_deep_bn"].build(), tiny.train_images, tiny.train_labels)) > 0.1
