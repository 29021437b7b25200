"""Keras / TensorFlow mirrors: exponential, inverse time, piecewise, polynomial, cosine, SGDR.

Each repeats the Keras function's arithmetic operation for operation (``keras.optimizers
.schedules.*``), so the two agree to float64 round-off; see the package docstring for
where Keras differs from optax and torch.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.schedules.base import (
    Schedule,
    blend,
    group,
    over,
    product,
    rate_arg,
    shown,
    steps_arg,
    template,
    tex_number,
)

__all__ = ["exponential", "inverse_time", "piecewise_constant", "polynomial", "cosine", "cosine_restarts"]

FAMILY = "Keras / TensorFlow"


def _exponent(s: np.ndarray, decay_steps: float, staircase: bool) -> np.ndarray:
    """``t / decay_steps``, floored when ``staircase`` (Keras' ``p``)."""
    p = s.astype(np.float64) / decay_steps
    return np.floor(p) if staircase else p


def _floored(peak: str, shape: str, floor: bool) -> str:
    """Keras' ``peak·[(1 - α)·shape + α]``; just ``peak·shape`` when the floor α is left out."""
    return peak + (r"\left[(1 - <alpha>)\," + shape + r" + <alpha>\right]" if floor else r"\," + shape)


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
    lr0 = rate_arg("initial_learning_rate", initial_learning_rate)
    ds = steps_arg("decay_steps", decay_steps)
    rate = check.in_range("decay_rate", decay_rate, 0.0, 1.0, low_open=True)
    staircase = bool(staircase)

    def fn(s):
        return lr0 * np.power(rate, _exponent(s, ds, staircase))

    params = {
        "initial_learning_rate": lr0,
        "decay_steps": ds,
        "decay_rate": rate,
        "staircase": staircase,
    }
    symbols = {"initial_learning_rate": r"\eta_0", "decay_rate": "r", "decay_steps": "T"}

    def tex(t, numeric):
        exponent = over(numeric, "decay_steps", ds, staircase)
        body = r"<initial_learning_rate> \cdot <decay_rate>^{" + exponent + "}"
        return template(body, symbols, params)(group(t), numeric)

    return Schedule(
        "exponential",
        params,
        fn,
        tex,
        N_("Multiply the rate by decay_rate every decay_steps steps, all at once (a staircase).")
        if staircase
        else N_("Multiply the rate by decay_rate every decay_steps steps, smoothly."),
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
    lr0 = rate_arg("initial_learning_rate", initial_learning_rate)
    ds = steps_arg("decay_steps", decay_steps)
    rate = rate_arg("decay_rate", decay_rate)
    staircase = bool(staircase)

    def fn(s):
        return lr0 / (1.0 + rate * _exponent(s, ds, staircase))

    params = {
        "initial_learning_rate": lr0,
        "decay_steps": ds,
        "decay_rate": rate,
        "staircase": staircase,
    }
    symbols = {"initial_learning_rate": r"\eta_0", "decay_rate": "k", "decay_steps": "T"}

    def tex(t, numeric):
        if not shown(numeric, rate, 0):
            return tex_number(lr0)
        p_tex = over(numeric, "decay_steps", ds, staircase)
        k = "<decay_rate> \\cdot " if shown(numeric, rate, 1) else ""
        return template(r"\frac{<initial_learning_rate>}{1 + " + k + p_tex + "}", symbols, params)(group(t), numeric)

    return Schedule(
        "inverse_time",
        params,
        fn,
        tex,
        N_("Time-based decay: the rate falls like 1/(1 + k·t), fast at first, then slowly."),
        "keras.optimizers.schedules.InverseTimeDecay",
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
    v = tuple(rate_arg(f"values[{i}]", x) for i, x in enumerate(check.sequence("values", values)))
    if len(v) != len(b) + 1:
        raise check.fail(
            "values",
            N_("{name} must have one more entry than boundaries; got {values} values for {boundaries} boundaries"),
            value=v,
            values=len(v),
            boundaries=len(b),
        )
    if not b:
        raise check.fail("boundaries", N_("{name} must hold at least one step; got none"), value=b)
    inclusive = bool(inclusive)
    b_arr, v_arr = np.asarray(b), np.asarray(v)
    side = "left" if inclusive else "right"

    def fn(s):
        return v_arr[np.searchsorted(b_arr, s, side=side)]

    # Keras: v_i while b_{i-1} < t <= b_i.  optax/torch: v_i while b_{i-1} <= t < b_i.
    before, after = (r"\le", "<") if inclusive else ("<", r"\le")

    def tex(t, numeric):
        t = group(t)
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
        N_("Hand-picked rates that switch at chosen steps (after the boundary, as Keras).")
        if inclusive
        else N_("Hand-picked rates that switch at chosen steps (at the boundary, as optax/torch)."),
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
    lr0 = rate_arg("initial_learning_rate", initial_learning_rate)
    ds = steps_arg("decay_steps", decay_steps)
    end = rate_arg("end_learning_rate", end_learning_rate)
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

    def tex(t, numeric):
        floor = shown(numeric, end, 0)
        body = r"(<initial_learning_rate> - <end_learning_rate>)" if floor else "<initial_learning_rate>"
        body += r"\left(1 - " + frac + r"\right)" + ("^{<power>}" if shown(numeric, power, 1) else "")
        return template(body + (" + <end_learning_rate>" if floor else ""), symbols, params)(group(t), numeric)

    return Schedule(
        "polynomial",
        params,
        fn,
        tex,
        N_("Slide from the initial rate to end_learning_rate along (1 - t/T)^power, restarting with a longer horizon.")
        if cycle
        else N_("Slide from the initial rate to end_learning_rate along (1 - t/T)^power, then hold."),
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
    lr0 = rate_arg("initial_learning_rate", initial_learning_rate)
    ds = steps_arg("decay_steps", decay_steps)
    alpha = check.in_range("alpha", alpha, 0.0, 1.0)
    target = None if warmup_target is None else rate_arg("warmup_target", warmup_target)
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
        def decayed(peak, s):
            half = r"\tfrac12\left(1 + \cos\frac{\pi \min(" + s + r", <decay_steps>)}{<decay_steps>}\right)"
            return _floored(peak, half, shown(numeric, alpha, 0))

        t = group(t)
        if target is None:
            return template(decayed("<initial_learning_rate>", t), symbols, params)(t, numeric)
        ramp = blend(
            "<initial_learning_rate>", "<warmup_target>", r"\frac{" + t + r"}{<warmup_steps>}", shown(numeric, lr0, 0)
        )
        body = (
            r"\begin{cases} " + ramp + " & " + t + r" < <warmup_steps> \\ "
            + decayed("<warmup_target>", t + " - <warmup_steps>") + " & " + t + r" \ge <warmup_steps> \end{cases}"
        )
        return template(body, symbols, params)(t, numeric)

    return Schedule(
        "cosine",
        params,
        fn,
        tex,
        N_("Linear warmup, then half a cosine down to alpha × peak over decay_steps, then hold the floor.")
        if target is not None
        else N_("Half a cosine down to alpha × peak over decay_steps, then hold the floor."),
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
    lr0 = rate_arg("initial_learning_rate", initial_learning_rate)
    first = steps_arg("first_decay_steps", first_decay_steps)
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

    def tex(t, numeric):
        shape = (r"<m_mul>^{i}\," if shown(numeric, m_mul, 1) else "") + r"\tfrac12(1 + \cos \pi\tau)"
        length = product(numeric, ("<first_decay_steps>", first), ("<t_mul>^{i}", t_mul))
        body = (
            _floored("<initial_learning_rate>", shape, shown(numeric, alpha, 0))
            + r",\quad \text{period } i \text{ lasts } "
            + length + r" \text{ steps},\ \tau \in [0,1) \text{ is the fraction of it done at } <t>"
        )
        return template(body, symbols, params)(t, numeric)

    return Schedule(
        "cosine_restarts",
        params,
        fn,
        tex,
        N_("Cosine decay that jumps back up (a warm restart), each period t_mul times longer."),
        "keras.optimizers.schedules.CosineDecayRestarts",
    )
