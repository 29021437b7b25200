"""The pages' computations, cached. Each is a thin wrapper around lrcore (via ui.views).

Arguments are frozen configs or specs, so they hash cheaply and equal settings hit the
cache; results are small plot-ready arrays, so copying them out of the cache costs little.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import functools
import threading
import time
from collections import OrderedDict
from dataclasses import replace
from typing import Callable

from lrcore import global_step, nets, race, registry
from lrcore.race import RaceConfig, RaceMarks, lane_labels
from ui import lab_views, views
from ui.i18n import _


ESTIMATE_FROM = 1_000_000  # run-steps


class _Views:
    """Recent race views, bounded, shared by every session of the server (thread-safe).

    Not ``st.cache_data``: a long race reports its progress to the page as it runs, and
    Streamlit would record and replay those progress messages with the cached value.
    """

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self.items: OrderedDict[RaceConfig, views.RaceView] = OrderedDict()
        self.lock = threading.Lock()
        self.seconds_per_run_step: float | None = None  # measured on this server, for estimates

    def get(self, config: RaceConfig) -> views.RaceView | None:
        with self.lock:
            view = self.items.get(config)
            if view is not None:
                self.items.move_to_end(config)
            return view

    def put(self, config: RaceConfig, view: views.RaceView, seconds: float) -> None:
        with self.lock:
            self.items[config] = view
            while len(self.items) > self.max_entries:
                self.items.popitem(last=False)
            if config.work >= ESTIMATE_FROM:  # small races are mostly fixed costs: no rate to learn
                rate = seconds / config.work
                old = self.seconds_per_run_step
                self.seconds_per_run_step = rate if old is None else 0.8 * old + 0.2 * rate


@st.cache_resource
def _views() -> _Views:
    return _Views(max_entries=64)


def race_view(config: RaceConfig, progress: Callable[[float], None] | None = None) -> views.RaceView:
    """The race's view, from the cache or computed (reporting ``progress`` from 0 to 1), its
    lanes named in the session's language."""
    cache = _views()
    view = cache.get(config)
    if view is None:
        start = time.perf_counter()
        view = views.compute_race_view(config, progress)
        cache.put(config, view, time.perf_counter() - start)
    return views.relabelled(view, lane_labels(config.lanes, _))


def seconds_for(config: RaceConfig) -> float | None:
    """How long this race would take here, from the races this server has run (None before any)."""
    rate = _views().seconds_per_run_step
    return None if rate is None else rate * config.work


def race_marks(config: RaceConfig) -> RaceMarks | None:
    """The rate slider's marks, for the race's one optimizer: they depend on everything but the rate."""
    return _marks(replace(config, lr=RaceConfig.lr))


@functools.lru_cache(maxsize=64)  # keyed by the frozen config's own hash: no per-call hashing of its contents
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


# --------------------------------------------------------------------------- the labs


@st.cache_data(max_entries=64, show_spinner=False)
def batch_view(config: lab_views.BatchConfig) -> lab_views.BatchView:
    return lab_views.batch_view(config)


@st.cache_data(max_entries=32, show_spinner=False)
def warmup_view(config: lab_views.WarmupConfig) -> lab_views.WarmupView:
    return lab_views.warmup_view(config)


@st.cache_data(max_entries=32, show_spinner=False)
def best_view(config: lab_views.BestConfig) -> lab_views.BestView:
    return lab_views.best_view(config)


# --------------------------------------------------------------------------- the texts' network


@st.cache_data(max_entries=1024, show_spinner=False)
def net_chunk(config: nets.NetConfig, index: int, _before: nets.NetState | None = None) -> nets.NetState:
    """Chunk ``index`` of the network's training (-1: the state before it), cached by (config, index).

    ``_before`` is the state after chunk ``index - 1``; Streamlit does not hash it (the
    leading underscore), and need not: that state is itself a function of (config, index).
    Caching each chunk rather than the whole run lets the page show progress between
    chunks, stop when a setting changes (the next progress message is where Streamlit
    interrupts the run), and resume from the last finished chunk when the teacher comes
    back to these settings. torch is imported by lrcore.nets, here, on first use.
    """
    if index < 0:
        return nets.start(config)
    if _before is None:
        _before = net_chunk(config, index - 1)
    return nets.advance(_before, nets.chunk_epochs(config)[index][1])


def net_training(config: nets.NetConfig, progress: Callable[[float], None] | None = None) -> views.NetView:
    """The network's training as a view, chunk by chunk from the cache (``progress`` hears 0 to 1)."""
    states = [net_chunk(config, -1)]
    for k, (_start, end) in enumerate(nets.chunk_epochs(config)):
        states.append(net_chunk(config, k, states[-1]))
        if progress is not None:
            progress(end / config.epochs)
    return views.net_view(nets.finish(states))
