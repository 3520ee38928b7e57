"""The lab report's training script, kept to its recipe, as the benchmark's baseline.

Per-sample ``ToTensor`` + ``Normalize`` through a ``DataLoader`` (no shuffle on the
CPU: the report's ``shuffle=True`` sits in its CUDA-only kwargs), a fresh model
under ``torch.manual_seed(seed)``, SGD(momentum=0.9) and StepLR(1, gamma), and the
report's ``train``/``test`` functions, except that they return their numbers
instead of printing them.  Only the model comes from ``labutils`` (the report's
``torch.nn.Sequential`` definitions, layer for layer).
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F
from torch import optim
from torch.optim.lr_scheduler import StepLR
from torchvision import datasets, transforms


def report_loaders(root: str, batch_size: int = 64, test_batch_size: int = 64, train_subset=None):
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    dataset1 = datasets.MNIST(root, train=True, download=False, transform=transform)
    dataset2 = datasets.MNIST(root, train=False, transform=transform)
    if train_subset is not None:
        dataset1 = torch.utils.data.Subset(dataset1, range(train_subset))
    train_loader = torch.utils.data.DataLoader(dataset1, batch_size=batch_size)
    test_loader = torch.utils.data.DataLoader(dataset2, batch_size=test_batch_size)
    return train_loader, test_loader


def train(model, device, train_loader, optimizer):
    model.train()
    sum_loss = 0
    correct = 0
    n = 0
    weighted = 0.0
    for data, target in train_loader:
        data, target = data.to(device), target.to(device)
        data = data.view(data.size(0), -1)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        sum_loss += loss.item()
        weighted += loss.item() * len(target)
        loss.backward()
        optimizer.step()
        pred = output.argmax(dim=1, keepdim=True)
        correct += pred.eq(target.view_as(pred)).sum().item()
        n += len(target)
    # (true mean per sample, the report's sum of batch means / N, accuracy)
    return weighted / n, sum_loss / len(train_loader.dataset), correct / len(train_loader.dataset)


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            data = data.view(data.size(0), -1)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    return test_loss / len(test_loader.dataset), correct / len(test_loader.dataset)


def run_report_recipe(experiment, root: str, epochs: int = 15, lr: float = 0.001,
                      gamma: float = 0.7, seed: int = 1, train_subset=None):
    """Per-epoch ``(train_loss, train_loss_report, train_acc, test_loss, test_acc, lr, seconds)``."""
    device = torch.device("cpu")
    torch.manual_seed(seed)
    train_loader, test_loader = report_loaders(root, train_subset=train_subset)
    model = experiment.build().to(device)
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    scheduler = StepLR(optimizer, step_size=1, gamma=gamma)
    rows = []
    for _ in range(epochs):
        start = time.perf_counter()
        epoch_lr = optimizer.param_groups[0]["lr"]
        train_loss, train_loss_report, train_acc = train(model, device, train_loader, optimizer)
        test_loss, test_acc = test(model, device, test_loader)
        scheduler.step()
        rows.append((train_loss, train_loss_report, train_acc, test_loss, test_acc, epoch_lr,
                     time.perf_counter() - start))
    return rows
