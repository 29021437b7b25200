"""Learning-Rate Decay Lab: the science, in NumPy (and SciPy's optimisers, imported only when
a lab searches).

* :mod:`lrcore.schedules` — every schedule, exact against Keras/TensorFlow and PyTorch, one module a family;
* :mod:`lrcore.registry` — the schedules as a UI lists them (names, parameters, defaults);
* :mod:`lrcore.problems` — the noisy quadratic, a finite least-squares dataset and the warmup lab's quartic bowl;
* :mod:`lrcore.optim` — SGD (momentum, Nesterov), Adagrad, RMSprop, Adam, AdamW, as torch;
* :mod:`lrcore.simulate` — many runs at once, on common random numbers;
* :mod:`lrcore.theory` — the exact expected loss, noise floor and stability bound;
* :mod:`lrcore.optimal` — the best possible schedule (greedy and optimal) and how close a schedule comes;
* :mod:`lrcore.families` — which library schedule a schedule resembles;
* :mod:`lrcore.batch` — batch size: noise floors under scaling rules, steps to a target, the critical batch;
* :mod:`lrcore.warmup` — when warmup helps (the quartic bowl, Adam) and when it cannot (a quadratic);
* :mod:`lrcore.nets` — the global_step answer's 5-6-2 network, trained with torch: a constant rate against a decayed one.

Importing ``lrcore`` never imports torch or streamlit (:mod:`lrcore.nets`, the answer's network, imports torch inside its training functions).
"""

from lrcore import batch, families, optim, optimal, registry, schedules, theory, warmup
from lrcore.problems import LeastSquares, NoisyQuadratic, QuarticBowl
from lrcore.schedules import Schedule, steps_per_epoch
from lrcore.simulate import SimulationResult, simulate, simulate_many

__all__ = [
    "optim",
    "registry",
    "schedules",
    "theory",
    "optimal",
    "families",
    "batch",
    "warmup",
    "Schedule",
    "steps_per_epoch",
    "NoisyQuadratic",
    "LeastSquares",
    "QuarticBowl",
    "simulate",
    "simulate_many",
    "SimulationResult",
]
