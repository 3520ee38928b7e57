"""nbval: the committed, executed notebooks still come out of the code as it is now."""

import shutil
import subprocess
import sys

import nbformat
import pytest

from helpers import ROOT, kernel_env

EXECUTED = ROOT / "book" / "notebooks"
# two halves, so that pytest -n 2 runs them side by side (about equal training time each)
HALVES = [["00_data", "01_sigmoid_1h", "03_sigmoid_deep_bn", "06_gradients"],
          ["02_sigmoid_deep", "04_relu_1h", "05_relu_deep_bn", "07_results"]]


def nbval(paths, cwd, runs_dir):
    cmd = [sys.executable, "-m", "pytest", "--nbval", "-p", "no:cacheprovider", "-p", "no:xdist",
           "-o", "addopts=", "-q", *map(str, paths)]
    return subprocess.run(cmd, cwd=cwd, env=kernel_env(LABUTILS_RUNS_DIR=str(runs_dir)),
                          capture_output=True, text=True)


def test_the_halves_cover_every_executed_notebook():
    assert sorted(n for half in HALVES for n in half) == sorted(p.stem for p in EXECUTED.glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.mnist
@pytest.mark.parametrize("names", HALVES, ids=["first-half", "second-half"])
def test_executed_notebooks_reproduce_their_outputs(names, mnist_root, tmp_path):
    runs = tmp_path / "runs"  # the committed records, so re-executed labs do not rewrite them
    shutil.copytree(ROOT / "book" / "runs", runs)
    result = nbval([EXECUTED / f"{n}.ipynb" for n in names], ROOT, runs)
    assert result.returncode == 0, result.stdout[-5000:]
    assert " passed" in result.stdout and " failed" not in result.stdout


@pytest.mark.slow
@pytest.mark.mnist
def test_nbval_fails_when_a_checked_number_is_tampered_with(mnist_root, tmp_path):
    nb = nbformat.read(EXECUTED / "00_data.ipynb", as_version=4)
    tampered = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/markdown", "")
            if "0.1307" in text:
                out["data"]["text/markdown"] = text.replace("0.1307", "0.1308")
                out["data"]["text/plain"] = out["data"].get("text/plain", "").replace("0.1307", "0.1308")
                tampered += 1
    assert tampered == 1
    nbformat.write(nb, tmp_path / "00_data.ipynb")
    result = nbval([tmp_path / "00_data.ipynb"], tmp_path, tmp_path / "runs")
    assert result.returncode == 1
    assert "0.1308" in result.stdout and "1 failed" in result.stdout
