"""The source notebooks' anatomy: clean, parameterized, Colab-ready, all in the book's toc."""

import json
import re

import nbformat
import pytest
import yaml

from helpers import ROOT
from labutils.config import TrainConfig
from labutils.experiments import EXPERIMENTS

SOURCES = sorted((ROOT / "notebooks").glob("*.ipynb"))
LABS = [p for p in SOURCES if p.stem[3:] in EXPERIMENTS]
REPORT_PARAMS = ["batch_size", "test_batch_size", "epochs", "lr", "gamma", "momentum", "seed", "no_cuda",
                 "dry_run", "log_interval", "save_model"]


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _params(nb):
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    values = {}
    exec(cell.source, {}, values)
    return values


def test_there_is_a_lab_per_experiment_and_the_extra_chapters():
    assert sorted(p.stem[3:] for p in LABS) == sorted(EXPERIMENTS)
    assert {"00_data", "06_gradients", "07_results"} <= {p.stem for p in SOURCES}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_source_notebooks_are_clean_with_a_title_and_a_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    for cell in _code(nb):
        assert cell.outputs == [] and cell.execution_count is None, "commit notebooks/ without outputs"
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
    assert not any(re.match(r"\s*def ", c.source) for c in _code(nb)), "functions belong in labutils"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_first_code_cell_installs_labutils_on_colab_only_from_the_books_repository(path):
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    first = _code(nbformat.read(path, as_version=4))[0]
    assert 'if "google.colab" in sys.modules:' in first.source
    assert f"labutils @ git+{url}" in first.source
    assert "remove-cell" in first.metadata.get("tags", [])


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_lab_parameters_are_the_reports_settings(path):
    params = _params(nbformat.read(path, as_version=4))
    assert params["experiment"] == path.stem[3:]
    defaults = TrainConfig()
    for name in REPORT_PARAMS:
        assert params[name] == getattr(defaults, name), name
    assert {"data_root", "train_subset", "shuffle", "num_threads", "runs_dir"} <= set(params)


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_labs_have_the_same_anatomy_and_two_or_three_exercises(path):
    nb = nbformat.read(path, as_version=4)
    headings = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()
                if line.startswith("## ")]
    assert headings == ["## Parameters", "## Data", "## Model", "## Train", "## Results", "## Discussion",
                        "## Exercises"]
    solutions = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith(":::{dropdown} Solution")]
    assert 2 <= len(solutions) <= 3
    assert any("lab.self_check(run, data)" in c.source for c in _code(nb))


def test_every_figure_cell_has_alt_text():
    for path in SOURCES:
        for cell in _code(nbformat.read(path, as_version=4)):
            if re.search(r"lab\.(plot_|show_digits)", cell.source):
                assert cell.metadata.get("mystnb", {}).get("image", {}).get("alt"), (path.stem, cell.source)


def test_the_toc_lists_every_notebook_and_the_book_has_one_toc():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert sorted(f for f in files if f.startswith("notebooks/")) == [f"notebooks/{p.stem}" for p in SOURCES]
    link = ROOT / "book" / "_toc.yml"
    assert link.is_symlink() and link.resolve() == (ROOT / "_toc.yml").resolve()


def test_executed_notebooks_match_the_sources_cell_for_cell():
    for path in SOURCES:
        src = nbformat.read(path, as_version=4)
        done = nbformat.read(ROOT / "book" / "notebooks" / path.name, as_version=4)
        ran = [c.source for c in done.cells if "injected-parameters" not in c.metadata.get("tags", [])]
        assert ran == [c.source for c in src.cells], f"{path.name}: run `make notebooks` after editing it"
        assert not [o for c in _code(done) for o in c.outputs if o.output_type == "error"]
        assert json.loads(path.read_text())["metadata"].get("labutils", {}).get("needs_records", False) == \
            (path.stem in ("06_gradients", "07_results"))
