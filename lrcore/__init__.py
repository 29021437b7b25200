"""Learning-Rate Decay Lab: the science, in NumPy only.

* :mod:`lrcore.schedules` — every schedule, exact against Keras/TensorFlow and PyTorch, one module a family;
* :mod:`lrcore.registry` — the schedules as a UI lists them (names, parameters, defaults);
* :mod:`lrcore.problems` — the noisy quadratic and a finite least-squares dataset;
* :mod:`lrcore.optim` — SGD (momentum, Nesterov), Adagrad, RMSprop, Adam, AdamW, as torch;
* :mod:`lrcore.simulate` — many runs at once, on common random numbers;
* :mod:`lrcore.theory` — the exact expected loss, noise floor and stability bound.

Importing ``lrcore`` never imports torch or streamlit.
"""

from lrcore import optim, registry, schedules, theory
from lrcore.problems import LeastSquares, NoisyQuadratic
from lrcore.schedules import Schedule, steps_per_epoch
from lrcore.simulate import SimulationResult, simulate, simulate_many

__all__ = [
    "optim",
    "registry",
    "schedules",
    "theory",
    "Schedule",
    "steps_per_epoch",
    "NoisyQuadratic",
    "LeastSquares",
    "simulate",
    "simulate_many",
    "SimulationResult",
]
