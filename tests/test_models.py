import pytest
import torch
from torch import nn

from labutils.experiments import DEEP, EXPERIMENTS, get_experiment
from labutils.models import build_model


def _kinds(model):
    return [type(m).__name__ for m in model]


def test_one_hidden_sigmoid_is_784_30_10():
    model = EXPERIMENTS["sigmoid_1h"].build()
    assert _kinds(model) == ["Linear", "Sigmoid", "Linear", "LogSoftmax"]
    assert (model[0].in_features, model[0].out_features, model[2].out_features) == (784, 30, 10)


@pytest.mark.parametrize("name,act,bn", [("sigmoid_deep", "Sigmoid", False),
                                         ("sigmoid_deep_bn", "Sigmoid", True),
                                         ("relu_deep_bn", "ReLU", True)])
def test_deep_nets_have_the_reports_widths_and_batchnorm_before_each_activation(name, act, bn):
    model = EXPERIMENTS[name].build()
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == list(zip((784, *DEEP), (*DEEP, 10)))
    block = ["Linear", "BatchNorm1d", act] if bn else ["Linear", act]
    assert _kinds(model) == block * 6 + ["Linear", "LogSoftmax"]
    if bn:
        assert [m.num_features for m in model if isinstance(m, nn.BatchNorm1d)] == list(DEEP)


def test_relu_1h():
    assert _kinds(EXPERIMENTS["relu_1h"].build()) == ["Linear", "ReLU", "Linear", "LogSoftmax"]


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_outputs_are_log_probabilities_of_shape_batch_by_10(name):
    model = EXPERIMENTS[name].build().eval()
    out = model(torch.randn(5, 784))
    assert out.shape == (5, 10)
    assert torch.allclose(out.exp().sum(dim=1), torch.ones(5), atol=1e-5)


def test_seeded_weights_equal_the_reports_sequential_definition():
    torch.manual_seed(1)
    ours = EXPERIMENTS["sigmoid_deep"].build()
    torch.manual_seed(1)
    report = torch.nn.Sequential(  # the report's FC_5hidden, verbatim
        torch.nn.Linear(28 * 28, 30), torch.nn.Sigmoid(), torch.nn.Linear(30, 50), torch.nn.Sigmoid(),
        torch.nn.Linear(50, 80), torch.nn.Sigmoid(), torch.nn.Linear(80, 100), torch.nn.Sigmoid(),
        torch.nn.Linear(100, 120), torch.nn.Sigmoid(), torch.nn.Linear(120, 150), torch.nn.Sigmoid(),
        torch.nn.Linear(150, 10), torch.nn.LogSoftmax(dim=1))
    for a, b in zip(ours.state_dict().values(), report.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_bad_architecture_arguments_are_named():
    with pytest.raises(ValueError, match=r"activation must be one of \['relu', 'sigmoid'\], got 'tanh'"):
        build_model((30,), "tanh")
    with pytest.raises(ValueError, match="hidden must be a non-empty sequence of positive ints"):
        build_model((30, 0))
    with pytest.raises(ValueError, match="experiment must be one of .*got 'sigmoid_2h'"):
        get_experiment("sigmoid_2h")
    with pytest.raises(ValueError, match="activation must be one of"):
        EXPERIMENTS["relu_1h"].variant(activation="gelu")
    with pytest.raises(ValueError, match="variant\\(\\) takes hidden, activation or batchnorm"):
        EXPERIMENTS["relu_1h"].variant(dropout=0.5)


def test_variant_changes_only_what_is_asked():
    v = EXPERIMENTS["relu_deep_bn"].variant(batchnorm=False)
    assert (v.hidden, v.activation, v.batchnorm) == (DEEP, "relu", False)
    assert "BatchNorm1d" not in _kinds(v.build())
