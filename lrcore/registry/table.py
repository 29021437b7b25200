"""What a factory's signature cannot say about its parameters, said once a name or a schedule.

The registry reads each parameter's name, order, default, kind and options from the
factory itself (:mod:`lrcore.registry.entries`); this table adds the control's range,
log scale and slider ``step``, a help line, defaults that scale with the plot
(``horizon_fraction`` of the steps shown, ``rate_fraction`` of the chosen rate; a tuple of
them makes a list), a UI ``default`` where the factory's is missing or shows nothing, and
what the lab ``fixed``: a parameter taken off the UI at one value, or (``inner_fixed``) the
parameters of the schedule inside a slot.

Every key below must be a parameter of its factory (``tests/test_registry.py`` checks),
so a misspelt key cannot silently describe nothing.
"""

from __future__ import annotations

from typing import Any, Callable

from lrcore import schedules as S
from lrcore._text import N_
from lrcore.schedules.decay_function import MAX_SOURCE as FORMULA_MAX_LENGTH

__all__ = ["SHARED", "TABLE", "COMPOSE", "PAGE_SETTINGS"]

# Parameters that mean the same thing in every schedule that has them, so a page may set
# them once for all its schedules (the race's steps per epoch).
PAGE_SETTINGS = ("steps_per_epoch",)

_MAX_STEPS = 10_000_000
_RATE = dict(low=1e-5, high=10.0, log=True, rate_fraction=1.0, help=N_("The rate of the first update (step 0)."))
_STEPS = dict(low=1, high=_MAX_STEPS)
_FACTOR = dict(low=0.0, high=1.0, step=0.01)
_FLOOR = dict(low=0.0, high=10.0, help=N_("Lowest rate."))  # a rate: a number box, not a slider

# What a parameter of this name means in every schedule, unless its entry says otherwise.
SHARED: dict[str, dict[str, Any]] = {
    "initial_learning_rate": _RATE,
    "lr": _RATE,
    "max_lr": _RATE,
    # Keras allows fractional steps; the lab offers whole ones.
    "decay_steps": dict(_STEPS, kind="int"),
    "first_decay_steps": dict(_STEPS, kind="int", horizon_fraction=0.1, help=N_("Length of the first period.")),
    "step_size": _STEPS,
    "T_max": _STEPS,
    "T_0": dict(_STEPS, horizon_fraction=0.1, help=N_("Length of the first period.")),
    "total_steps": _STEPS,
    "step_size_up": _STEPS,
    "step_size_down": _STEPS,
    "total_iters": dict(_STEPS, low=0),
    "warmup_steps": dict(_STEPS, low=0),
    "boundaries": dict(_STEPS, kind="ints"),
    "milestones": dict(_STEPS, kind="ints"),
    "staircase": dict(help=N_("Decay in discrete jumps: floor the exponent.")),
    "gamma": _FACTOR,
    "alpha": dict(_FACTOR, help=N_("Floor as a fraction of the peak.")),
    "eta_min": _FLOOR,
    "steps_per_epoch": dict(default=12, low=1, high=100_000, help=N_("Steps in one epoch: ⌈examples / batch size⌉.")),
}

# One row a schedule: (factory, label, summary, {parameter: what the signature cannot say}),
# in the order a UI lists them. A parameter's facts override the SHARED ones of its name;
# `fixed` takes a parameter off the UI at that value.
TABLE: list[tuple[Callable[..., Any], str, str, dict[str, dict[str, Any]]]] = [
    (
        S.constant,
        N_("Constant rate"),
        "No decay: the baseline.",
        {"learning_rate": dict(_RATE, help=N_("The rate of every update."))},
    ),
    (
        S.exponential,
        N_("Exponential decay"),
        "lr0 · r^(t/T)",
        {
            "decay_steps": dict(horizon_fraction=0.1, help=N_("Steps over which the rate is multiplied by decay_rate once.")),
            "decay_rate": dict(_FACTOR, default=0.5, low=0.01, help=N_("Factor per decay_steps (0 < r <= 1).")),
        },
    ),
    (
        S.inverse_time,
        N_("Time-based (inverse time) decay"),
        "lr0 / (1 + k·t/T)",
        {
            "decay_steps": dict(horizon_fraction=0.01, help=N_("Steps that count as one unit of time (1 = per step).")),
            "decay_rate": dict(default=1.0, low=0.0, high=100.0, step=0.01, help=N_("k in lr0 / (1 + k·t/T).")),
        },
    ),
    (
        S.inverse_sqrt,
        N_("k/√t decay"),
        "k · lr0 / √(t/T + c)",
        {
            "k": dict(low=0.01, high=10.0, step=0.01, help=N_("Multiplier k.")),
            "decay_steps": dict(horizon_fraction=0.01, help=N_("Steps that count as one unit of time.")),
            "offset": dict(low=0.01, high=100.0, step=0.01, help=N_("Added to t/T so step 0 is defined.")),
        },
    ),
    (
        S.piecewise_constant,
        N_("Piecewise constant"),
        "hand-picked rates",
        {
            "boundaries": dict(horizon_fraction=(0.3, 0.6), help=N_("Steps at which the rate switches.")),
            "values": dict(low=0.0, high=10.0, rate_fraction=(1.0, 0.3, 0.1), help=N_("One more rate than boundaries.")),
            "inclusive": dict(help=N_("Keras (on): the old value holds at the boundary step. Off: optax/torch switch at it.")),
        },
    ),
    (
        S.polynomial,
        N_("Polynomial decay"),
        "(lr0 − end)(1 − t/T)^p + end",
        {
            "decay_steps": dict(horizon_fraction=1.0, help=N_("Steps to reach end_learning_rate.")),
            "end_learning_rate": dict(low=0.0, high=10.0, log=True, rate_fraction=0.001),
            "power": dict(low=0.1, high=10.0, step=0.01, help=N_("1 = linear, 2 = quadratic, 0.5 = square root.")),
            "cycle": dict(help=N_("Restart with a longer horizon after decay_steps.")),
        },
    ),
    (
        S.cosine,
        N_("Cosine decay"),
        "lr0 · [(1−α)·½(1+cos(πt/T)) + α]",
        {
            "decay_steps": dict(horizon_fraction=1.0, help=N_("Length of the cosine (after the warmup, as Keras).")),
            "warmup_target": dict(
                low=1e-5, high=10.0, log=True, help=N_("Peak reached after warmup; None means no warmup (as Keras).")
            ),
            "warmup_steps": dict(horizon_fraction=0.0, help=N_("Warmup length; used only with warmup_target.")),
        },
    ),
    (
        S.cosine_restarts,
        N_("Cosine decay with restarts (SGDR)"),
        "warm restarts",
        {
            "t_mul": dict(low=1.0, high=4.0, step=0.01, help=N_("Each period is t_mul times longer (>= 1).")),
            "m_mul": dict(_FACTOR, help=N_("Each restart peaks m_mul times lower.")),
            "alpha": dict(help=N_("Floor as a fraction of the initial rate.")),
        },
    ),
    (
        S.step,
        N_("Step decay (halve every N)"),
        "lr · γ^⌊t/s⌋",
        {
            "step_size": dict(horizon_fraction=0.2, help=N_("Steps between drops.")),
            "gamma": dict(default=0.5, help=N_("Factor at each drop (0.5 halves).")),
        },
    ),
    (
        S.multi_step,
        N_("Multi-step decay"),
        "lr · γ^(milestones passed)",
        {
            "milestones": dict(horizon_fraction=(0.5, 0.75), help=N_("Steps at which the rate drops.")),
            "gamma": dict(help=N_("Factor at each milestone.")),
        },
    ),
    (
        S.linear,
        N_("Linear decay"),
        "straight line",
        {
            "start_factor": dict(default=1.0, low=0.001, high=1.0, step=0.001, help=N_("Multiplier at step 0 (0 < f <= 1).")),
            "end_factor": dict(default=0.01, low=0.0, high=1.0, step=0.001, help=N_("Multiplier from total_iters on.")),
            "total_iters": dict(horizon_fraction=1.0, help=N_("Steps of the straight line.")),
        },
    ),
    (
        S.cosine_annealing,
        N_("Cosine annealing"),
        "½-cosine, periodic",
        {"T_max": dict(horizon_fraction=1.0, help=N_("Half period: steps from lr down to eta_min."))},
    ),
    (
        S.cosine_warm_restarts,
        N_("Cosine annealing with warm restarts"),
        "SGDR, torch flavour",
        {"T_mult": dict(default=2, low=1, high=4, help=N_("Each period is T_mult times longer."))},
    ),
    (
        S.one_cycle,
        N_("One-cycle"),
        "up, then far down",
        {
            "max_lr": dict(help=N_("The peak rate.")),
            "total_steps": dict(
                horizon_fraction=1.0, low=4, help=N_("Length of the whole cycle (at least 4, so each phase has a step).")
            ),
            "pct_start": dict(_FACTOR, help=N_("Fraction of the cycle spent rising.")),
            "div_factor": dict(low=1.0, high=1000.0, log=True, help=N_("Start = max_lr / div_factor.")),
            "final_div_factor": dict(low=1.0, high=1e6, log=True, help=N_("End = start / final_div_factor.")),
            "three_phase": dict(help=N_("Come back down to the start before the final drop.")),
        },
    ),
    (
        S.cyclic,
        N_("Cyclic (triangle)"),
        "triangle wave",
        {
            "base_lr": dict(low=0.0, high=10.0, log=True, rate_fraction=0.1, help=N_("Bottom of the cycle.")),
            "max_lr": dict(help=N_("Top of the cycle.")),
            "step_size_up": dict(horizon_fraction=0.1, help=N_("Steps going up.")),
            "step_size_down": dict(help=N_("Steps going down (None = same as up).")),
            "gamma": dict(low=0.9, high=1.0, step=0.001, help=N_("exp_range: amplitude × gamma^t.")),
        },
    ),
    (
        S.warmup,
        N_("Linear warmup, then …"),
        "global_step / warmup_steps · lr",
        {
            # What follows the ramp does not warm up again (Keras' cosine could).
            "schedule": dict(
                default="cosine",
                inner_fixed=(("warmup_target", None), ("warmup_steps", 0)),
                help=N_("What runs after the warmup (its own warmup is off)."),
            ),
            "warmup_steps": dict(horizon_fraction=0.1, help=N_("Steps of the linear ramp.")),
            "start_lr": dict(_FLOOR, help=N_("Rate at step 0 (0 = the strategies note).")),
        },
    ),
    (
        S.join,
        N_("One schedule after another"),
        "optax.join_schedules",
        {
            "schedules": dict(default=("constant", "exponential"), help=N_("The pieces, in order.")),
            "boundaries": dict(horizon_fraction=(0.3,), help=N_("Step at which each next piece starts.")),
        },
    ),
    (
        S.per_epoch,
        N_("Per epoch (Keras LearningRateScheduler)"),
        "a function of the epoch",
        {
            # The decay article's lr0 / (1 + decay_rate * epoch): its clock counts epochs.
            "schedule": dict(
                default={"name": "inverse_time", "params": {"decay_steps": 1, "decay_rate": 0.5}},
                help=N_("A schedule of the epoch index."),
            ),
        },
    ),
    (
        S.formula,
        N_("Your own formula"),
        "DecayFunction(epoch)",
        {
            "expression": dict(
                default="lr0 / sqrt(1 + epoch)",
                max_length=FORMULA_MAX_LENGTH,
                multiline=True,
                help=N_("A formula in step (or t), epoch, lr0, pi, e, with sqrt exp log cos floor min max where and "
                "a if cond else b; or paste a Keras function, def decay(epoch, lr): ..., with if/elif/else and "
                "math.floor, math.pow, math.exp. A function that reads lr is fed back the previous epoch's rate."),
            ),
            "lr0": dict(_RATE, help=N_("The value of lr0 in the formula.")),
        },
    ),
    (
        S.reduce_on_plateau,
        N_("Reduce on plateau (feedback)"),
        "cut when the loss stalls",
        {
            "lr": dict(help=N_("The starting rate.")),
            "mode": dict(fixed="min"),  # the lab always monitors a loss: lower is better
            "factor": dict(default=0.5, low=0.01, high=0.99, step=0.01, help=N_("Multiply the rate by this at each cut.")),
            "patience": dict(default=3, low=0, high=100, help=N_("Epochs without improvement before a cut.")),
            "threshold": dict(low=0.0, high=1.0, log=True, help=N_("Smallest change that counts as improvement.")),
            "threshold_mode": dict(help=N_("None: the convention's own.")),
            "cooldown": dict(low=0, high=100, help=N_("Epochs to wait after a cut.")),
            "min_lr": dict(_FLOOR, help=N_("Never cut below this.")),
            "eps": dict(low=0.0, high=1e-3, log=True, help=N_("Ignore cuts smaller than this (torch).")),
        },
    ),
]
# The label of a composition, from its parts' labels.
COMPOSE = {"warmup": N_("Linear warmup → {schedule}"), "join": N_("{schedules}"), "per_epoch": N_("{schedule}, per epoch")}
