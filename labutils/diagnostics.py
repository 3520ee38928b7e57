"""Gradient-flow diagnostics, measured on a fixed probe batch before training and after every epoch.

A probe is one forward and backward pass in training mode over the same
``n`` training images.  It records, per hidden layer, what explains why a deep
Sigmoid net cannot learn and what BatchNorm and ReLU change:

- ``grad_norm``: L2 norm of the loss gradient w.r.t. each ``Linear`` weight (all layers, input first);
- ``preact_std``: spread of each hidden ``Linear`` output (the pre-activation, before BatchNorm);
- ``bn_std``: spread after BatchNorm (empty without BatchNorm);
- ``saturated``: fraction of Sigmoid outputs below 0.05 or above 0.95 (derivative < 0.048);
- ``act_grad``: mean derivative of the activation (Sigmoid: s(1-s) <= 0.25; ReLU: fraction active);
- ``dead``: fraction of ReLU units that output 0 for every probe image.

The probe uses ``torch.autograd.grad`` (parameters' ``.grad`` untouched) and
restores BatchNorm's running statistics, so training is bitwise unaffected
(``tests/test_diagnostics.py`` checks this).  It costs about one percent of an epoch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

SATURATION = 0.05  # sigmoid outputs within this of 0 or 1 count as saturated


def _std(t: torch.Tensor) -> float:
    return t.detach().float().std().item()


def measure(model: nn.Sequential, images: torch.Tensor, labels: torch.Tensor) -> dict[str, Any]:
    """One probe of ``model`` on ``images`` ``(n, 784)``; see the module docstring for the keys."""
    saved = {name: b.clone() for name, b in model.named_buffers()}
    was_training = model.training
    model.train()
    stats: dict[str, list[float]] = {k: [] for k in
                                     ("preact_std", "bn_std", "saturated", "act_grad", "dead")}
    weights = []
    h = images
    with torch.enable_grad():
        for layer in model:
            h = layer(h)
            if isinstance(layer, nn.Linear):
                weights.append(layer.weight)
                stats["preact_std"].append(_std(h))
            elif isinstance(layer, nn.BatchNorm1d):
                stats["bn_std"].append(_std(h))
            elif isinstance(layer, nn.Sigmoid):
                s = h.detach()
                stats["saturated"].append(((s < SATURATION) | (s > 1 - SATURATION)).float().mean().item())
                stats["act_grad"].append((s * (1 - s)).mean().item())
            elif isinstance(layer, nn.ReLU):
                a = h.detach()
                stats["act_grad"].append((a > 0).float().mean().item())
                stats["dead"].append((a.amax(dim=0) == 0).float().mean().item())
        loss = F.nll_loss(h, labels)
        grads = torch.autograd.grad(loss, weights)
    with torch.no_grad():
        for name, b in model.named_buffers():
            b.copy_(saved[name])
    model.train(was_training)
    stats["preact_std"] = stats["preact_std"][:-1]  # the output layer's logits are not a hidden layer
    return {"loss": loss.item(), "grad_norm": [g.norm().item() for g in grads], **stats}


def make_probe(
    images: torch.Tensor, labels: torch.Tensor, n: int = 1024,
) -> Callable[[nn.Sequential], dict[str, Any]]:
    """A probe over the first ``n`` of ``images``, for ``training.fit(probe=...)``."""
    x, y = images[:n], labels[:n]
    return lambda model: measure(model, x, y)


def grad_ratio(diagnostics: dict[str, Any]) -> float:
    """Gradient norm of the first ``Linear`` weight over that of the last: < 1 means it shrinks towards the input."""
    norms = diagnostics["grad_norm"]
    return norms[0] / norms[-1]
