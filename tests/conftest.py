"""Shared fixtures: real MNIST (from $LABUTILS_DATA_ROOT) and small synthetic data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from helpers import ROOT, jupyter_book
from labutils.data import MNIST


def data_root() -> str:
    """The real MNIST folder; skips locally without it, fails in CI (which must have it)."""
    root = os.environ.get("LABUTILS_DATA_ROOT")
    if not root or not (Path(root) / "MNIST" / "raw").is_dir():
        if os.environ.get("CI"):
            pytest.fail("CI must set LABUTILS_DATA_ROOT to a folder holding MNIST/raw")
        pytest.skip("real MNIST not available: set LABUTILS_DATA_ROOT")
    return root


@pytest.fixture(scope="session")
def mnist_root() -> str:
    return data_root()


@pytest.fixture(scope="session")
def mnist(mnist_root) -> MNIST:
    from labutils import load_mnist

    return load_mnist(mnist_root, download=False)


@pytest.fixture
def tiny() -> MNIST:
    """256 training and 128 test 'images' of noise with learnable labels (a random linear rule)."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(384, 784, generator=g)
    w = torch.randn(784, 10, generator=g)
    y = (x @ w).argmax(dim=1)
    return MNIST(x[:256], y[:256], x[256:], y[256:])


def copy_book(dest: Path) -> Path:
    """The book with its config and toc (the symlink kept), in ``dest``, as a fresh clone has it."""
    import shutil

    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "book", dest / "book", symlinks=True,
                    ignore=shutil.ignore_patterns("_build", "__pycache__"))
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, dest / name)
    return dest


@pytest.fixture
def book_copy(tmp_path) -> Path:
    return copy_book(tmp_path / "site")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """One build of the book, as `jupyter-book build book/ -W --keep-going` makes it."""
    import subprocess

    root = copy_book(tmp_path_factory.mktemp("built"))
    result = subprocess.run(jupyter_book(root), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return root
