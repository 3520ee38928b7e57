"""Helpers shared by the slow tests: kernel environment and small notebooks."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat

from labutils.runner import KERNEL_ENV

ROOT = Path(__file__).resolve().parents[1]


def metrics(history) -> list[dict]:
    """Per-epoch records without the wall time, for exact comparisons."""
    return [{k: v for k, v in vars(e).items() if k != "seconds"} for e in history.epochs]


def jupyter_book(root: Path) -> list[str]:
    """The command that builds the book in ``root``, as the README's instructions run it."""
    import sys

    return [str(Path(sys.executable).with_name("jupyter-book")), "build", str(root / "book"), "-W", "--keep-going"]


def kernel_env(**extra: str) -> dict[str, str]:
    return {**os.environ, **KERNEL_ENV, **extra}


def write_notebook(path: Path, *sources: str, parameters: str | None = None) -> Path:
    """A notebook with an optional ``parameters`` cell followed by code cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if parameters is not None:
        cell = nbformat.v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path
