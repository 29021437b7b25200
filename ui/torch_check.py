"""Compare a schedule with the real torch scheduler, live. Importing this imports torch.

Only the gallery's "check against PyTorch" panel uses it, so torch loads when a student
asks for the check, not when the app starts.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.optim import lr_scheduler as T

from lrcore import registry

MAX_STEPS = 20_000  # torch steps one at a time in Python

# schedule name -> builder of the torch scheduler from our parameters
_TORCH = {
    "step": lambda o, p: T.StepLR(o, p["step_size"], p["gamma"]),
    "multi_step": lambda o, p: T.MultiStepLR(o, list(p["milestones"]), p["gamma"]),
    "linear": lambda o, p: T.LinearLR(o, p["start_factor"], p["end_factor"], p["total_iters"]),
    "cosine_annealing": lambda o, p: T.CosineAnnealingLR(o, p["T_max"], p["eta_min"]),
    "cosine_warm_restarts": lambda o, p: T.CosineAnnealingWarmRestarts(o, p["T_0"], p["T_mult"], p["eta_min"]),
    "one_cycle": lambda o, p: T.OneCycleLR(
        o, p["max_lr"], p["total_steps"], pct_start=float(p["pct_start"]), anneal_strategy=p["anneal_strategy"],
        cycle_momentum=False, div_factor=p["div_factor"], final_div_factor=p["final_div_factor"], three_phase=p["three_phase"],
    ),  # fmt: skip
    "cyclic": lambda o, p: T.CyclicLR(
        o, p["base_lr"], p["max_lr"], p["step_size_up"], p["step_size_down"], p["mode"], p["gamma"], cycle_momentum=False
    ),
}
_BASE_RATE = {"one_cycle": "max_lr", "cyclic": "base_lr"}


def max_difference(spec: dict, horizon: int) -> float | None:
    """Max |ours - torch| over the first ``horizon`` updates (at most MAX_STEPS)."""
    name = spec["name"]
    if name not in _TORCH:
        return None
    schedule = registry.build(spec)
    params = dict(schedule.params)
    steps = min(horizon, MAX_STEPS)
    if name == "one_cycle":
        steps = min(steps, params["total_steps"])  # torch raises past total_steps
    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([param], lr=params.get(_BASE_RATE.get(name, "lr"), 0.1))
    scheduler = _TORCH[name](opt, params)
    theirs = np.empty(steps)
    for t in range(steps):
        theirs[t] = opt.param_groups[0]["lr"]
        param.grad = torch.zeros_like(param)
        opt.step()
        scheduler.step()
    return float(np.max(np.abs(schedule(np.arange(steps)) - theirs)))
