"""Figures of the course. Functions take plain numbers and an optional ``ax``, and return the axes.

One style everywhere: colour says the activation (and BatchNorm), line style says
the depth, so a reader can match curves across pages.  Colours are from the
Okabe-Ito palette, distinguishable with the common colour-vision deficiencies;
figures keep a white background so they stay readable in the theme's dark mode.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes

from .data import denormalize
from .experiments import EXPERIMENTS, Experiment

COLORS = {  # Okabe-Ito
    "sigmoid": "#0072B2",     # blue
    "sigmoid_bn": "#56B4E9",  # sky blue
    "relu": "#D55E00",        # vermillion
    "relu_bn": "#E69F00",     # orange
    "report": "#000000",      # the lab report's numbers
}
LINESTYLES = {1: "-", 6: "--"}  # by number of hidden layers
LINEWIDTH = 2


def style(experiment: str | Experiment) -> dict[str, object]:
    """Matplotlib keyword arguments for ``experiment``'s curves (colour, line style, label)."""
    exp = experiment if isinstance(experiment, Experiment) else EXPERIMENTS[experiment]
    return {"color": COLORS[exp.factor], "linestyle": LINESTYLES.get(len(exp.hidden), ":"),
            "linewidth": LINEWIDTH, "label": exp.title}


def _axes(ax: Axes | None, figsize=(6, 4)) -> Axes:
    return ax if ax is not None else plt.figure(figsize=figsize).add_subplot()


def _label(ax: Axes, xlabel: str, ylabel: str, logy: bool = False) -> Axes:
    """Axis labels, optional log scale and a light grid: the finish of every course figure."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    return ax


def show_digits(
    images: torch.Tensor, labels: Sequence[int], rows: int = 6, cols: int = 10, ax: Axes | None = None,
) -> Axes:
    """A grid of digits with their labels above them (the report's figure 1.1).

    Args:
        images: ``(N, 784)`` normalized or ``(N, 28, 28)`` uint8 images, N >= rows * cols.
        labels: their classes.
    """
    n = rows * cols
    x = images[:n].reshape(n, 28, 28).float()
    if images.dtype != torch.uint8:
        x = denormalize(x)
    grid = x.reshape(rows, cols, 28, 28).permute(0, 2, 1, 3).reshape(rows * 28, cols * 28)
    ax = _axes(ax, figsize=(cols * 0.8, rows * 0.9))
    ax.imshow(grid, cmap="gray_r")
    for i in range(n):
        r, c = divmod(i, cols)
        ax.text(c * 28 + 14, r * 28 + 1, str(int(labels[i])), ha="center", va="bottom",
                fontsize=9, color=COLORS["sigmoid"])
    ax.set_axis_off()
    return ax


def plot_metric(
    series: Mapping[str, Sequence[float]],
    ylabel: str,
    ax: Axes | None = None,
    reference: Mapping[str, float] | None = None,
    logy: bool = False,
) -> Axes:
    """One curve per experiment over epochs 1..E; ``reference`` marks the report's epoch-15 value.

    Args:
        series: ``{experiment name: values per epoch}``.
        reference: ``{experiment name: value}`` drawn as a black star at the last epoch.
    """
    ax = _axes(ax)
    for name, values in series.items():
        ax.plot(range(1, len(values) + 1), values, **style(name))
        if reference and name in reference:
            ax.plot(len(values), reference[name], marker="*", markersize=11, linestyle="none",
                    color=COLORS["report"], markeredgecolor="white")
    if reference:
        ax.plot([], [], marker="*", linestyle="none", color=COLORS["report"], label="report, epoch 15")
    return _label(ax, "epoch", ylabel, logy)


def plot_history(
    history: Mapping[str, Sequence[float]],
    experiment: str | Experiment,
    axes: Sequence[Axes] | None = None,
    reference: Mapping[str, float] | None = None,
) -> Sequence[Axes]:
    """Loss and accuracy curves of one run (train: thin, test: thick), side by side.

    Args:
        history: per-epoch columns ``train_loss``, ``test_loss``, ``train_acc``, ``test_acc``.
        reference: the report's ``test_loss`` and ``test_acc``, marked as stars.
    """
    if axes is None:
        axes = plt.figure(figsize=(10, 3.6), layout="constrained").subplots(1, 2)
    kw = style(experiment)
    for ax, metric, ylabel in zip(axes, ("loss", "acc"), ("loss (NLL per sample)", "accuracy")):
        for split, alpha, lw in (("train", 0.55, 1.2), ("test", 1.0, LINEWIDTH)):
            values = history[f"{split}_{metric}"]
            ax.plot(range(1, len(values) + 1), values, color=kw["color"], linestyle=kw["linestyle"],
                    alpha=alpha, linewidth=lw, label=split)
        if reference and f"test_{metric}" in reference:
            ax.plot(len(history[f"test_{metric}"]), reference[f"test_{metric}"], marker="*",
                    markersize=11, linestyle="none", color=COLORS["report"], label="report (test)")
        _label(ax, "epoch", ylabel).legend(frameon=False)
    return axes


def plot_layers(
    values: Mapping[str, Sequence[float]], ylabel: str, ax: Axes | None = None, logy: bool = False,
) -> Axes:
    """One curve per experiment over layer index (1 = next to the input)."""
    ax = _axes(ax)
    for name, v in values.items():
        ax.plot(range(1, len(v) + 1), v, marker="o", **style(name))
    return _label(ax, "layer (1 = input side)", ylabel, logy)


def plot_comparison(records: Mapping[str, Mapping], experiments: Mapping[str, Experiment] = EXPERIMENTS):
    """Test accuracy, test loss and train loss of all experiments per epoch, in three panels."""
    fig = plt.figure(figsize=(13, 3.8), layout="constrained")
    axes = fig.subplots(1, 3)
    present = [n for n in experiments if n in records]
    for ax, metric, label, logy in zip(axes, ("test_acc", "test_loss", "train_loss"),
                                       ("test accuracy", "test loss (per sample)", "train loss (per sample)"),
                                       (False, True, True)):
        series = {n: [e[metric] for e in records[n]["history"]] for n in present}
        ref = ({n: experiments[n].reference()[metric] for n in present}
               if metric in ("test_acc", "test_loss") else None)
        plot_metric(series, label, ax=ax, reference=ref, logy=logy)
    axes[0].legend(frameon=False, fontsize=8)
    return axes


def plot_gradient_profiles(diag: Mapping[str, Sequence[Mapping]]):
    """Gradient norm per Linear layer, at initialization and after the last epoch (log scale)."""
    fig = plt.figure(figsize=(11, 4), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, index, title in zip(axes, (0, -1), ("at initialization", "after the last epoch")):
        plot_layers({n: p[index]["grad_norm"] for n, p in diag.items()}, "gradient norm of the weights",
                    ax=ax, logy=True)
        ax.set_title(title)
    axes[0].legend(frameon=False, fontsize=8)
    return axes


def plot_preactivation_scale(diag: Mapping[str, Sequence[Mapping]]):
    """Spread of hidden pre-activations before (dotted) and after (solid) BatchNorm, at initialization."""
    ax = _axes(None, figsize=(6.5, 4))
    for name, probes in diag.items():
        p, kw = probes[0], style(name)
        if len(p["preact_std"]) < 2:
            continue
        ax.plot(range(1, len(p["preact_std"]) + 1), p["preact_std"], color=kw["color"], linestyle=":",
                marker="o", linewidth=LINEWIDTH, label=f"{kw['label']}: before BatchNorm")
        if p["bn_std"]:
            ax.plot(range(1, len(p["bn_std"]) + 1), p["bn_std"], color=kw["color"], linestyle="-",
                    marker="s", linewidth=LINEWIDTH, label=f"{kw['label']}: after BatchNorm")
    _label(ax, "hidden layer (1 = input side)", "std of pre-activation").legend(frameon=False, fontsize=8)
    return ax
