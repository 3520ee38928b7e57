import json

import pytest
import torch

from labutils import TrainConfig, run_experiment
from labutils.records import (
    config_mismatches,
    load_checkpoint,
    load_records,
    make_record,
    resolve_runs_dir,
    save_run,
    write_json_atomic,
)
from labutils.results import check_records
from labutils.training import evaluate


@pytest.fixture
def run(tiny):
    return run_experiment("relu_1h", tiny, TrainConfig(epochs=2, lr=0.05), progress=False)


def test_record_holds_parameters_versions_machine_and_epochs(run):
    rec = make_record(run)
    assert rec["experiment"] == "relu_1h" and rec["status"] == "completed"
    assert rec["config"]["lr"] == 0.05 and rec["config"]["epochs"] == 2
    assert set(rec["versions"]) >= {"python", "torch", "torchvision", "labutils"}
    assert rec["machine"]["torch_threads"] == 1 and len(rec["code_version"]) == 12
    assert [e["epoch"] for e in rec["history"]] == [1, 2]
    assert set(rec["history"][0]) == {"epoch", "train_loss", "train_loss_report", "train_acc", "test_loss",
                                      "test_acc", "lr", "seconds"}
    assert len(rec["diagnostics"]) == 3
    json.dumps(rec)  # JSON-ready


def test_save_and_load_round_trip_with_seed_suffix(run, tmp_path, monkeypatch):
    path = save_run(run, tmp_path)
    assert path == tmp_path / "relu_1h.json"
    other = save_run(type(run)(run.experiment, run.cfg.replace(seed=3), run.model, run.history, run.device,
                               run.wall_seconds), tmp_path)
    assert other.name == "relu_1h-seed3.json"
    assert set(load_records(tmp_path)) == {"relu_1h", "relu_1h-seed3"}
    monkeypatch.setenv("LABUTILS_RUNS_DIR", str(tmp_path / "env"))
    assert resolve_runs_dir(None) == tmp_path / "env"


def test_a_write_that_fails_midway_leaves_the_old_record_and_no_debris(tmp_path, monkeypatch):
    path = write_json_atomic(tmp_path / "r.json", {"old": True})

    def broken_dump(obj, f, **kw):
        f.write('{"half": ')
        raise KeyboardInterrupt  # as if killed mid-write

    monkeypatch.setattr(json, "dump", broken_dump)
    with pytest.raises(KeyboardInterrupt):
        write_json_atomic(path, {"new": True})
    monkeypatch.undo()
    assert json.loads(path.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_save_model_writes_a_checkpoint_that_evaluates_the_same(tiny, tmp_path):
    run = run_experiment("relu_deep_bn", tiny, TrainConfig(epochs=2, lr=0.05, save_model=True), progress=False)
    save_run(run, tmp_path)
    assert (tmp_path / "relu_deep_bn.json").stat().st_mode & 0o044  # readable by others
    assert (tmp_path / "relu_deep_bn.pt").stat().st_mode & 0o044
    assert sorted(p.name for p in tmp_path.iterdir()) == ["relu_deep_bn.json", "relu_deep_bn.pt"]  # no temp files
    model, ckpt = load_checkpoint(tmp_path / "relu_deep_bn.pt")
    assert ckpt["config"]["lr"] == 0.05 and not model.training
    loss, acc = evaluate(model, tiny.test_images, tiny.test_labels, 64)
    assert (loss, acc) == (run.history.final.test_loss, run.history.final.test_acc)
    for a, b in zip(model.state_dict().values(), run.model.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_a_variants_checkpoint_rebuilds_its_own_architecture(tiny, tmp_path):
    from labutils import EXPERIMENTS

    wide = EXPERIMENTS["relu_1h"].variant(hidden=(64, 32))
    run = run_experiment(wide, tiny, TrainConfig(epochs=1, lr=0.05, save_model=True), progress=False)
    save_run(run, tmp_path)
    model, _ = load_checkpoint(tmp_path / "relu_1h_variant.pt")
    assert evaluate(model, tiny.test_images, tiny.test_labels, 64)[1] == run.history.final.test_acc


def test_records_with_other_parameters_are_flagged(run, tmp_path):
    save_run(run, tmp_path)
    records = load_records(tmp_path)
    assert config_mismatches(records["relu_1h"], TrainConfig()) == {"epochs": (2, 15), "lr": (0.05, 0.001)}
    report = check_records(records, TrainConfig())
    assert "relu_1h: DOES NOT MATCH THE BOOK: epochs=2 (book: 15), lr=0.05 (book: 0.001)" in report
    assert "sigmoid_1h: MISSING" in report
    assert "relu_1h: OK" in check_records(records, TrainConfig(epochs=2, lr=0.05))
