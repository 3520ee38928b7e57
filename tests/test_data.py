import os
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision import datasets, transforms

from labutils.data import (
    DATA_ROOT_ENV,
    MNISTCorruptError,
    MNISTNotFoundError,
    batches,
    load_mnist,
    normalize,
    resolve_data_root,
)

REPORT_TRANSFORM = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
RAW_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte"]


def test_normalize_is_bitwise_the_reports_transforms_on_every_byte_value():
    images = torch.arange(2 * 784).remainder(256).to(torch.uint8).reshape(2, 28, 28)  # all 256 values
    ours = normalize(images)
    theirs = torch.stack([REPORT_TRANSFORM(Image.fromarray(im.numpy(), mode="L")).flatten() for im in images])
    assert ours.dtype == torch.float32 and ours.shape == (2, 784)
    assert torch.equal(ours, theirs)


@pytest.mark.mnist
def test_loaded_mnist_equals_the_reports_dataloader_batches(mnist, mnist_root):
    dataset = datasets.MNIST(mnist_root, train=True, transform=REPORT_TRANSFORM)
    loader = torch.utils.data.DataLoader(dataset, batch_size=64)
    for i, ((x, y), (ours_x, ours_y)) in enumerate(zip(loader, batches(mnist.train_images, mnist.train_labels, 64))):
        assert torch.equal(x.view(x.size(0), -1), ours_x) and torch.equal(y, ours_y)
        if i == 20:
            break
    assert mnist.train_images.shape == (60000, 784) and mnist.test_images.shape == (10000, 784)


def test_batches_cover_everything_in_order_with_a_short_last_batch():
    x, y = torch.arange(10.0).reshape(10, 1), torch.arange(10)
    got = list(batches(x, y, 4))
    assert [len(b[1]) for b in got] == [4, 4, 2]
    assert torch.equal(torch.cat([b[1] for b in got]), y)


def test_data_root_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_ROOT_ENV, str(tmp_path / "env"))
    assert resolve_data_root(tmp_path / "arg") == tmp_path / "arg"
    assert resolve_data_root(None) == tmp_path / "env"
    monkeypatch.delenv(DATA_ROOT_ENV)
    assert resolve_data_root(None) == Path("~/.cache/labutils/data").expanduser()
    with pytest.raises(TypeError, match="data_root"):
        resolve_data_root(3)


def test_missing_data_offline_gives_one_message_with_paths_and_fix(tmp_path):
    with pytest.raises(MNISTNotFoundError) as err:
        load_mnist(tmp_path, download=False)
    msg = str(err.value)
    for name in RAW_FILES:
        assert str(tmp_path / "MNIST" / "raw" / name) in msg
    assert "data_root=" in msg and DATA_ROOT_ENV in msg and "download=True" in msg


def test_failed_download_is_reported_with_its_cause(tmp_path, monkeypatch):
    def no_network(self):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz: network unreachable")

    monkeypatch.setattr(datasets.MNIST, "download", no_network)
    with pytest.raises(MNISTNotFoundError, match="Downloading failed: .*network unreachable"):
        load_mnist(tmp_path, download=True)


@pytest.fixture
def mnist_copy(tmp_path, mnist_root):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in RAW_FILES:
        shutil.copy(Path(mnist_root) / "MNIST" / "raw" / name, raw / name)
    return tmp_path


@pytest.mark.mnist
def test_truncated_file_gives_a_clear_error_naming_it(mnist_copy):
    path = mnist_copy / "MNIST" / "raw" / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(MNISTCorruptError, match="t10k-images-idx3-ubyte is corrupt: expected an IDX file of 7840016 bytes"):
        load_mnist(mnist_copy, download=False)


@pytest.mark.mnist
def test_wrong_header_gives_a_clear_error(mnist_copy):
    path = mnist_copy / "MNIST" / "raw" / "train-labels-idx1-ubyte"
    data = bytearray(path.read_bytes())
    data[0:4] = (1234).to_bytes(4, "big")
    path.write_bytes(bytes(data))
    with pytest.raises(MNISTCorruptError, match=r"header \[2049, 60000\], found 60008 bytes with header \[1234, 60000\]"):
        load_mnist(mnist_copy, download=True)


@pytest.mark.mnist
def test_read_only_data_folder_works(mnist_copy, mnist):
    folders = [mnist_copy, mnist_copy / "MNIST", mnist_copy / "MNIST" / "raw"]
    for f in [*folders, *(folders[-1] / n for n in RAW_FILES)]:
        f.chmod(f.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        data = load_mnist(mnist_copy, download=True)
        assert torch.equal(data.test_images, mnist.test_images)
        assert sorted(os.listdir(mnist_copy / "MNIST" / "raw")) == sorted(RAW_FILES)
    finally:
        for f in folders:
            f.chmod(0o755)


def test_subset_and_to_keep_the_test_set_whole(tiny):
    sub = tiny.subset(10)
    assert len(sub.train_labels) == 10 and len(sub.test_labels) == len(tiny.test_labels)
    assert tiny.subset(None) is tiny
    assert np.allclose(sub.to("cpu").train_images.numpy(), tiny.train_images[:10].numpy())
