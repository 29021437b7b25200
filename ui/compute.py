"""The pages' computations, cached. Each is a thin wrapper around lrcore (via ui.views).

Arguments are frozen configs or canonical JSON specs, so they hash cheaply and equal
settings hit the cache; results are small plot-ready arrays, so copying them out of
the cache costs little.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from lrcore import registry
from lrcore.race import RaceConfig
from ui import views


@st.cache_data(max_entries=64, show_spinner="Racing the two schedules…")
def race_view(config: RaceConfig) -> views.RaceView:
    return views.compute_race_view(config)


@st.cache_data(max_entries=256, show_spinner=False)
def schedule_rates(spec_json: str, horizon: int) -> np.ndarray:
    """The rate at every step 0..horizon-1 (ValueError from the factory propagates)."""
    return views.schedule_rates(registry.thaw(spec_json), horizon)


@st.cache_data(max_entries=32, show_spinner="Simulating the feedback loop…")
def plateau_rates(spec_json: str, horizon: int) -> np.ndarray:
    return views.plateau_rates(registry.thaw(spec_json), horizon)


@st.cache_data(max_entries=32, show_spinner="Training on the finite dataset…")
def step_experiment(config: views.StepConfig) -> views.StepView:
    return views.step_experiment(config)


@st.cache_data(max_entries=64, show_spinner="Asking PyTorch…")
def torch_difference(spec_json: str, horizon: int) -> float | None:
    """Max |ours - torch| over the horizon, or None when no torch scheduler is mirrored.

    torch is imported here, on demand, never at start-up.
    """
    from ui import torch_check  # imports torch

    return torch_check.max_difference(registry.thaw(spec_json), horizon)
