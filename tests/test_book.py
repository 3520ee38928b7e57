"""`jupyter-book build book/` renders the committed notebooks, and fails on a notebook whose cell raised."""

import subprocess

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import jupyter_book, write_notebook

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]


def test_build_succeeds_without_warnings_and_renders_every_page(built_site):
    html = built_site / "_build" / "html"
    pages = {p.relative_to(html).as_posix() for p in html.rglob("*.html")}
    assert {"intro.html", "reproduce.html", "notebooks/07_results.html", "notebooks/01_sigmoid_1h.html"} <= pages
    results = (html / "notebooks" / "07_results.html").read_text()
    assert "<table" in results and "5 hidden layers, ReLU + BatchNorm" in results
    assert "google.colab" not in results  # the install cell is removed from the pages


def test_build_fails_when_a_notebook_cell_raised(book_copy, tmp_path):
    nb_path = write_notebook(tmp_path / "raises.ipynb", "x = 1", "1 / 0")
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("# The data: MNIST"))
    NotebookClient(nb, allow_errors=True, kernel_name="python3").execute()  # a real error output
    nbformat.write(nb, book_copy / "book" / "notebooks" / "00_data.ipynb")
    result = subprocess.run(jupyter_book(book_copy), capture_output=True, text=True)
    assert result.returncode != 0
    assert "notebook cell 2 raised ZeroDivisionError: division by zero" in result.stdout + result.stderr
