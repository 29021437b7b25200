"""The schedules a UI can offer: names, parameters, sensible defaults and ranges.

A schedule is described by a plain, JSON-able *spec*::

    {"name": "warmup", "params": {"schedule": {"name": "cosine", "params": {...}},
                                  "warmup_steps": 100, "start_lr": 0.0}}

:func:`build` turns a spec into the object (the factory does all checking, so a bad spec
raises the factory's ``ValueError``); :func:`default_spec` makes one from the defaults.
Specs are what the dashboard caches on, writes into links and exports as code.

Defaults can scale with the plot: ``horizon_fraction`` makes a step count a fraction of
the steps shown, and ``rate_fraction`` makes a rate a fraction of the chosen initial rate,
so every schedule does something visible whatever the settings.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from lrcore import schedules as S
from lrcore.schedules import ReduceLROnPlateau, formula, reduce_on_plateau

__all__ = [
    "Param",
    "Entry",
    "SCHEDULES",
    "build",
    "default_spec",
    "closed_loop",
    "with_rate",
    "freeze",
    "thaw",
]

KINDS = (
    "float",  # a real number
    "int",  # an integer
    "bool",
    "choice",  # one of `choices`
    "optional_float",  # a number or None
    "optional_int",  # an integer or None
    "ints",  # a list of integers
    "floats",  # a list of numbers
    "text",
    "schedule",  # another spec (the inner schedule of a wrapper)
    "schedules",  # a list of specs
)


@dataclass(frozen=True)
class Param:
    """One factory argument as a UI control.

    ``low``/``high`` bound the control; the factory's own check is the authority on what is
    valid. ``log`` asks for a logarithmic control (rates span decades).
    """

    name: str
    kind: str
    default: Any
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple = ()
    help: str = ""
    horizon_fraction: float | None = None
    rate_fraction: float | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}; got {self.kind!r}")

    def default_for(self, horizon: int, rate: float) -> Any:
        if self.horizon_fraction is not None:
            low = 1 if self.low is None else self.low
            high = self.high if self.high is not None else float("inf")
            return int(min(max(round(self.horizon_fraction * horizon), low), high))
        if self.rate_fraction is not None:
            return self.rate_fraction * rate
        return list(self.default) if isinstance(self.default, (list, tuple)) else self.default


@dataclass(frozen=True)
class Entry:
    name: str
    label: str
    family: str
    factory: Callable[..., Any]
    params: tuple[Param, ...]
    summary: str = ""
    # Parameters whose defaults are lists scaled by the horizon, e.g. milestones.
    list_defaults: Mapping[str, Callable[[int, float], list]] = field(default_factory=dict)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def composite(self) -> bool:
        return any(p.kind in ("schedule", "schedules") for p in self.params)

    def defaults(self, horizon: int = 1000, rate: float = 0.1) -> dict[str, Any]:
        out = {}
        for p in self.params:
            if p.name in self.list_defaults:
                out[p.name] = self.list_defaults[p.name](horizon, rate)
            elif p.kind == "schedule":
                out[p.name] = _inner_default(p.default, horizon, rate)
            elif p.kind == "schedules":
                out[p.name] = [default_spec(n, horizon, rate) for n in p.default]
            else:
                out[p.name] = p.default_for(horizon, rate)
        return out


def _inner_default(default: str | Mapping[str, Any], horizon: int, rate: float) -> dict[str, Any]:
    """A name, or a partial spec whose params override the scaled defaults."""
    if isinstance(default, str):
        return default_spec(default, horizon, rate)
    spec = default_spec(default["name"], horizon, rate)
    spec["params"].update(default.get("params", {}))
    return spec


def _two_steps(horizon: int, first: float, second: float) -> list[int]:
    """Two increasing steps at fractions of the horizon, distinct even for tiny horizons."""
    a = max(1, round(first * horizon))
    return [a, max(a + 1, round(second * horizon))]


def _rate(name="initial_learning_rate", help="The rate of the first update (step 0)."):
    return Param(name, "float", 0.1, 1e-5, 10.0, log=True, help=help, rate_fraction=1.0)


def _steps(name, fraction, help, low=1):
    return Param(name, "int", 100, low, 10_000_000, help=help, horizon_fraction=fraction)


_STAIRCASE = Param("staircase", "bool", False, help="Decay in discrete jumps: floor the exponent.")

_ENTRIES = [
    Entry(
        "constant",
        "Constant",
        "Basics",
        S.constant,
        (_rate("learning_rate", "The rate of every update."),),
        "No decay: the baseline.",
    ),
    Entry(
        "exponential",
        "Exponential decay",
        "Keras / TensorFlow",
        S.exponential,
        (
            _rate(),
            _steps("decay_steps", 0.1, "Steps over which the rate is multiplied by decay_rate once."),
            Param("decay_rate", "float", 0.5, 0.01, 1.0, help="Factor per decay_steps (0 < r <= 1)."),
            _STAIRCASE,
        ),
        "lr0 · r^(t/T)",
    ),
    Entry(
        "inverse_time",
        "Time-based (inverse time) decay",
        "Keras / TensorFlow",
        S.inverse_time,
        (
            _rate(),
            _steps("decay_steps", 0.01, "Steps that count as one unit of time (1 = per step)."),
            Param("decay_rate", "float", 1.0, 0.0, 100.0, help="k in lr0 / (1 + k·t/T)."),
            _STAIRCASE,
        ),
        "lr0 / (1 + k·t/T)",
    ),
    Entry(
        "inverse_sqrt",
        "k/√t decay",
        "Lab",
        S.inverse_sqrt,
        (
            _rate(),
            Param("k", "float", 1.0, 0.01, 10.0, help="Multiplier k."),
            _steps("decay_steps", 0.01, "Steps that count as one unit of time."),
            Param("offset", "float", 1.0, 0.01, 100.0, help="Added to t/T so step 0 is defined."),
        ),
        "k · lr0 / √(t/T + c)",
    ),
    Entry(
        "piecewise_constant",
        "Piecewise constant",
        "Keras / TensorFlow",
        S.piecewise_constant,
        (
            Param("boundaries", "ints", [300, 600], 1, 10_000_000, help="Steps at which the rate switches."),
            Param("values", "floats", [0.1, 0.03, 0.01], 0.0, 10.0, help="One more rate than boundaries."),
            Param(
                "inclusive",
                "bool",
                True,
                help="Keras (on): the old value holds at the boundary step. Off: optax/torch switch at it.",
            ),
        ),
        "hand-picked rates",
        list_defaults={
            "boundaries": lambda h, r: _two_steps(h, 0.3, 0.6),
            "values": lambda h, r: [r, 0.3 * r, 0.1 * r],
        },
    ),
    Entry(
        "polynomial",
        "Polynomial decay",
        "Keras / TensorFlow",
        S.polynomial,
        (
            _rate(),
            _steps("decay_steps", 1.0, "Steps to reach end_learning_rate."),
            Param("end_learning_rate", "float", 0.0001, 0.0, 10.0, log=True, rate_fraction=0.001),
            Param("power", "float", 1.0, 0.1, 10.0, help="1 = linear, 2 = quadratic, 0.5 = square root."),
            Param("cycle", "bool", False, help="Restart with a longer horizon after decay_steps."),
        ),
        "(lr0 − end)(1 − t/T)^p + end",
    ),
    Entry(
        "cosine",
        "Cosine decay (+ warmup)",
        "Keras / TensorFlow",
        S.cosine,
        (
            _rate(),
            _steps("decay_steps", 1.0, "Length of the cosine (after the warmup, as Keras)."),
            Param("alpha", "float", 0.0, 0.0, 1.0, help="Floor as a fraction of the peak."),
            Param(
                "warmup_target",
                "optional_float",
                None,
                1e-5,
                10.0,
                log=True,
                help="Peak reached after warmup; None means no warmup (as Keras).",
            ),
            _steps("warmup_steps", 0.0, "Warmup length; used only with warmup_target.", low=0),
        ),
        "lr0 · [(1−α)·½(1+cos(πt/T)) + α]",
    ),
    Entry(
        "cosine_restarts",
        "Cosine decay with restarts (SGDR)",
        "Keras / TensorFlow",
        S.cosine_restarts,
        (
            _rate(),
            _steps("first_decay_steps", 0.1, "Length of the first period."),
            Param("t_mul", "float", 2.0, 1.0, 4.0, help="Each period is t_mul times longer (>= 1)."),
            Param("m_mul", "float", 1.0, 0.0, 1.0, help="Each restart peaks m_mul times lower."),
            Param("alpha", "float", 0.0, 0.0, 1.0, help="Floor as a fraction of the initial rate."),
        ),
        "warm restarts",
    ),
    Entry(
        "step",
        "Step decay (halve every N)",
        "PyTorch",
        S.step,
        (
            _rate("lr"),
            _steps("step_size", 0.2, "Steps between drops."),
            Param("gamma", "float", 0.5, 0.0, 1.0, help="Factor at each drop (0.5 halves)."),
        ),
        "lr · γ^⌊t/s⌋",
    ),
    Entry(
        "multi_step",
        "Multi-step decay",
        "PyTorch",
        S.multi_step,
        (
            _rate("lr"),
            Param("milestones", "ints", [500, 750], 1, 10_000_000, help="Steps at which the rate drops."),
            Param("gamma", "float", 0.1, 0.0, 1.0, help="Factor at each milestone."),
        ),
        "lr · γ^(milestones passed)",
        list_defaults={"milestones": lambda h, r: _two_steps(h, 0.5, 0.75)},
    ),
    Entry(
        "linear",
        "Linear decay",
        "PyTorch",
        S.linear,
        (
            _rate("lr"),
            Param("start_factor", "float", 1.0, 0.001, 1.0, help="Multiplier at step 0 (0 < f <= 1)."),
            Param("end_factor", "float", 0.01, 0.0, 1.0, help="Multiplier from total_iters on."),
            _steps("total_iters", 1.0, "Steps of the straight line.", low=0),
        ),
        "straight line",
    ),
    Entry(
        "cosine_annealing",
        "Cosine annealing",
        "PyTorch",
        S.cosine_annealing,
        (
            _rate("lr"),
            _steps("T_max", 1.0, "Half period: steps from lr down to eta_min."),
            Param("eta_min", "float", 0.0, 0.0, 10.0, help="Lowest rate."),
        ),
        "½-cosine, periodic",
    ),
    Entry(
        "cosine_warm_restarts",
        "Cosine annealing with warm restarts",
        "PyTorch",
        S.cosine_warm_restarts,
        (
            _rate("lr"),
            _steps("T_0", 0.1, "Length of the first period."),
            Param("T_mult", "int", 2, 1, 4, help="Each period is T_mult times longer."),
            Param("eta_min", "float", 0.0, 0.0, 10.0, help="Lowest rate."),
        ),
        "SGDR, torch flavour",
    ),
    Entry(
        "one_cycle",
        "One-cycle",
        "PyTorch",
        S.one_cycle,
        (
            _rate("max_lr", "The peak rate."),
            _steps("total_steps", 1.0, "Length of the whole cycle (at least 4, so each phase has a step).", low=4),
            Param("pct_start", "float", 0.3, 0.0, 1.0, help="Fraction of the cycle spent rising."),
            Param("anneal_strategy", "choice", "cos", choices=("cos", "linear")),
            Param("div_factor", "float", 25.0, 1.0, 1000.0, log=True, help="Start = max_lr / div_factor."),
            Param(
                "final_div_factor",
                "float",
                1e4,
                1.0,
                1e6,
                log=True,
                help="End = start / final_div_factor.",
            ),
            Param("three_phase", "bool", False, help="Come back down to the start before the final drop."),
        ),
        "up, then far down",
    ),
    Entry(
        "cyclic",
        "Cyclic (triangle)",
        "PyTorch",
        S.cyclic,
        (
            Param("base_lr", "float", 0.01, 0.0, 10.0, log=True, help="Bottom of the cycle.", rate_fraction=0.1),
            _rate("max_lr", "Top of the cycle."),
            _steps("step_size_up", 0.1, "Steps going up."),
            Param("step_size_down", "optional_int", None, 1, 10_000_000, help="Steps going down (None = same as up)."),
            Param("mode", "choice", "triangular", choices=("triangular", "triangular2", "exp_range")),
            Param("gamma", "float", 1.0, 0.9, 1.0, help="exp_range: amplitude × gamma^t."),
        ),
        "triangle wave",
    ),
    Entry(
        "warmup",
        "Linear warmup, then …",
        "Composition",
        S.warmup,
        (
            Param("schedule", "schedule", "cosine", help="What runs after the warmup."),
            _steps("warmup_steps", 0.1, "Steps of the linear ramp.", low=0),
            Param("start_lr", "float", 0.0, 0.0, 10.0, help="Rate at step 0 (0 = the strategies note)."),
        ),
        "global_step / warmup_steps · lr",
    ),
    Entry(
        "join",
        "One schedule after another",
        "Composition",
        S.join,
        (
            Param("schedules", "schedules", ["constant", "exponential"], help="The pieces, in order."),
            Param("boundaries", "ints", [300], 1, 10_000_000, help="Step at which each next piece starts."),
        ),
        "optax.join_schedules",
        list_defaults={"boundaries": lambda h, r: [max(1, round(0.3 * h))]},
    ),
    Entry(
        "per_epoch",
        "Per epoch (Keras LearningRateScheduler)",
        "Composition",
        S.per_epoch,
        (
            Param(
                "schedule",
                "schedule",
                # The decay article's lr0 / (1 + decay_rate * epoch): its clock counts epochs.
                {"name": "inverse_time", "params": {"decay_steps": 1, "decay_rate": 0.5}},
                help="A schedule of the epoch index.",
            ),
            Param("steps_per_epoch", "int", 12, 1, 100_000, help="ceil(examples / batch size)."),
        ),
        "a function of the epoch",
    ),
    Entry(
        "formula",
        "Your own formula",
        "Lab",
        formula,
        (
            Param(
                "expression",
                "text",
                "lr0 / sqrt(1 + epoch)",
                help="Use step (or t), epoch, lr0, pi, e; sqrt exp log cos floor min max where.",
            ),
            Param("steps_per_epoch", "int", 12, 1, 100_000, help="Steps in one epoch."),
            _rate("lr0", "The value of lr0 in the formula."),
        ),
        "DecayFunction(epoch)",
    ),
    Entry(
        "reduce_on_plateau",
        "Reduce on plateau (feedback)",
        "Feedback",
        reduce_on_plateau,
        (
            _rate("lr", "The starting rate."),
            Param("mode", "choice", "min", choices=("min", "max")),
            Param("factor", "float", 0.5, 0.01, 0.99, help="Multiply the rate by this at each cut."),
            Param("patience", "int", 3, 0, 100, help="Epochs without improvement before a cut."),
            Param("threshold", "float", 1e-4, 0.0, 1.0, log=True, help="Smallest change that counts as improvement."),
            Param("threshold_mode", "choice", None, choices=(None, "rel", "abs"), help="None: the convention's own."),
            Param("cooldown", "int", 0, 0, 100, help="Epochs to wait after a cut."),
            Param("min_lr", "float", 0.0, 0.0, 10.0, help="Never cut below this."),
            Param("eps", "float", 1e-8, 0.0, 1e-3, log=True, help="Ignore cuts smaller than this (torch)."),
            Param("convention", "choice", "torch", choices=("torch", "keras")),
        ),
        "cut when the loss stalls",
    ),
]

SCHEDULES: dict[str, Entry] = {entry.name: entry for entry in _ENTRIES}


def default_spec(name: str, horizon: int = 1000, rate: float = 0.1) -> dict[str, Any]:
    """A spec for ``name`` with its defaults scaled to ``horizon`` steps and ``rate``."""
    return {"name": name, "params": _entry(name).defaults(horizon, rate)}


def _entry(name: Any) -> Entry:
    if name not in SCHEDULES:
        raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}; got {name!r}")
    return SCHEDULES[name]


def closed_loop(spec: Mapping[str, Any]) -> bool:
    """Whether the spec needs the loss to decide the rate (reduce-on-plateau)."""
    return spec.get("name") == "reduce_on_plateau"


def build(spec: Mapping[str, Any]) -> S.Schedule | ReduceLROnPlateau:
    """Make the schedule a spec describes. Unknown names or parameters raise ``ValueError``."""
    if not isinstance(spec, Mapping) or "name" not in spec:
        raise ValueError(f"schedule spec must be a mapping with a 'name'; got {spec!r}")
    name = spec["name"]
    entry = _entry(name)
    raw = spec.get("params") or {}
    if not isinstance(raw, Mapping):
        raise ValueError(f"params must be a mapping of {name}'s parameters; got {raw!r}")
    params = dict(raw)
    unknown = set(params) - set(entry.param_names)
    if unknown:
        raise ValueError(
            f"{name} has no parameter {sorted(unknown)[0]!r}; its parameters are {', '.join(entry.param_names)}"
        )
    required = [n for n, p in inspect.signature(entry.factory).parameters.items() if p.default is p.empty]
    missing = [n for n in required if n not in params]
    if missing:
        raise ValueError(f"{missing[0]} must be given: {name} needs {', '.join(required)}")
    for p in entry.params:
        if p.name not in params:
            continue
        if p.kind == "schedule":
            params[p.name] = _inner(p.name, params[p.name])
        elif p.kind == "schedules":
            params[p.name] = [_inner(f"{p.name}[{i}]", s) for i, s in enumerate(params[p.name])]
    return entry.factory(**params)


def _inner(name: str, spec: Any) -> S.Schedule:
    inner = build(spec)
    if isinstance(inner, ReduceLROnPlateau):
        raise ValueError(f"{name} must be a schedule of the step; reduce_on_plateau needs the loss")
    return inner


def with_rate(spec: Mapping[str, Any], rate: float) -> dict[str, Any]:
    """The spec with every rate that follows the initial rate set from ``rate``.

    Parameters with a ``rate_fraction`` (the starting rate, and rates defined relative to
    it such as cyclic's ``base_lr``) follow, inner schedules included. The decay race uses
    it so the decayed schedule starts where the constant rate is.
    """
    entry = _entry(spec.get("name"))
    params = dict(spec.get("params") or {})
    for p in entry.params:
        if p.rate_fraction is not None:
            params[p.name] = p.rate_fraction * rate
        elif p.kind == "schedule" and p.name in params:
            params[p.name] = with_rate(params[p.name], rate)
        elif p.kind == "schedules" and p.name in params:
            params[p.name] = [with_rate(inner, rate) for inner in params[p.name]]
        elif p.name in entry.list_defaults and p.kind == "floats" and p.name in params:
            # piecewise values: keep their ratios, start at the rate
            values = list(params[p.name])
            if values and values[0] > 0:
                params[p.name] = [v * rate / values[0] for v in values]
    return {"name": spec["name"], "params": params}


def freeze(spec: Mapping[str, Any]) -> str:
    """A spec as canonical JSON: hashable, comparable, fit for a cache key or a link."""
    return json.dumps(spec, sort_keys=True, separators=(",", ":"))


def thaw(text: str) -> dict[str, Any]:
    """The spec a :func:`freeze` string holds; malformed text raises ``ValueError``."""
    try:
        spec = json.loads(text)
    except (TypeError, json.JSONDecodeError) as err:
        raise ValueError(f"schedule spec must be JSON; {err}") from None
    if not isinstance(spec, dict) or "name" not in spec:
        raise ValueError(f"schedule spec must be an object with a 'name'; got {text!r}")
    return spec
