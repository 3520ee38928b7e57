"""MNIST as whole tensors, normalized exactly as the lab report's transforms do.

The report feeds each image through ``ToTensor()`` and ``Normalize((0.1307,),
(0.3081,))`` inside a ``DataLoader``; that costs about 4-5 s per epoch on one core of
the course's CI machine (``benchmarks/bench_training.py``).  Here the same two element-wise operations run once over the whole set, so a
batch is a slice of one tensor and every value is bitwise the one the report's
pipeline produces (``tests/test_data.py`` checks this).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch

MEAN, STD = 0.1307, 0.3081  # the training set's pixel mean and std (after /255)
DATA_ROOT_ENV = "LABUTILS_DATA_ROOT"
DEFAULT_DATA_ROOT = Path("~/.cache/labutils/data")

# (file, IDX magic number, shape) of the four raw files torchvision reads.
_IDX_FILES = {
    "train-images-idx3-ubyte": (2051, (60000, 28, 28)),
    "train-labels-idx1-ubyte": (2049, (60000,)),
    "t10k-images-idx3-ubyte": (2051, (10000, 28, 28)),
    "t10k-labels-idx1-ubyte": (2049, (10000,)),
}


class MNISTNotFoundError(FileNotFoundError):
    """MNIST is neither on disk nor downloadable; the message says where we looked."""


class MNISTCorruptError(ValueError):
    """A raw MNIST file exists but is truncated or not an IDX file of the right shape."""


@dataclass(frozen=True)
class MNIST:
    """The normalized MNIST splits, flattened: images ``(N, 784)`` float32, labels ``(N,)`` int64."""

    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor

    def to(self, device: torch.device | str) -> MNIST:
        """Move all four tensors to ``device`` once, so no batch is copied in the loop."""
        return MNIST(*(t.to(device) for t in self.tensors()))

    def subset(self, n_train: int | None) -> MNIST:
        """Keep the first ``n_train`` training images (all of them for None); the test set stays whole."""
        if n_train is None:
            return self
        return MNIST(self.train_images[:n_train], self.train_labels[:n_train],
                     self.test_images, self.test_labels)

    def tensors(self) -> tuple[torch.Tensor, ...]:
        return (self.train_images, self.train_labels, self.test_images, self.test_labels)


def resolve_data_root(data_root: str | os.PathLike | None = None) -> Path:
    """The folder that holds ``MNIST/raw``: the argument, else ``$LABUTILS_DATA_ROOT``, else ``~/.cache/labutils/data``."""
    if data_root is not None and not isinstance(data_root, (str, os.PathLike)):
        raise TypeError(f"data_root must be a path string or None, got {data_root!r}")
    chosen = data_root or os.environ.get(DATA_ROOT_ENV) or DEFAULT_DATA_ROOT
    return Path(chosen).expanduser()


def normalize(images: torch.Tensor) -> torch.Tensor:
    """uint8 images ``(N, 28, 28)`` -> float32 ``(N, 784)``, as ``ToTensor`` then ``Normalize`` compute them.

    The operations and their order are the transforms' own (``to(float).div(255)``,
    then ``sub_(mean).div_(std)`` with float32 mean and std), hence bitwise equal.
    """
    x = images.reshape(len(images), -1).to(torch.get_default_dtype()).div(255)
    return x.sub_(torch.as_tensor([MEAN])).div_(torch.as_tensor([STD]))


def denormalize(images: torch.Tensor) -> torch.Tensor:
    """Normalized images back to pixel values in [0, 1] (for display and statistics)."""
    return images * STD + MEAN


def check_raw_files(raw: Path) -> None:
    """Raise MNISTCorruptError if any raw IDX file present in ``raw`` has a wrong header or size.

    torchvision would otherwise fail deep inside ``torch.frombuffer`` with a message
    that names no file.
    """
    for name, (magic, shape) in _IDX_FILES.items():
        path = raw / name
        if not path.exists():
            continue
        expected = 4 + 4 * len(shape) + int(torch.tensor(shape).prod())
        size = path.stat().st_size
        with path.open("rb") as f:
            header = f.read(4 + 4 * len(shape))
        ints = [int.from_bytes(header[i:i + 4], "big") for i in range(0, len(header), 4)]
        if size != expected or ints != [magic, *shape]:
            raise MNISTCorruptError(
                f"MNIST file {path} is corrupt: expected an IDX file of {expected} bytes with "
                f"header {[magic, *shape]}, found {size} bytes with header {ints}. "
                "Replace it with a fresh copy (delete it and load with download=True when online)."
            )


def _missing_message(root: Path, raw: Path, download_error: Exception | None) -> str:
    tried = "\n".join(f"  {raw / name}" for name in _IDX_FILES)
    why = (f"Downloading failed: {download_error}\n" if download_error
           else "download=False, so nothing was downloaded.\n")
    return (
        f"MNIST not found under data_root={str(root)!r}. Looked for:\n{tried}\n{why}"
        f"Fix: pass data_root='/path/to/folder' (the folder that holds MNIST/raw), or set "
        f"the environment variable {DATA_ROOT_ENV}=/path/to/folder, or run once online "
        "with download=True."
    )


def load_mnist(
    data_root: str | os.PathLike | None = None,
    download: bool = True,
) -> MNIST:
    """Load MNIST through ``torchvision.datasets.MNIST`` and normalize it as the report does.

    Args:
        data_root: folder holding ``MNIST/raw``; None means ``$LABUTILS_DATA_ROOT``,
            else ``~/.cache/labutils/data``.
        download: fetch the files when missing (needs internet). A read-only folder
            that already holds them works either way.

    Raises:
        MNISTNotFoundError: files missing and not downloadable; lists the paths tried.
        MNISTCorruptError: a raw file is truncated or malformed.
    """
    from torchvision import datasets  # imported here: torchvision is slow to import

    root = resolve_data_root(data_root)
    raw = root / "MNIST" / "raw"
    check_raw_files(raw)
    splits = []
    for train in (True, False):
        try:
            splits.append(datasets.MNIST(root, train=train, download=False))
        except RuntimeError:
            if not download:
                raise MNISTNotFoundError(_missing_message(root, raw, None)) from None
            try:
                splits.append(datasets.MNIST(root, train=train, download=True))
            except Exception as err:  # network, permissions, checksum: all end the same way
                raise MNISTNotFoundError(_missing_message(root, raw, err)) from err
            check_raw_files(raw)
    train, test = splits
    return MNIST(normalize(train.data), train.targets, normalize(test.data), test.targets)


def batches(
    images: torch.Tensor, labels: torch.Tensor, batch_size: int,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Consecutive ``(images, labels)`` slices of ``batch_size``; the last may be shorter.

    Slices are views, so a batch costs no copy: this is the report's unshuffled
    ``DataLoader`` order without the per-sample transforms.
    """
    for start in range(0, len(labels), batch_size):
        yield images[start:start + batch_size], labels[start:start + batch_size]
