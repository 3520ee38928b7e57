"""The papermill runner: validation before anything runs, smoke mode end to end, failure isolation."""

import json

import nbformat
import pytest

from helpers import ROOT, write_notebook
from labutils.experiments import EXPERIMENTS
from labutils.runner import main, parse_value
from labutils.selfcheck import load_bands


def test_values_are_parsed_as_python_literals():
    assert [parse_value(v) for v in ("3", "0.01", "True", "None", "'x'", "abc")] == [3, 0.01, True, None, "x", "abc"]


@pytest.mark.parametrize("argv,message", [
    (["-p", "lr=-1"], "lr must be a number > 0, got -1"),
    (["-p", "lr=fast"], "lr must be a number > 0, got 'fast'"),
    (["-p", "epochs=0"], "epochs must be an integer >= 1, got 0"),
    (["-p", "gamma=2"], r"gamma must be a number in (0, 1], got 2"),
    (["-p", "momentum=1"], "momentum must be a number in [0, 1), got 1"),
    (["-p", "batch_size=sixty"], "batch_size must be an integer >= 1, got 'sixty'"),
    (["-p", "device='tpu'"], "device must be None, 'cpu', 'cuda' or 'cuda:N', got 'tpu'"),
    (["-p", "learning_rate=0.1"], "unknown parameter(s) ['learning_rate']; the notebooks take"),
    (["-p", "experiment=sigmoid_2h"], "experiment must be one of ['sigmoid_1h'"),
    (["-p", "lr"], "-p expects name=value, got 'lr'"),
    (["-p", "train_subset=70000"], "train_subset must be at most the 60000 training images, got 70000"),
    (["--only", "09_nothing"], "--only: unknown notebook(s) ['09_nothing']"),
    (["--jobs", "0"], "--jobs must be >= 1, got 0"),
])
def test_bad_flags_are_refused_before_anything_runs(argv, message, tmp_path, capsys):
    out, runs = tmp_path / "out", tmp_path / "runs"
    code = main([*argv, "--notebooks", str(ROOT / "notebooks"), "--out", str(out), "--runs", str(runs),
                 "--work", str(tmp_path / "work")])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists() and not runs.exists() and not (tmp_path / "work").exists()


@pytest.mark.slow
@pytest.mark.mnist
@pytest.mark.xdist_group("smoke")
def test_smoke_mode_runs_every_notebook_and_the_sweep(mnist_root, tmp_path, capsys):
    out, runs = tmp_path / "notebooks", tmp_path / "runs"
    bands = tmp_path / "bands.json"
    code = main(["--mode", "smoke", "--notebooks", str(ROOT / "notebooks"), "--out", str(out),
                 "--runs", str(runs), "--work", str(tmp_path / "work"), "--jobs", "2", "--bands", str(bands)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    sources = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in out.glob("*.ipynb")) == sources
    assert all(f"ok     {name[:-6]}" in printed for name in sources)  # one line per notebook
    records = {p.stem: json.loads(p.read_text()) for p in runs.glob("*.json")}
    assert set(records) == set(EXPERIMENTS)
    assert all(r["config"]["train_subset"] == 2000 and len(r["history"]) == 1 for r in records.values())
    assert len(list((runs / "seeds").glob("*.json"))) == 2 * len(EXPERIMENTS)
    shipped = {(b["experiment"], json.dumps(b["params"])): b for b in load_bands()}
    for band in load_bands(bands):  # the sweep reproduces the shipped quick-mode bands exactly
        assert band["n"] == 2 and shipped[band["experiment"], json.dumps(band["params"])] == band
    for path in out.glob("*.ipynb"):  # exercises ran too, and nothing raised
        nb = nbformat.read(path, as_version=4)
        assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
        assert not [c for c in nb.cells if c.cell_type == "code" and c.get("execution_count") is None]
    results = nbformat.read(out / "07_results.ipynb", as_version=4)
    text = json.dumps([c.get("outputs") for c in results.cells])
    assert "sigmoid_1h: OK" in text and "DOES NOT MATCH" not in text


@pytest.mark.slow
def test_a_failing_notebook_neither_stops_nor_erases_the_others(tmp_path, capsys):
    src, out, work = tmp_path / "src", tmp_path / "out", tmp_path / "work"
    src.mkdir()
    out.mkdir()
    write_notebook(src / "a_good.ipynb", "print(x * 2)", parameters="x = 1")
    write_notebook(src / "b_bad.ipynb", "y = 1", "raise ValueError('boom')", parameters="x = 1")
    write_notebook(src / "c_good.ipynb", "print(x + 100)", parameters="x = 1")
    old = write_notebook(out / "b_bad.ipynb", "print('the previous good run')").read_text()
    code = main(["--notebooks", str(src), "--out", str(out), "--runs", str(tmp_path / "runs"),
                 "--work", str(work), "--seeds", "0", "-p", "x=20"])
    captured = capsys.readouterr()
    assert code == 1
    # parameters, injected parameters, y = 1, raise: the 4th cell fails
    assert "FAILED b_bad: cell 4 (index 3): ValueError: boom" in captured.err
    assert "2 ok, 1 failed" in captured.out
    assert (out / "b_bad.ipynb").read_text() == old  # the last good output is kept
    assert "boom" in (work / "failed" / "b_bad.ipynb").read_text()  # the failed run kept for inspection
    outputs = {p.stem: nbformat.read(p, as_version=4).cells[-1].outputs[0]["text"] for p in out.glob("*good.ipynb")}
    assert outputs == {"a_good": "40\n", "c_good": "120\n"}
    assert (out / "a_good.ipynb").stat().st_mode & 0o044  # readable by everyone, like any output
    assert not list(out.glob(".*"))  # no partial files left behind
