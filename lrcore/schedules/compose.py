"""Compositions: a warmup before a schedule, and schedules one after another (optax's join).

Each later piece starts its own clock: ``warmup(s, W)`` runs ``s(t - W)`` after the ramp,
``join`` runs piece ``i+1`` at ``t - boundaries[i]``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.schedules.base import Schedule, group, rate_arg, schedule_arg, tex_number

__all__ = ["warmup", "join"]

FAMILY = "Composition"


def warmup(schedule: Schedule, warmup_steps: int, start_lr: float = 0.0) -> Schedule:
    """A linear ramp from ``start_lr`` to ``schedule(0)``, then ``schedule(t - warmup_steps)``.

    With ``start_lr=0`` the ramp is the strategies note's
    ``global_step / warmup_steps * learning_rate``. The wrapped schedule starts its own
    clock after the warmup; this is optax's ``warmup_cosine_decay_schedule`` shape when the
    inner schedule is a cosine of length ``decay_steps - warmup_steps``.
    """
    inner = schedule_arg("schedule", schedule)
    ws = check.integer("warmup_steps", warmup_steps, low=0)
    start_lr = rate_arg("start_lr", start_lr)
    peak = float(inner(0))

    def fn(s):
        out = inner(np.maximum(s - ws, 0))
        if ws:
            ramp = start_lr + (s / ws) * (peak - start_lr)
            out = np.where(s < ws, ramp, out)
        return out

    def tex(t, numeric):
        t = group(t)
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
        N_("Ramp up linearly for {steps} steps, then: {then}"),
        inner.mirrors and f"linear warmup + {inner.mirrors}",
        {"steps": ws, "then": inner},
    )


def join(schedules: Sequence[Schedule], boundaries: Sequence[int]) -> Schedule:
    """Run ``schedules[0]``, then from ``boundaries[i]`` on ``schedules[i+1](t - boundaries[i])``.

    Mirrors ``optax.join_schedules``: each later piece starts its own clock at its boundary.
    Boundaries are strictly increasing steps >= 1, one fewer than the pieces.
    """
    pieces = tuple(schedule_arg(f"schedules[{i}]", sch) for i, sch in enumerate(check.sequence("schedules", schedules)))
    bounds = tuple(check.integer(f"boundaries[{i}]", b, low=1) for i, b in enumerate(check.sequence("boundaries", boundaries)))
    check.increasing("boundaries", bounds)
    if len(pieces) < 2:
        raise check.fail("schedules", N_("{name} must hold at least 2 schedules to join; got {count}"), value=pieces, count=len(pieces))
    if len(bounds) != len(pieces) - 1:
        raise check.fail(
            "boundaries",
            N_("{name} must hold one step fewer than schedules ({wanted}); got {count}"),
            value=bounds,
            wanted=len(pieces) - 1,
            count=len(bounds),
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
        t = group(t)
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
        N_("One schedule after another; each piece restarts its clock at its boundary."),
        "optax.join_schedules",
    )
