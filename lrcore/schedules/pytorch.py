"""PyTorch mirrors: step, multi-step, linear, cosine annealing (with warm restarts), 1cycle, cyclic.

Each is the closed form of a ``torch.optim.lr_scheduler`` class stepped once per update:
after ``scheduler.step()`` has been called ``t`` times, torch's rate is ``schedule(t)``.
``tests/test_schedules_torch.py`` steps the real schedulers and compares every step.
"""

from __future__ import annotations

from typing import Literal, Sequence, get_args

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.schedules.base import Schedule, blend, group, over, product, rate_arg, shown, template, tex_number

__all__ = ["step", "multi_step", "linear", "cosine_annealing", "cosine_warm_restarts", "one_cycle", "cyclic"]

FAMILY = "PyTorch"

# The allowed values, said once: the checks and the registry both read them from here.
AnnealStrategy = Literal["cos", "linear"]
CyclicMode = Literal["triangular", "triangular2", "exp_range"]


def step(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """``lr * gamma ** (t // step_size)``: torch ``StepLR``; the decay article's staircase.

    ``gamma=0.5`` is the article's "halve the rate every few epochs" (with ``step_size``
    in steps, or wrap in :func:`per_epoch`). ``0 <= gamma <= 1``.
    """
    lr = rate_arg("lr", lr)
    size = check.integer("step_size", step_size, low=1)
    gamma = check.in_range("gamma", gamma, 0.0, 1.0)

    def fn(s):
        return lr * np.power(gamma, (s // size).astype(np.float64))

    params = {"lr": lr, "step_size": size, "gamma": gamma}
    symbols = {"lr": r"\eta_0", "gamma": r"\gamma", "step_size": "s"}

    def tex(t, numeric):
        exponent = over(numeric, "step_size", size, floor=True)
        return template(r"<lr> \cdot <gamma>^{" + exponent + "}", symbols, params)(group(t), numeric)

    return Schedule(
        "step",
        params,
        fn,
        tex,
        N_("A staircase: multiply the rate by gamma every step_size steps."),
        "torch.optim.lr_scheduler.StepLR",
    )


def multi_step(lr: float, milestones: Sequence[int], gamma: float = 0.1) -> Schedule:
    """``lr * gamma ** (number of milestones <= t)``: torch ``MultiStepLR``.

    Milestones are strictly increasing steps >= 1; the rate drops *at* each milestone.
    """
    lr = rate_arg("lr", lr)
    ms = tuple(check.integer(f"milestones[{i}]", m, low=1) for i, m in enumerate(check.sequence("milestones", milestones)))
    check.increasing("milestones", ms)
    if not ms:
        raise check.fail("milestones", N_("{name} must hold at least one step; got none"), value=ms)
    gamma = check.in_range("gamma", gamma, 0.0, 1.0)
    ms_arr = np.asarray(ms)

    def fn(s):
        return lr * np.power(gamma, np.searchsorted(ms_arr, s, side="right").astype(np.float64))

    def tex(t, numeric):
        t = group(t)
        mset = r",\,".join(tex_number(m) for m in ms) if numeric else r"m_1, m_2, \dots"
        base = tex_number(lr) if numeric else r"\eta_0"
        g = tex_number(gamma) if numeric else r"\gamma"
        return rf"{base} \cdot {g}^{{\#\{{m \in \{{{mset}\}} : m \le {t}\}}}}"

    return Schedule(
        "multi_step",
        {"lr": lr, "milestones": ms, "gamma": gamma},
        fn,
        tex,
        N_("Multiply the rate by gamma at each chosen milestone step."),
        "torch.optim.lr_scheduler.MultiStepLR",
    )


def linear(
    lr: float, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5
) -> Schedule:
    """``lr * (start + (end - start) * min(t, total_iters) / total_iters)``: torch ``LinearLR``.

    ``total_iters=0`` stays at ``start_factor``, as torch's recursion does. Torch's ranges:
    ``0 < start_factor <= 1``, ``0 <= end_factor <= 1``.
    """
    lr = rate_arg("lr", lr)
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

    def tex(t, numeric):
        if total:
            line = r"\frac{\min(<t>, <total_iters>)}{<total_iters>}"
            body = r"<lr>\left(<start_factor> + (<end_factor> - <start_factor>)" + line + r"\right)"
        else:
            body = product(numeric, ("<lr>", lr), ("<start_factor>", start))
        return template(body, symbols, params)(t, numeric)

    return Schedule(
        "linear",
        params,
        fn,
        tex,
        N_("A straight line from start_factor × lr to end_factor × lr over total_iters steps, then hold."),
        "torch.optim.lr_scheduler.LinearLR",
    )


def cosine_annealing(lr: float, T_max: int, eta_min: float = 0.0) -> Schedule:
    """``eta_min + (lr - eta_min)(1 + cos(pi t / T_max)) / 2``: torch ``CosineAnnealingLR``.

    Periodic past ``T_max``: the rate climbs back to ``lr`` at ``2 T_max``, as torch's
    recursion does. Keras' :func:`cosine` holds the floor instead.
    """
    lr = rate_arg("lr", lr)
    T = check.integer("T_max", T_max, low=1)
    eta_min = rate_arg("eta_min", eta_min)

    def fn(s):
        return eta_min + (lr - eta_min) * (1 + np.cos(np.pi * s.astype(np.float64) / T)) / 2

    params = {"lr": lr, "T_max": T, "eta_min": eta_min}
    symbols = {"lr": r"\eta_0", "T_max": r"T_{\max}", "eta_min": r"\eta_{\min}"}

    def tex(t, numeric):
        half = r"\tfrac12\left(1 + \cos\frac{\pi <t>}{<T_max>}\right)"
        return template(blend("<eta_min>", "<lr>", half, shown(numeric, eta_min, 0)), symbols, params)(group(t), numeric)

    return Schedule(
        "cosine_annealing",
        params,
        fn,
        tex,
        N_("Half a cosine from lr down to eta_min over T_max steps, then back up again."),
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
    lr = rate_arg("lr", lr)
    T_0 = check.integer("T_0", T_0, low=1)
    T_mult = check.integer("T_mult", T_mult, low=1)
    eta_min = rate_arg("eta_min", eta_min)

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

    def tex(t, numeric):
        half = r"\tfrac12\left(1 + \cos\frac{\pi T_{\mathrm{cur}}}{T_i}\right)"
        period = product(numeric, ("<T_0>", T_0), ("<T_mult>^{i}", T_mult))
        body = (
            blend("<eta_min>", "<lr>", half, shown(numeric, eta_min, 0)) + r",\quad T_i = " + period
            + r",\ T_{\mathrm{cur}} = \text{steps since the last restart before } <t>"
        )
        return template(body, symbols, params)(t, numeric)

    return Schedule(
        "cosine_warm_restarts",
        params,
        fn,
        tex,
        N_("Cosine from lr to eta_min, then a warm restart; each period T_mult times longer."),
        "torch.optim.lr_scheduler.CosineAnnealingWarmRestarts",
    )


def one_cycle(
    max_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    anneal_strategy: AnnealStrategy = "cos",
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
    strategy = check.one_of("anneal_strategy", anneal_strategy, get_args(AnnealStrategy))
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
        raise check.fail(
            "pct_start",
            N_("{name} must leave every phase at least one step: 1/total_steps < {name} < "
               "{high:g}, i.e. {low:g} < {name} < {high:g}; got {value}"),
            code="range",
            value=pct,
            low=1 / total,
            high=hi,
            low_open=True,
            high_open=True,
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
        t = group(t)
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
        N_("Warm up to max_lr, then anneal far below the start: one big cycle (fast.ai's 1cycle)."),
        "torch.optim.lr_scheduler.OneCycleLR",
    )


def cyclic(
    base_lr: float,
    max_lr: float,
    step_size_up: int = 2000,
    step_size_down: int | None = None,
    mode: CyclicMode = "triangular",
    gamma: float = 1.0,
) -> Schedule:
    """A triangle wave between ``base_lr`` and ``max_lr``: torch ``CyclicLR``.

    ``mode="triangular2"`` halves the amplitude each cycle; ``"exp_range"`` scales it by
    ``gamma**t``. Requires ``0 <= base_lr <= max_lr`` and ``0 < gamma <= 1``.
    """
    base = rate_arg("base_lr", base_lr)
    peak = check.in_range("max_lr", max_lr, base)
    up = check.integer("step_size_up", step_size_up, low=1)
    down = up if step_size_down is None else check.integer("step_size_down", step_size_down, low=1)
    mode = check.one_of("mode", mode, get_args(CyclicMode))
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
    symbols = {
        "base_lr": r"\eta_{\mathrm{base}}",
        "max_lr": r"\eta_{\max}",
        "gamma": r"\gamma",
    }
    up_s, down_s = tex_number(up), tex_number(down)
    cycle = rf"\tfrac{{<t>}}{{{up_s}+{down_s}}}"
    where = (
        r",\quad h = \begin{cases} x/\rho & x \le \rho \\ (1-x)/(1-\rho) & x > \rho \end{cases},"
        rf"\ c = \lfloor 1 + {cycle}\rfloor,\ x = 1 + {cycle} - c,\ \rho = \tfrac{{{up_s}}}{{{up_s}+{down_s}}}"
    )

    def tex(t, numeric):
        scale = {"triangular": "", "triangular2": r" \cdot 2^{1-c}", "exp_range": r" \cdot <gamma>^{<t>}"}[mode]
        if mode == "exp_range" and not shown(numeric, gamma, 1):
            scale = ""
        body = blend("<base_lr>", "<max_lr>", "h" + scale, shown(numeric, base, 0)) + where
        return template(body, symbols, params)(t, numeric)

    return Schedule(
        "cyclic",
        params,
        fn,
        tex,
        N_("Sweep the rate up and down between base_lr and max_lr, over and over."),
        "torch.optim.lr_scheduler.CyclicLR",
    )
