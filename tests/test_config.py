import pytest

from labutils.config import ParameterError, TrainConfig


def test_defaults_are_the_reports():
    cfg = TrainConfig()
    assert (cfg.batch_size, cfg.test_batch_size, cfg.epochs, cfg.lr, cfg.gamma, cfg.momentum, cfg.seed) == \
        (64, 64, 15, 0.001, 0.7, 0.9, 1)
    assert (cfg.shuffle, cfg.no_cuda, cfg.dry_run, cfg.log_interval, cfg.save_model) == (False, False, False, 100, False)


@pytest.mark.parametrize("field,value,allowed", [
    ("epochs", 0, "an integer >= 1"),
    ("epochs", -3, "an integer >= 1"),
    ("batch_size", 0, "an integer >= 1"),
    ("batch_size", "64", "an integer >= 1"),
    ("test_batch_size", 2.5, "an integer >= 1"),
    ("lr", 0, "a number > 0"),
    ("lr", -0.1, "a number > 0"),
    ("lr", "0.01", "a number > 0"),
    ("lr", float("nan"), "a number > 0"),
    ("lr", float("inf"), "a number > 0"),
    ("gamma", 0, r"a number in \(0, 1\]"),
    ("gamma", 1.5, r"a number in \(0, 1\]"),
    ("momentum", 1.0, r"a number in \[0, 1\)"),
    ("momentum", -0.1, r"a number in \[0, 1\)"),
    ("shuffle", "yes", "True or False"),
    ("train_subset", 0, "None or an integer >= 1"),
    ("num_threads", 0, "None or an integer >= 1"),
    ("device", "tpu", "None, 'cpu', 'cuda' or 'cuda:N'"),
    ("seed", True, "an integer >= 0"),
])
def test_bad_values_name_the_parameter_the_value_and_what_is_allowed(field, value, allowed):
    with pytest.raises(ParameterError, match=rf"^{field} must be {allowed}, got ") as err:
        TrainConfig(**{field: value})
    assert str(err.value).endswith(f"got {value!r}")


def test_unavailable_cuda_device_is_refused(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    with pytest.raises(ParameterError, match=r"device='cuda:1' is not available on this machine \(0 CUDA devices\)"):
        TrainConfig(device="cuda:1").resolve_device()
    assert TrainConfig().resolve_device().type == "cpu"


def test_replace_validates_too():
    with pytest.raises(ParameterError, match="lr must be a number > 0"):
        TrainConfig().replace(lr=0)
