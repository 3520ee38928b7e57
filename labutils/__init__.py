"""labutils: the code behind the course "Training neural networks with backpropagation".

Notebooks import it as ``import labutils as lab`` and stay a few lines per cell:
``lab.load_mnist`` (data), ``lab.EXPERIMENTS`` (the report's five nets),
``lab.run_experiment`` (train one), ``lab.save_run`` (its JSON record),
``lab.plot_history`` (figures), ``lab.self_check`` (compare with the references).
Nothing runs on import.
"""

from .config import ParameterError, TrainConfig
from .data import MNIST, MNISTCorruptError, MNISTNotFoundError, load_mnist
from .diagnostics import grad_ratio
from .experiments import EXPERIMENTS, Experiment, Run, get_experiment, run_experiment
from .models import build_model
from .plotting import (
    plot_comparison, plot_gradient_profiles, plot_history, plot_layers, plot_metric, plot_preactivation_scale,
    show_digits, style,
)
from .records import load_checkpoint, load_records, records_subdir, save_run
from .results import (
    activation_table, check_records, class_table, columns, compare_at_epoch, compare_with_report,
    diagnostics_by_experiment, grad_ratio_table, pixel_stats_table, provenance, report_vs_seeds_table,
    results_table, seed_table,
)
from .selfcheck import self_check
from .training import History, evaluate, fit

__version__ = "1.0.0"

__all__ = [
    "EXPERIMENTS", "MNIST", "Experiment", "History", "MNISTCorruptError", "MNISTNotFoundError",
    "ParameterError", "Run", "TrainConfig", "activation_table", "build_model", "check_records",
    "class_table", "columns", "compare_at_epoch", "compare_with_report", "diagnostics_by_experiment",
    "evaluate", "fit", "get_experiment", "grad_ratio", "grad_ratio_table", "load_checkpoint", "load_mnist",
    "load_records", "pixel_stats_table", "plot_comparison", "plot_gradient_profiles", "plot_history",
    "plot_layers", "plot_metric", "plot_preactivation_scale", "provenance", "records_subdir",
    "report_vs_seeds_table", "results_table", "run_experiment", "save_run", "seed_table", "self_check",
    "show_digits", "style",
]
