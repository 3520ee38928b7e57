"""The fully connected networks of the lab.

Every model is an ``nn.Sequential`` of ``Linear`` layers, each hidden one followed
by an optional ``BatchNorm1d`` and an activation, and a ``LogSoftmax`` output, so
that ``F.nll_loss`` on its output is the cross-entropy (as in the lab report).
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

IN_FEATURES = 28 * 28
N_CLASSES = 10
ACTIVATIONS: dict[str, type[nn.Module]] = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}


def check_activation(activation: object) -> str:
    """Return ``activation`` if it names a supported activation, else raise ValueError."""
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}"
        )
    return activation  # type: ignore[return-value]


def build_model(
    hidden: Sequence[int],
    activation: str = "sigmoid",
    batchnorm: bool = False,
    in_features: int = IN_FEATURES,
    n_classes: int = N_CLASSES,
) -> nn.Sequential:
    """Build ``in -> hidden[0] -> ... -> hidden[-1] -> n_classes`` with LogSoftmax output.

    Layers are created in forward order, so under a fixed ``torch.manual_seed`` the
    initial weights equal those of the report's ``torch.nn.Sequential`` definitions.

    Args:
        hidden: widths of the hidden layers, e.g. ``(30,)`` or ``(30, 50, 80, 100, 120, 150)``.
        activation: ``"sigmoid"`` or ``"relu"``.
        batchnorm: insert ``BatchNorm1d`` between each hidden ``Linear`` and its activation.

    Returns:
        A model mapping images ``(B, 784)`` to log-probabilities ``(B, 10)``.
    """
    act = ACTIVATIONS[check_activation(activation)]
    if not hidden or any(not isinstance(w, int) or isinstance(w, bool) or w < 1 for w in hidden):
        raise ValueError(f"hidden must be a non-empty sequence of positive ints, got {hidden!r}")
    layers: list[nn.Module] = []
    width = in_features
    for out in hidden:
        layers.append(nn.Linear(width, out))
        if batchnorm:
            layers.append(nn.BatchNorm1d(out))
        layers.append(act())
        width = out
    layers += [nn.Linear(width, n_classes), nn.LogSoftmax(dim=1)]
    return nn.Sequential(*layers)
