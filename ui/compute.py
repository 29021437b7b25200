"""The pages' computations, cached. Each is a thin wrapper around lrcore (via ui.views).

Arguments are frozen configs or specs, so they hash cheaply and equal settings hit the
cache; results are small plot-ready arrays, so copying them out of the cache costs little.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from dataclasses import replace

from lrcore import global_step, race, registry
from lrcore.race import RaceConfig, RaceMarks
from ui import views


@st.cache_data(max_entries=64, show_spinner="Racing the lanes…")
def race_view(config: RaceConfig) -> views.RaceView:
    return views.compute_race_view(config)


def race_marks(config: RaceConfig) -> RaceMarks | None:
    """The rate slider's marks, for the race's one optimizer: they depend on everything but the rate."""
    return _marks(replace(config, lr=RaceConfig.lr))


@st.cache_data(max_entries=64, show_spinner=False)
def _marks(config: RaceConfig) -> RaceMarks | None:
    optimizers = config.optimizers
    return race.race_marks(config.problem(), optimizers[0].build(), config.steps) if len(optimizers) == 1 else None


@st.cache_data(max_entries=256, show_spinner=False)
def schedule_rates(spec_json: str, horizon: int) -> np.ndarray:
    """The rate at every step 0..horizon-1 (ValueError from the factory propagates)."""
    return views.schedule_rates(registry.thaw(spec_json), horizon)


@st.cache_data(max_entries=32, show_spinner="Simulating the feedback loop…")
def plateau_rates(spec_json: str, horizon: int) -> np.ndarray:
    return race.feedback_rates(registry.Spec.from_json(spec_json), horizon)


@st.cache_data(max_entries=32, show_spinner="Training on the finite dataset…")
def step_view(config: global_step.StepConfig) -> views.StepView:
    return views.step_view(config)


@st.cache_data(max_entries=64, show_spinner="Asking PyTorch…")
def torch_difference(spec_json: str, horizon: int) -> float | None:
    """Max |ours - torch| over the horizon, or None when no torch scheduler is mirrored.

    torch is imported here, on demand, never at start-up.
    """
    from ui import torch_check  # imports torch

    return torch_check.max_difference(registry.thaw(spec_json), horizon)
