r"""Learning-rate schedules: pure, vectorised maps from step to rate.

A schedule is made by a factory that checks its arguments once and returns a
:class:`Schedule`. Calling it on an integer array of steps returns a float64 array of
rates, computed with NumPy ``where``/``floor``/``searchsorted`` and no Python loop over
steps::

    >>> sched = exponential(0.1, decay_steps=1000, decay_rate=0.96, staircase=True)
    >>> sched(np.arange(3000))[[0, 999, 1000, 2000]].tolist()
    [0.1, 0.1, 0.096, 0.09216]

**Step counting.** Steps count from 0: ``lr(0)`` is the rate of the first update, as with
Keras' ``optimizer.iterations``, TensorFlow's ``global_step`` and PyTorch's
``last_epoch`` (after ``scheduler.step()`` has been called ``t`` times, torch's rate is
``lr(t)``).

**Exactness.** A factory that mirrors a framework function repeats that function's
arithmetic, operation for operation, so the two agree to float64 round-off. The
frameworks compute in their own precision: Keras and TensorFlow cast to the learning
rate's dtype (float32 for a Python float), PyTorch's schedulers are recursive Python
floats. Where frameworks disagree the difference is an explicit option or a separate
factory, never a silent choice:

* piecewise boundaries: :func:`piecewise_constant` ``inclusive=True`` (Keras) vs ``False``
  (optax, torch milestones);
* cosine past its horizon: :func:`cosine` holds the floor (Keras), :func:`cosine_annealing`
  rises again (torch);
* warmup-then-cosine length: Keras' ``cosine(..., warmup_steps=W)`` decays for
  ``decay_steps`` *after* the warmup; optax's ``warmup_cosine_decay_schedule`` counts the
  warmup inside ``decay_steps``, which is ``warmup(cosine(peak, decay_steps - W), W)``;
* one-cycle's peak: see :func:`one_cycle`.

Each schedule carries its ``name``, its ``params``, a ``latex`` formula of exactly what it
computes (with the current values), a one-line ``description`` and the framework function
it ``mirrors``.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from lrcore import _checks as check

__all__ = [
    "Schedule",
    "as_steps",
    "constant",
    "exponential",
    "inverse_time",
    "inverse_sqrt",
    "piecewise_constant",
    "polynomial",
    "cosine",
    "cosine_restarts",
    "step",
    "multi_step",
    "linear",
    "cosine_annealing",
    "cosine_warm_restarts",
    "one_cycle",
    "cyclic",
    "warmup",
    "join",
    "per_epoch",
    "steps_per_epoch",
    "batch_size_scaled",
    "reduce_on_plateau",
    "ReduceLROnPlateau",
    "formula",
]

StepFn = Callable[[np.ndarray], np.ndarray]
MAX_STEP = check.MAX_INT  # beyond 2**53 steps are no longer exact as floats
# A LaTeX renderer: (step expression, numeric?) -> right-hand side. Composites substitute
# "t - 100" for "t", so one template serves a piece alone and inside a join or warmup.
TexFn = Callable[[str, bool], str]


# --------------------------------------------------------------------------- the object


def as_steps(step: Any) -> np.ndarray:
    """Check and convert steps to an int64 array (any shape; a scalar gives 0-d)."""
    s = np.asarray(step)
    if s.dtype.kind == "b" or s.dtype.kind not in "iuf":
        raise ValueError(f"step must be an integer or an array of integers; got dtype {s.dtype}")
    if s.dtype.kind == "f":
        if not np.all(np.isfinite(s)) or not np.all(s == np.floor(s)):
            raise ValueError("step must hold whole numbers (steps count updates: 0, 1, 2, ...)")
    if s.size and s.min() < 0:
        raise ValueError(f"step must be >= 0; got {s.min()}")
    if s.size and s.max() > MAX_STEP:
        raise ValueError(f"step must be <= 2**53 (= {MAX_STEP}); got {s.max()}")
    return s.astype(np.int64, copy=False)


class Schedule:
    """A learning-rate schedule: ``sched(steps) -> rates`` (float64, same shape as steps).

    Attributes:
        name: the factory that made it, e.g. ``"exponential"``.
        params: the factory's arguments, read-only (inner schedules of a composition
            appear as :class:`Schedule` objects).
        description: one plain-language line.
        mirrors: the framework function it reproduces, or ``""``.
        latex: ``\\eta_t = ...`` with the current values; ``latex_symbolic`` with symbols.
    """

    __slots__ = ("name", "params", "description", "mirrors", "_fn", "_tex")

    def __init__(
        self,
        name: str,
        params: Mapping[str, Any],
        fn: StepFn,
        tex: TexFn,
        description: str,
        mirrors: str = "",
    ):
        self.name = name
        self.params = MappingProxyType(dict(params))
        self.description = description
        self.mirrors = mirrors
        self._fn = fn
        self._tex = tex

    def __call__(self, step: Any) -> np.ndarray:
        s = as_steps(step)
        # Factories see a flat 1-d array; a scalar step gives a NumPy float64 back.
        out = np.asarray(self._fn(s.reshape(-1)), dtype=np.float64).reshape(s.shape)
        return out[()] if out.ndim == 0 else out

    def rhs(self, t: str = "t", numeric: bool = True) -> str:
        """The formula's right-hand side with ``t`` standing for the step expression."""
        return self._tex(t, numeric)

    @property
    def latex(self) -> str:
        return r"\eta_t = " + self.rhs("t", True)

    @property
    def latex_symbolic(self) -> str:
        return r"\eta_t = " + self.rhs("t", False)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.name}({args})"


# --------------------------------------------------------------------------- LaTeX helpers


def tex_number(x: Any) -> str:
    """A number as compact LaTeX: 1000, 0.96, 1\\times10^{-4}."""
    if isinstance(x, (bool, np.bool_)):
        return r"\text{" + str(bool(x)) + "}"
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.10g}"  # what the schedule uses, not a rounded stand-in
    if "e" in text:
        mantissa, exponent = text.split("e")
        power = f"10^{{{int(exponent)}}}"
        return power if mantissa == "1" else rf"{mantissa}\times {power}"
    return text


def _template(template: str, symbols: Mapping[str, str], params: Mapping[str, Any]) -> TexFn:
    """Render ``template``: ``<t>`` is the step, ``<key>`` a parameter (symbol or value)."""

    def render(t: str, numeric: bool) -> str:
        out = template.replace("<t>", t)
        for key, symbol in symbols.items():
            if f"<{key}>" in out:
                out = out.replace(f"<{key}>", tex_number(params[key]) if numeric else symbol)
        return out

    return render


def _group(t: str) -> str:
    """Parenthesise a compound step expression before it is divided or multiplied."""
    return t if t.isalnum() else f"({t})"


# --------------------------------------------------------------------------- argument checks


def _rate(name: str, value: Any) -> float:
    return check.in_range(name, value, 0.0)


def _decay_steps(name: str, value: Any) -> float:
    # Keras allows any positive number of steps; below 1e-6 step / decay_steps overflows.
    return check.in_range(name, value, 1e-6)


# --------------------------------------------------------------------------- Keras / TF mirrors


def constant(learning_rate: float) -> Schedule:
    """A constant rate: the strategies note's first strategy, and the baseline of every race."""
    lr = _rate("learning_rate", learning_rate)
    return Schedule(
        "constant",
        {"learning_rate": lr},
        lambda s: np.full(s.shape, lr),
        _template("<learning_rate>", {"learning_rate": r"\eta_0"}, {"learning_rate": lr}),
        "The same rate at every step: SGD keeps rattling around the minimum.",
    )


def _exponent(s: np.ndarray, decay_steps: float, staircase: bool) -> np.ndarray:
    """``t / decay_steps``, floored when ``staircase`` (Keras' ``p``)."""
    p = s.astype(np.float64) / decay_steps
    return np.floor(p) if staircase else p


def exponential(
    initial_learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
) -> Schedule:
    """``lr0 * decay_rate ** (step / decay_steps)``; ``floor`` of the exponent if staircase.

    Mirrors ``keras.optimizers.schedules.ExponentialDecay`` and
    ``tf.compat.v1.train.exponential_decay`` (the global_step answer's function). The
    decay article's ``r**epoch * lr0`` is ``decay_steps = steps_per_epoch``.
    ``0 < decay_rate <= 1``: a rate above 1 grows without bound.
    """
    lr0 = _rate("initial_learning_rate", initial_learning_rate)
    ds = _decay_steps("decay_steps", decay_steps)
    rate = check.in_range("decay_rate", decay_rate, 0.0, 1.0, low_open=True)
    staircase = bool(staircase)

    def fn(s):
        return lr0 * np.power(rate, _exponent(s, ds, staircase))

    exponent = r"\lfloor <t>/<decay_steps> \rfloor" if staircase else "<t>/<decay_steps>"
    params = {
        "initial_learning_rate": lr0,
        "decay_steps": ds,
        "decay_rate": rate,
        "staircase": staircase,
    }
    symbols = {"initial_learning_rate": r"\eta_0", "decay_rate": "r", "decay_steps": "T"}
    tex = _template(r"<initial_learning_rate> \cdot <decay_rate>^{" + exponent + "}", symbols, params)
    return Schedule(
        "exponential",
        params,
        fn,
        lambda t, n: tex(_group(t), n),
        "Multiply the rate by decay_rate every decay_steps steps"
        + (", all at once (a staircase)." if staircase else ", smoothly."),
        "keras.optimizers.schedules.ExponentialDecay / tf.compat.v1.train.exponential_decay",
    )


def inverse_time(
    initial_learning_rate: float,
    decay_steps: float,
    decay_rate: float,
    staircase: bool = False,
) -> Schedule:
    """``lr0 / (1 + decay_rate * step / decay_steps)``: the decay article's time-based decay.

    With ``decay_steps=1`` and steps counted in epochs (see :func:`per_epoch`) this is the
    article's ``lr0 / (1 + decay_rate * epoch)``. Mirrors Keras ``InverseTimeDecay``.
    """
    lr0 = _rate("initial_learning_rate", initial_learning_rate)
    ds = _decay_steps("decay_steps", decay_steps)
    rate = _rate("decay_rate", decay_rate)
    staircase = bool(staircase)

    def fn(s):
        return lr0 / (1.0 + rate * _exponent(s, ds, staircase))

    p_tex = r"\lfloor <t>/<decay_steps> \rfloor" if staircase else "<t>/<decay_steps>"
    params = {
        "initial_learning_rate": lr0,
        "decay_steps": ds,
        "decay_rate": rate,
        "staircase": staircase,
    }
    symbols = {"initial_learning_rate": r"\eta_0", "decay_rate": "k", "decay_steps": "T"}
    tex = _template(
        r"\frac{<initial_learning_rate>}{1 + <decay_rate> \cdot " + p_tex + "}", symbols, params
    )
    return Schedule(
        "inverse_time",
        params,
        fn,
        lambda t, n: tex(_group(t), n),
        "Time-based decay: the rate falls like 1/(1 + k·t), fast at first, then slowly.",
        "keras.optimizers.schedules.InverseTimeDecay",
    )


def inverse_sqrt(
    initial_learning_rate: float,
    k: float = 1.0,
    decay_steps: float = 1,
    offset: float = 1,
) -> Schedule:
    """``k * lr0 / sqrt(step / decay_steps + offset)``: the decay article's ``k/sqrt(epoch)``.

    The article's ``k / sqrt(epoch) * lr0`` is infinite at epoch 0; ``offset`` (default 1)
    shifts the count so the first update is defined: with ``offset=1`` the first rate is
    ``k * lr0``. No framework ships this schedule (it is Keras ``LearningRateScheduler``
    with a custom function), so it mirrors nothing.
    """
    lr0 = _rate("initial_learning_rate", initial_learning_rate)
    k = _rate("k", k)
    ds = _decay_steps("decay_steps", decay_steps)
    offset = check.in_range("offset", offset, 0.0, low_open=True)

    def fn(s):
        return k * lr0 / np.sqrt(s.astype(np.float64) / ds + offset)

    params = {"initial_learning_rate": lr0, "k": k, "decay_steps": ds, "offset": offset}
    symbols = {"initial_learning_rate": r"\eta_0", "k": "k", "decay_steps": "T", "offset": "c"}
    tex = _template(
        r"\frac{<k> \cdot <initial_learning_rate>}{\sqrt{<t>/<decay_steps> + <offset>}}",
        symbols,
        params,
    )
    return Schedule(
        "inverse_sqrt",
        params,
        fn,
        lambda t, n: tex(_group(t), n),
        "The rate falls like k/√t: slower than 1/t, the classic rate for noisy SGD.",
    )


def piecewise_constant(
    boundaries: Sequence[float], values: Sequence[float], inclusive: bool = True
) -> Schedule:
    """A staircase through ``values``, switching at ``boundaries``.

    ``inclusive=True`` is Keras ``PiecewiseConstantDecay``: ``values[i]`` while
    ``step <= boundaries[i]``, so the switch happens one step *after* each boundary.
    ``inclusive=False`` is optax's ``piecewise_constant_schedule`` and torch's milestones:
    ``values[i+1]`` from the boundary step itself.
    """
    b = check.increasing("boundaries", boundaries)
    v = tuple(_rate(f"values[{i}]", x) for i, x in enumerate(check.sequence("values", values)))
    if len(v) != len(b) + 1:
        raise ValueError(
            f"values must have one more entry than boundaries; got {len(v)} values "
            f"for {len(b)} boundaries"
        )
    if not b:
        raise ValueError("boundaries must hold at least one step; got none")
    inclusive = bool(inclusive)
    b_arr, v_arr = np.asarray(b), np.asarray(v)
    side = "left" if inclusive else "right"

    def fn(s):
        return v_arr[np.searchsorted(b_arr, s, side=side)]

    # Keras: v_i while b_{i-1} < t <= b_i.  optax/torch: v_i while b_{i-1} <= t < b_i.
    before, after = (r"\le", "<") if inclusive else ("<", r"\le")

    def tex(t, numeric):
        t = _group(t)
        val = [tex_number(x) if numeric else f"v_{i}" for i, x in enumerate(v)]
        bnd = [tex_number(x) if numeric else f"b_{i}" for i, x in enumerate(b)]
        rows = [f"{val[0]} & {t} {before} {bnd[0]}"]
        for i in range(1, len(b)):
            rows.append(f"{val[i]} & {bnd[i - 1]} {after} {t} {before} {bnd[i]}")
        rows.append(f"{val[-1]} & {bnd[-1]} {after} {t}")
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"

    return Schedule(
        "piecewise_constant",
        {"boundaries": b, "values": v, "inclusive": inclusive},
        fn,
        tex,
        "Hand-picked rates that switch at chosen steps"
        + (" (after the boundary, as Keras)." if inclusive else " (at the boundary, as optax/torch)."),
        "keras.optimizers.schedules.PiecewiseConstantDecay" if inclusive else "optax.piecewise_constant_schedule",
    )


def polynomial(
    initial_learning_rate: float,
    decay_steps: float,
    end_learning_rate: float = 0.0001,
    power: float = 1.0,
    cycle: bool = False,
) -> Schedule:
    """``(lr0 - end) * (1 - min(t, T)/T) ** power + end``; mirrors Keras ``PolynomialDecay``.

    With ``cycle=True`` the horizon grows to the first multiple of ``decay_steps`` at or
    beyond the step (``T * ceil(t/T)``, with multiplier 1 at step 0), as Keras does.
    """
    lr0 = _rate("initial_learning_rate", initial_learning_rate)
    ds = _decay_steps("decay_steps", decay_steps)
    end = _rate("end_learning_rate", end_learning_rate)
    power = check.in_range("power", power, 0.0, low_open=True)
    cycle = bool(cycle)

    def fn(s):
        t = s.astype(np.float64)
        if cycle:
            multiplier = np.where(t == 0, 1.0, np.ceil(t / ds))
            horizon = ds * multiplier
        else:
            t = np.minimum(t, ds)
            horizon = ds
        # With cycle, decay_steps * ceil(t / decay_steps) can round below t (0.7 * 90 <
        # 63); p is capped at 1, which changes nothing wherever Keras' own p is <= 1.
        p = np.minimum(t / horizon, 1.0)
        return (lr0 - end) * np.power(1 - p, power) + end

    params = {
        "initial_learning_rate": lr0,
        "decay_steps": ds,
        "end_learning_rate": end,
        "power": power,
        "cycle": cycle,
    }
    symbols = {
        "initial_learning_rate": r"\eta_0",
        "decay_steps": "T",
        "end_learning_rate": r"\eta_{\mathrm{end}}",
        "power": "p",
    }
    frac = (
        r"\frac{<t>}{<decay_steps> \lceil <t>/<decay_steps> \rceil}"
        if cycle
        else r"\frac{\min(<t>, <decay_steps>)}{<decay_steps>}"
    )
    tex = _template(
        r"(<initial_learning_rate> - <end_learning_rate>)\left(1 - "
        + frac
        + r"\right)^{<power>} + <end_learning_rate>",
        symbols,
        params,
    )
    return Schedule(
        "polynomial",
        params,
        fn,
        lambda t, n: tex(_group(t), n),
        "Slide from the initial rate to end_learning_rate along (1 - t/T)^power"
        + (", restarting with a longer horizon." if cycle else ", then hold."),
        "keras.optimizers.schedules.PolynomialDecay",
    )


def cosine(
    initial_learning_rate: float,
    decay_steps: float,
    alpha: float = 0.0,
    warmup_target: float | None = None,
    warmup_steps: int = 0,
) -> Schedule:
    """Half a cosine from the peak down to ``alpha * peak``, then hold; Keras ``CosineDecay``.

    As in Keras, warmup happens only when ``warmup_target`` is given: the rate then rises
    linearly from ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps``, and
    the cosine runs for ``decay_steps`` *after* the warmup (optax's
    ``warmup_cosine_decay_schedule`` counts the warmup inside its ``decay_steps``). Past its
    horizon it holds the floor; torch's :func:`cosine_annealing` rises again instead.
    """
    lr0 = _rate("initial_learning_rate", initial_learning_rate)
    ds = _decay_steps("decay_steps", decay_steps)
    alpha = check.in_range("alpha", alpha, 0.0, 1.0)
    target = None if warmup_target is None else _rate("warmup_target", warmup_target)
    ws = check.integer("warmup_steps", warmup_steps, low=0)

    def decay(t, peak):
        completed_fraction = t / ds
        cosine_decayed = 0.5 * (1.0 + np.cos(np.pi * completed_fraction))
        return peak * ((1 - alpha) * cosine_decayed + alpha)

    def fn(s):
        t = s.astype(np.float64)
        if target is None:
            return decay(np.minimum(t, ds), lr0)
        t = np.minimum(t, ds + ws)
        if ws == 0:  # Keras: no step is below warmup_steps, the decay starts at once
            return decay(t, target)
        ramp = (target - lr0) * (t / ws) + lr0
        return np.where(t < ws, ramp, decay(t - ws, target))

    params = {
        "initial_learning_rate": lr0,
        "decay_steps": ds,
        "alpha": alpha,
        "warmup_target": target,
        "warmup_steps": ws,
    }
    symbols = {
        "initial_learning_rate": r"\eta_0",
        "decay_steps": "T",
        "alpha": r"\alpha",
        "warmup_target": r"\eta_{\mathrm{peak}}",
        "warmup_steps": "W",
    }

    def tex(t, numeric):
        t = _group(t)
        if target is None:
            body = (
                r"<initial_learning_rate>\left[(1 - <alpha>)\,\tfrac12\left(1 + "
                r"\cos\frac{\pi \min(" + t + r", <decay_steps>)}{<decay_steps>}\right) + <alpha>\right]"
            )
            return _template(body, symbols, params)(t, numeric)
        body = (
            r"\begin{cases} <initial_learning_rate> + (<warmup_target> - <initial_learning_rate>)"
            r"\frac{" + t + r"}{<warmup_steps>} & " + t + r" < <warmup_steps> \\ "
            r"<warmup_target>\left[(1 - <alpha>)\,\tfrac12\left(1 + \cos\frac{\pi \min(" + t
            + r" - <warmup_steps>, <decay_steps>)}{<decay_steps>}\right) + <alpha>\right] & "
            + t + r" \ge <warmup_steps> \end{cases}"
        )
        return _template(body, symbols, params)(t, numeric)

    return Schedule(
        "cosine",
        params,
        fn,
        tex,
        ("Linear warmup, then half" if target is not None else "Half")
        + " a cosine down to alpha × peak over decay_steps, then hold the floor.",
        "keras.optimizers.schedules.CosineDecay",
    )


def cosine_restarts(
    initial_learning_rate: float,
    first_decay_steps: float,
    t_mul: float = 2.0,
    m_mul: float = 1.0,
    alpha: float = 0.0,
) -> Schedule:
    """SGDR: cosine periods that restart at the peak; Keras ``CosineDecayRestarts``.

    Period ``i`` lasts ``first_decay_steps * t_mul**i`` steps and peaks at ``m_mul**i``
    times the initial rate. Keras finds the period with a float ``log``, which can put a
    restart one step late (with ``t_mul=3``, ``first_decay_steps=1``, step 121 starts period 5 but
    ``log(243)/log(3) = 4.999999999999999``); here the log's guess is
    corrected by comparing the step with the period boundaries themselves, so restarts fall
    exactly where the periods add up. Requires ``t_mul >= 1`` (Keras returns NaN below) and
    ``m_mul <= 1`` (above, the peaks grow without bound).
    """
    lr0 = _rate("initial_learning_rate", initial_learning_rate)
    first = _decay_steps("first_decay_steps", first_decay_steps)
    t_mul = check.in_range("t_mul", t_mul, 1.0)
    m_mul = check.in_range("m_mul", m_mul, 0.0, 1.0)
    alpha = check.in_range("alpha", alpha, 0.0, 1.0)

    def start_of(i):  # completed fraction at which period i starts
        return (1.0 - np.power(t_mul, i)) / (1.0 - t_mul)

    def fn(s):
        completed_fraction = s.astype(np.float64) / first
        if t_mul == 1.0:
            i_restart = np.floor(completed_fraction)
            completed_fraction = completed_fraction - i_restart
        else:
            guess = np.floor(np.log(1.0 - completed_fraction * (1.0 - t_mul)) / np.log(t_mul))
            i_restart = np.maximum(guess, 0.0)
            # The guess can be one off either way at a boundary: count it right.
            i_restart = i_restart - (start_of(i_restart) > completed_fraction)
            i_restart = i_restart + (start_of(i_restart + 1) <= completed_fraction)
            sum_r = start_of(i_restart)
            completed_fraction = (completed_fraction - sum_r) / np.power(t_mul, i_restart)
        m_fac = np.power(m_mul, i_restart)
        cosine_decayed = 0.5 * m_fac * (1.0 + np.cos(np.pi * completed_fraction))
        return lr0 * ((1 - alpha) * cosine_decayed + alpha)

    params = {
        "initial_learning_rate": lr0,
        "first_decay_steps": first,
        "t_mul": t_mul,
        "m_mul": m_mul,
        "alpha": alpha,
    }
    symbols = {
        "initial_learning_rate": r"\eta_0",
        "first_decay_steps": "T_0",
        "t_mul": r"t_{\mathrm{mul}}",
        "m_mul": r"m_{\mathrm{mul}}",
        "alpha": r"\alpha",
    }
    tex = _template(
        r"<initial_learning_rate>\left[(1 - <alpha>)\,<m_mul>^{i}\,\tfrac12(1 + \cos \pi\tau) + <alpha>\right],"
        r"\quad \text{period } i \text{ lasts } <first_decay_steps>\cdot<t_mul>^{i} \text{ steps},"
        r"\ \tau \in [0,1) \text{ is the fraction of it done at } <t>",
        symbols,
        params,
    )
    return Schedule(
        "cosine_restarts",
        params,
        fn,
        tex,
        "Cosine decay that jumps back up (a warm restart), each period t_mul times longer.",
        "keras.optimizers.schedules.CosineDecayRestarts",
    )


# --------------------------------------------------------------------------- PyTorch mirrors


def step(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """``lr * gamma ** (t // step_size)``: torch ``StepLR``; the decay article's staircase.

    ``gamma=0.5`` is the article's "halve the rate every few epochs" (with ``step_size``
    in steps, or wrap in :func:`per_epoch`). ``0 <= gamma <= 1``.
    """
    lr = _rate("lr", lr)
    size = check.integer("step_size", step_size, low=1)
    gamma = check.in_range("gamma", gamma, 0.0, 1.0)

    def fn(s):
        return lr * np.power(gamma, (s // size).astype(np.float64))

    params = {"lr": lr, "step_size": size, "gamma": gamma}
    symbols = {"lr": r"\eta_0", "gamma": r"\gamma", "step_size": "s"}
    tex = _template(r"<lr> \cdot <gamma>^{\lfloor <t> / <step_size> \rfloor}", symbols, params)
    return Schedule(
        "step",
        params,
        fn,
        lambda t, n: tex(_group(t), n),
        "A staircase: multiply the rate by gamma every step_size steps.",
        "torch.optim.lr_scheduler.StepLR",
    )


def multi_step(lr: float, milestones: Sequence[int], gamma: float = 0.1) -> Schedule:
    """``lr * gamma ** (number of milestones <= t)``: torch ``MultiStepLR``.

    Milestones are strictly increasing steps >= 1; the rate drops *at* each milestone.
    """
    lr = _rate("lr", lr)
    ms = tuple(check.integer(f"milestones[{i}]", m, low=1) for i, m in enumerate(check.sequence("milestones", milestones)))
    check.increasing("milestones", ms)
    if not ms:
        raise ValueError("milestones must hold at least one step; got none")
    gamma = check.in_range("gamma", gamma, 0.0, 1.0)
    ms_arr = np.asarray(ms)

    def fn(s):
        return lr * np.power(gamma, np.searchsorted(ms_arr, s, side="right").astype(np.float64))

    def tex(t, numeric):
        t = _group(t)
        mset = r",\,".join(tex_number(m) for m in ms) if numeric else r"m_1, m_2, \dots"
        base = tex_number(lr) if numeric else r"\eta_0"
        g = tex_number(gamma) if numeric else r"\gamma"
        return rf"{base} \cdot {g}^{{\#\{{m \in \{{{mset}\}} : m \le {t}\}}}}"

    return Schedule(
        "multi_step",
        {"lr": lr, "milestones": ms, "gamma": gamma},
        fn,
        tex,
        "Multiply the rate by gamma at each chosen milestone step.",
        "torch.optim.lr_scheduler.MultiStepLR",
    )


def linear(
    lr: float, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5
) -> Schedule:
    """``lr * (start + (end - start) * min(t, total_iters) / total_iters)``: torch ``LinearLR``.

    ``total_iters=0`` stays at ``start_factor``, as torch's recursion does. Torch's ranges:
    ``0 < start_factor <= 1``, ``0 <= end_factor <= 1``.
    """
    lr = _rate("lr", lr)
    start = check.in_range("start_factor", start_factor, 0.0, 1.0, low_open=True)
    end = check.in_range("end_factor", end_factor, 0.0, 1.0)
    total = check.integer("total_iters", total_iters, low=0)

    def fn(s):
        if total == 0:
            return np.full(s.shape, lr * start)
        # The fraction first: at its end this is exactly start + (end - start), which
        # cannot round below end >= 0 (torch's order can give -3e-17 for end_factor=0).
        return lr * (start + (end - start) * (np.minimum(total, s) / total))

    params = {"lr": lr, "start_factor": start, "end_factor": end, "total_iters": total}
    symbols = {
        "lr": r"\eta_0",
        "start_factor": "f_s",
        "end_factor": "f_e",
        "total_iters": "N",
    }
    body = (
        r"<lr>\cdot <start_factor>"
        if total == 0
        else r"<lr>\left(<start_factor> + (<end_factor> - <start_factor>)\frac{\min(<t>, <total_iters>)}{<total_iters>}\right)"
    )
    tex = _template(body, symbols, params)
    return Schedule(
        "linear",
        params,
        fn,
        tex,
        "A straight line from start_factor × lr to end_factor × lr over total_iters steps, then hold.",
        "torch.optim.lr_scheduler.LinearLR",
    )


def cosine_annealing(lr: float, T_max: int, eta_min: float = 0.0) -> Schedule:
    """``eta_min + (lr - eta_min)(1 + cos(pi t / T_max)) / 2``: torch ``CosineAnnealingLR``.

    Periodic past ``T_max``: the rate climbs back to ``lr`` at ``2 T_max``, as torch's
    recursion does. Keras' :func:`cosine` holds the floor instead.
    """
    lr = _rate("lr", lr)
    T = check.integer("T_max", T_max, low=1)
    eta_min = _rate("eta_min", eta_min)

    def fn(s):
        return eta_min + (lr - eta_min) * (1 + np.cos(np.pi * s.astype(np.float64) / T)) / 2

    params = {"lr": lr, "T_max": T, "eta_min": eta_min}
    symbols = {"lr": r"\eta_0", "T_max": r"T_{\max}", "eta_min": r"\eta_{\min}"}
    tex = _template(
        r"<eta_min> + \tfrac12(<lr> - <eta_min>)\left(1 + \cos\frac{\pi <t>}{<T_max>}\right)",
        symbols,
        params,
    )
    return Schedule(
        "cosine_annealing",
        params,
        fn,
        lambda t, n: tex(_group(t), n),
        "Half a cosine from lr down to eta_min over T_max steps, then back up again.",
        "torch.optim.lr_scheduler.CosineAnnealingLR",
    )


def _period_starts(T_0: int, T_mult: int, last: int) -> np.ndarray:
    """Steps at which periods T_0, T_0*T_mult, ... begin, up to ``last``: exact integers.

    Built by adding period lengths as Python ints (at most ~64 of them for T_mult >= 2),
    so nothing overflows and no logarithm misplaces a restart.
    """
    starts, start, length = [0], 0, T_0
    while start + length <= last:
        start += length
        starts.append(start)
        length *= T_mult
    return np.array(starts, dtype=np.int64)


def cosine_warm_restarts(lr: float, T_0: int, T_mult: int = 1, eta_min: float = 0.0) -> Schedule:
    """Cosine periods of ``T_0, T_0*T_mult, ...`` steps, restarting at ``lr``.

    Mirrors torch ``CosineAnnealingWarmRestarts`` stepped once per update. Torch requires
    integer ``T_0 >= 1`` and ``T_mult >= 1``.
    """
    lr = _rate("lr", lr)
    T_0 = check.integer("T_0", T_0, low=1)
    T_mult = check.integer("T_mult", T_mult, low=1)
    eta_min = _rate("eta_min", eta_min)

    def fn(s):
        if T_mult == 1:
            t_cur, period = s % T_0, T_0
        else:
            starts = _period_starts(T_0, T_mult, int(s.max(initial=0)))
            i = np.searchsorted(starts, s, side="right") - 1
            t_cur = s - starts[i]
            period = np.array([T_0 * T_mult**k for k in range(len(starts))], dtype=np.float64)[i]
        return eta_min + (lr - eta_min) * (1 + np.cos(np.pi * t_cur / period)) / 2

    params = {"lr": lr, "T_0": T_0, "T_mult": T_mult, "eta_min": eta_min}
    symbols = {"lr": r"\eta_0", "T_0": "T_0", "T_mult": r"T_{\mathrm{mult}}", "eta_min": r"\eta_{\min}"}
    tex = _template(
        r"<eta_min> + \tfrac12(<lr> - <eta_min>)\left(1 + \cos\frac{\pi T_{\mathrm{cur}}}{T_i}\right),"
        r"\quad T_i = <T_0>\cdot<T_mult>^{i},\ T_{\mathrm{cur}} = \text{steps since the last restart before } <t>",
        symbols,
        params,
    )
    return Schedule(
        "cosine_warm_restarts",
        params,
        fn,
        tex,
        "Cosine from lr to eta_min, then a warm restart; each period T_mult times longer.",
        "torch.optim.lr_scheduler.CosineAnnealingWarmRestarts",
    )


def one_cycle(
    max_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> Schedule:
    """The 1cycle policy: up from ``max_lr/div_factor`` to ``max_lr``, then far below.

    Mirrors torch ``OneCycleLR`` (learning rate only). Torch ends the rise at step
    ``float(pct_start * total_steps) - 1``; optax's ``cosine_onecycle_schedule`` peaks at
    ``int(pct_start * transition_steps)``, one step later for the defaults, and decays to
    its final value at ``transition_steps`` rather than ``total_steps - 1``. Torch
    extrapolates past ``total_steps - 1`` and raises beyond ``total_steps``; this schedule
    holds its final value from ``total_steps - 1`` on.
    """
    peak = check.in_range("max_lr", max_lr, 0.0, low_open=True)
    total = check.integer("total_steps", total_steps, low=2)
    pct = check.in_range("pct_start", pct_start, 0.0, 1.0)
    strategy = check.one_of("anneal_strategy", anneal_strategy, ("cos", "linear"))
    div = check.in_range("div_factor", div_factor, 0.0, low_open=True)
    final_div = check.in_range("final_div_factor", final_div_factor, 0.0, low_open=True)
    three_phase = bool(three_phase)

    initial_lr = peak / div
    min_lr = initial_lr / final_div
    # torch's phase ends, computed exactly as torch does (float(pct * total) - 1, ...).
    low, high, floor = r"\eta_{\max}/d", r"\eta_{\max}", r"\eta_{\max}/(d\,d_f)"
    if three_phase:
        ends = [float(pct * total) - 1, float(2 * pct * total) - 2, total - 1]
        levels = [initial_lr, peak, initial_lr, min_lr]
        level_symbols = [low, high, low, floor]
    else:
        ends = [float(pct * total) - 1, total - 1]
        levels = [initial_lr, peak, min_lr]
        level_symbols = [low, high, floor]
    starts = [0.0] + ends[:-1]
    if not all(e > s for s, e in zip(starts, ends)):
        hi = (total + 1) / (2 * total) if three_phase else 1.0
        raise ValueError(
            f"pct_start must leave every phase at least one step: 1/total_steps < pct_start < "
            f"{hi:g}, i.e. {1 / total:g} < pct_start < {hi:g}; got {pct}"
        )

    def anneal(start, end, p):
        if strategy == "cos":
            return end + (start - end) / 2.0 * (np.cos(np.pi * p) + 1)
        return (end - start) * p + start

    ends_arr = np.asarray(ends[:-1])

    def fn(s):
        t = np.minimum(s, total - 1).astype(np.float64)
        phase = np.searchsorted(ends_arr, t, side="left")  # first phase with t <= end
        start_step = np.asarray(starts)[phase]
        end_step = np.asarray(ends)[phase]
        p = (t - start_step) / (end_step - start_step)
        return anneal(np.asarray(levels)[phase], np.asarray(levels)[phase + 1], p)

    params = {
        "max_lr": peak,
        "total_steps": total,
        "pct_start": pct,
        "anneal_strategy": strategy,
        "div_factor": div,
        "final_div_factor": final_div,
        "three_phase": three_phase,
    }

    def tex(t, numeric):
        t = _group(t)
        lv = [tex_number(x) for x in levels] if numeric else level_symbols
        shape = r"\mathrm{cos}" if strategy == "cos" else r"\mathrm{lin}"
        rows = []
        for k, (s0, e0) in enumerate(zip(starts, ends)):
            span = rf"{tex_number(s0)} < {t} \le {tex_number(e0)}" if k else rf"{t} \le {tex_number(e0)}"
            if k == len(ends) - 1:
                span = rf"{t} > {tex_number(s0)}"
            rows.append(rf"{shape}\left({lv[k]} \to {lv[k + 1]}\right) & {span}")
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"

    return Schedule(
        "one_cycle",
        params,
        fn,
        tex,
        "Warm up to max_lr, then anneal far below the start: one big cycle (fast.ai's 1cycle).",
        "torch.optim.lr_scheduler.OneCycleLR",
    )


def cyclic(
    base_lr: float,
    max_lr: float,
    step_size_up: int = 2000,
    step_size_down: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
) -> Schedule:
    """A triangle wave between ``base_lr`` and ``max_lr``: torch ``CyclicLR``.

    ``mode="triangular2"`` halves the amplitude each cycle; ``"exp_range"`` scales it by
    ``gamma**t``. Requires ``0 <= base_lr <= max_lr`` and ``0 < gamma <= 1``.
    """
    base = _rate("base_lr", base_lr)
    peak = check.in_range("max_lr", max_lr, base)
    up = check.integer("step_size_up", step_size_up, low=1)
    down = up if step_size_down is None else check.integer("step_size_down", step_size_down, low=1)
    mode = check.one_of("mode", mode, ("triangular", "triangular2", "exp_range"))
    gamma = check.in_range("gamma", gamma, 0.0, 1.0, low_open=True)
    total_size = float(up) + float(down)
    step_ratio = float(up) / total_size

    def fn(s):
        t = s.astype(np.float64)
        cycle = np.floor(1 + t / total_size)
        x = 1.0 + t / total_size - cycle
        scale_factor = np.where(x <= step_ratio, x / step_ratio, (x - 1) / (step_ratio - 1))
        base_height = (peak - base) * scale_factor
        if mode == "triangular":
            return base + base_height * 1.0
        if mode == "triangular2":
            # torch: 1 / 2.0**(cycle - 1); the same powers of two, without overflow.
            return base + base_height * np.power(0.5, cycle - 1)
        return base + base_height * np.power(gamma, t)

    params = {
        "base_lr": base,
        "max_lr": peak,
        "step_size_up": up,
        "step_size_down": step_size_down if step_size_down is None else down,
        "mode": mode,
        "gamma": gamma,
    }
    scale = {"triangular": "", "triangular2": r"\cdot 2^{1-c}", "exp_range": r"\cdot <gamma>^{<t>}"}[mode]
    symbols = {
        "base_lr": r"\eta_{\mathrm{base}}",
        "max_lr": r"\eta_{\max}",
        "gamma": r"\gamma",
    }
    up_s, down_s = tex_number(up), tex_number(down)
    tex = _template(
        r"<base_lr> + (<max_lr> - <base_lr>)\,h" + scale + r",\quad h = \begin{cases} x/\rho & x \le \rho"
        r" \\ (1-x)/(1-\rho) & x > \rho \end{cases},\ c = \lfloor 1 + \tfrac{<t>}{" + up_s + "+" + down_s
        + r"}\rfloor,\ x = 1 + \tfrac{<t>}{" + up_s + "+" + down_s + r"} - c,\ \rho = \tfrac{" + up_s + "}{"
        + up_s + "+" + down_s + "}",
        symbols,
        params,
    )
    return Schedule(
        "cyclic",
        params,
        fn,
        tex,
        "Sweep the rate up and down between base_lr and max_lr, over and over.",
        "torch.optim.lr_scheduler.CyclicLR",
    )


# --------------------------------------------------------------------------- compositions


def _schedule(name: str, value: Any) -> Schedule:
    if not isinstance(value, Schedule):
        raise ValueError(f"{name} must be a Schedule made by an lrcore factory; got {value!r}")
    return value


def warmup(schedule: Schedule, warmup_steps: int, start_lr: float = 0.0) -> Schedule:
    """A linear ramp from ``start_lr`` to ``schedule(0)``, then ``schedule(t - warmup_steps)``.

    With ``start_lr=0`` the ramp is the strategies note's
    ``global_step / warmup_steps * learning_rate``. The wrapped schedule starts its own
    clock after the warmup; this is optax's ``warmup_cosine_decay_schedule`` shape when the
    inner schedule is a cosine of length ``decay_steps - warmup_steps``.
    """
    inner = _schedule("schedule", schedule)
    ws = check.integer("warmup_steps", warmup_steps, low=0)
    start_lr = _rate("start_lr", start_lr)
    peak = float(inner(0))

    def fn(s):
        out = inner(np.maximum(s - ws, 0))
        if ws:
            ramp = start_lr + (s / ws) * (peak - start_lr)
            out = np.where(s < ws, ramp, out)
        return out

    def tex(t, numeric):
        t = _group(t)
        w = tex_number(ws) if numeric else "W"
        lo = tex_number(start_lr) if numeric else r"\eta_{\mathrm{start}}"
        hi = tex_number(peak) if numeric else r"\eta(0)"
        after = inner.rhs(f"{t} - {w}", numeric)
        if ws == 0:
            return inner.rhs(t, numeric)
        ramp = rf"\frac{{{t}}}{{{w}}} \cdot {hi}" if start_lr == 0 else rf"{lo} + \frac{{{t}}}{{{w}}}({hi} - {lo})"
        return rf"\begin{{cases}} {ramp} & {t} < {w} \\ {after} & {t} \ge {w} \end{{cases}}"

    return Schedule(
        "warmup",
        {"schedule": inner, "warmup_steps": ws, "start_lr": start_lr},
        fn,
        tex,
        f"Ramp up linearly for {ws} steps, then: " + inner.description[0].lower() + inner.description[1:],
        inner.mirrors and f"linear warmup + {inner.mirrors}",
    )


def join(schedules: Sequence[Schedule], boundaries: Sequence[int]) -> Schedule:
    """Run ``schedules[0]``, then from ``boundaries[i]`` on ``schedules[i+1](t - boundaries[i])``.

    Mirrors ``optax.join_schedules``: each later piece starts its own clock at its boundary.
    Boundaries are strictly increasing steps >= 1, one fewer than the pieces.
    """
    pieces = tuple(_schedule(f"schedules[{i}]", sch) for i, sch in enumerate(check.sequence("schedules", schedules)))
    bounds = tuple(check.integer(f"boundaries[{i}]", b, low=1) for i, b in enumerate(check.sequence("boundaries", boundaries)))
    check.increasing("boundaries", bounds)
    if len(pieces) < 2:
        raise ValueError(f"schedules must hold at least 2 schedules to join; got {len(pieces)}")
    if len(bounds) != len(pieces) - 1:
        raise ValueError(
            f"boundaries must hold one step fewer than schedules ({len(pieces) - 1}); "
            f"got {len(bounds)}"
        )
    offsets = np.asarray((0,) + bounds)

    def fn(s):
        piece = np.searchsorted(np.asarray(bounds), s, side="right")
        out = np.empty(s.shape)
        for i, sched in enumerate(pieces):  # a loop over pieces, not steps
            mask = piece == i
            out[mask] = sched(s[mask] - offsets[i])
        return out

    def tex(t, numeric):
        t = _group(t)
        b = [tex_number(x) if numeric else f"b_{i}" for i, x in enumerate(bounds)]
        rows = [f"{pieces[0].rhs(t, numeric)} & {t} < {b[0]}"]
        for i in range(1, len(pieces)):
            cond = f"{b[i - 1]} \\le {t} < {b[i]}" if i < len(b) else f"{t} \\ge {b[i - 1]}"
            rows.append(f"{pieces[i].rhs(f'{t} - {b[i - 1]}', numeric)} & {cond}")
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"

    return Schedule(
        "join",
        {"schedules": pieces, "boundaries": bounds},
        fn,
        tex,
        "One schedule after another; each piece restarts its clock at its boundary.",
        "optax.join_schedules",
    )


def per_epoch(schedule: Schedule, steps_per_epoch: int) -> Schedule:
    """``schedule(t // steps_per_epoch)``: a schedule of the epoch index, constant within an epoch.

    This is Keras ``LearningRateScheduler(fn)``, which calls ``fn(epoch)`` (0-based) at the
    start of each epoch: the decay article's ``DecayFunction``.
    """
    inner = _schedule("schedule", schedule)
    spe = check.integer("steps_per_epoch", steps_per_epoch, low=1)

    def tex(t, numeric):
        n = tex_number(spe) if numeric else "N"
        return inner.rhs(rf"\lfloor {_group(t)}/{n} \rfloor", numeric)

    return Schedule(
        "per_epoch",
        {"schedule": inner, "steps_per_epoch": spe},
        lambda s: inner(s // spe),
        tex,
        f"Change the rate only between epochs ({spe} steps each): " + inner.description[0].lower()
        + inner.description[1:],
        "keras.callbacks.LearningRateScheduler",
    )


# --------------------------------------------------------------------------- counting helpers


def steps_per_epoch(n_examples: int, batch_size: int, drop_last: bool = False) -> int:
    """Updates per pass over the data: ``ceil(N / B)``, or ``floor`` with ``drop_last``.

    The global_step answer's example: 1200 examples at batch size 100 give 12 steps, so
    global_step 12 is the first update of the second epoch.
    """
    n = check.integer("n_examples", n_examples, low=1)
    b = check.integer("batch_size", batch_size, low=1)
    if drop_last and b > n:
        raise ValueError(
            f"batch_size must be <= n_examples when drop_last=True (else no batch is full); "
            f"got batch_size={b}, n_examples={n}"
        )
    return n // b if drop_last else -(-n // b)


def batch_size_scaled(learning_rate: float, batch_size: int, k: float = 1.0) -> float:
    """The decay article's ``k / sqrt(mini_batch_size) * lr0``: a rate chosen by batch size.

    Not a schedule in time: it fixes the rate for a batch size (smaller batches, noisier
    gradients, smaller rate).
    """
    lr = _rate("learning_rate", learning_rate)
    b = check.integer("batch_size", batch_size, low=1)
    k = _rate("k", k)
    return k / math.sqrt(b) * lr


# The feedback schedule and user formulas live in their own modules; they are part of
# this namespace so every schedule a student meets is ``lrcore.schedules.<name>``.
from lrcore.plateau import ReduceLROnPlateau, reduce_on_plateau  # noqa: E402
from lrcore.formula import formula  # noqa: E402  (imports Schedule from this module)
