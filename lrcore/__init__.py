"""Learning-Rate Decay Lab: the science, in NumPy only.

* :mod:`lrcore.schedules` — every schedule, exact against Keras/TensorFlow and PyTorch;
* :mod:`lrcore.registry` — the schedules as a UI lists them (names, parameters, defaults).

Importing ``lrcore`` never imports torch or streamlit.
"""

from lrcore import registry, schedules
from lrcore.schedules import Schedule, steps_per_epoch

__all__ = ["registry", "schedules", "Schedule", "steps_per_epoch"]
