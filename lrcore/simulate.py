"""Minibatch gradient descent on a problem, many runs at once.

``simulate`` runs one schedule; ``simulate_many`` runs several schedules on the *same*
noise (common random numbers), so "constant vs decayed" differs only in the schedule.
Runs and schedules are array axes: the only Python loop is over steps, which is
sequential by nature.

A run whose loss exceeds ``divergence_bound`` (default 10^6 × the starting loss, at least
10^6) or stops being finite is *diverged*: it is frozen at its last finite point, its loss
is ``inf`` from that step on, and ``diverged_at`` holds the step. No overflow warning
escapes: divergence is a result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.optim import Optimizer
from lrcore.problems import LeastSquares, NoisyQuadratic
from lrcore.schedules import ReduceLROnPlateau, Schedule

__all__ = ["simulate", "simulate_many", "SimulationResult", "MAX_RECORDED_POINTS"]

# Recorded positions (schedules x runs x recorded steps) above this need record_every.
MAX_RECORDED_POINTS = 40_000_000


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """One schedule's runs.

    Attributes:
        w: positions, ``(runs, len(steps), 2)``; ``w[:, 0]`` is the start.
        loss: full loss at those positions, ``(runs, len(steps))``; ``inf`` once diverged.
        lr: the rate of each update, ``(n_steps,)``; ``(runs, n_steps)`` for a feedback
            schedule (reduce-on-plateau), whose rate differs per run.
        diverged_at: per run, the update count at which it diverged, or -1.
        steps: the update counts recorded: ``0..n_steps`` unless ``record_every > 1``.
    """

    w: np.ndarray
    loss: np.ndarray
    lr: np.ndarray
    diverged_at: np.ndarray
    steps: np.ndarray
    problem: Any
    optimizer: Optimizer
    schedule: Any
    steps_per_epoch: int

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0

    @property
    def first_divergence(self) -> int | None:
        """The earliest step at which any run diverged, or None."""
        return int(self.diverged_at[self.diverged].min()) if self.diverged.any() else None

    def mean_loss(self) -> np.ndarray:
        """Monte Carlo mean over runs at each recorded step (``inf`` where any run diverged)."""
        return self.loss.mean(axis=0)

    def standard_error(self) -> np.ndarray:
        runs = self.loss.shape[0]
        if runs < 2:
            return np.full(self.loss.shape[1], np.nan)
        with np.errstate(invalid="ignore"):  # inf - inf where runs diverged: reported as nan
            return self.loss.std(axis=0, ddof=1) / np.sqrt(runs)


def _bound(problem, bound: float | None) -> float:
    if bound is not None:
        return check.in_range("divergence_bound", bound, 0.0, low_open=True)
    return 1e6 * max(float(problem.loss(problem.start_point)), 1.0)


def simulate_many(
    problem: NoisyQuadratic | LeastSquares,
    optimizer: Optimizer,
    schedules: Sequence[Schedule | ReduceLROnPlateau],
    steps: int,
    runs: int = 1,
    seed: int = 0,
    noise: np.ndarray | None = None,
    *,
    record_every: int = 1,
    divergence_bound: float | None = None,
    steps_per_epoch: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[SimulationResult]:
    """Run every schedule on the same problem, optimizer and noise; one result each.

    ``steps_per_epoch`` is how often a reduce-on-plateau schedule is fed the run's loss:
    the dataset's epoch for :class:`LeastSquares`, 1 by default for the noisy quadratic
    (which has no epochs). ``record_every`` keeps every k-th position to bound memory on
    very long runs; divergence is still detected at the exact step. ``progress``, if
    given, is called as ``progress(steps_done, steps)`` after each chunk of steps.
    """
    if not all(hasattr(problem, a) for a in ("gradients", "loss_cm", "loss", "start_point")):
        raise check.fail(
            "problem",
            N_("{name} must be one of lrcore.problems' problems (a gradient source with gradients, loss_cm, loss "
               "and start_point); got {kind}"),
            kind=type(problem).__name__,
        )
    if not isinstance(optimizer, Optimizer):
        raise check.fail("optimizer", N_("{name} must be one of lrcore.optim's optimizers; got {value!r}"), value=optimizer)
    schedules = list(schedules)
    if not schedules:
        raise check.fail("schedules", N_("{name} must hold at least one schedule; got none"))
    for i, s in enumerate(schedules):
        if not isinstance(s, (Schedule, ReduceLROnPlateau)):
            raise check.fail(f"schedules[{i}]", N_("{name} must be an lrcore schedule; got {value!r}"), value=s)
    steps = check.integer("steps", steps, low=1)
    runs = check.integer("runs", runs, low=1)
    seed = check.integer("seed", seed, low=0)
    record_every = check.integer("record_every", record_every, low=1)
    spe = steps_per_epoch if steps_per_epoch is not None else getattr(problem, "steps_per_epoch", 1)
    spe = check.integer("steps_per_epoch", spe, low=1)
    bound = _bound(problem, divergence_bound)

    recorded = np.arange(0, steps + 1, record_every)
    if recorded[-1] != steps:
        recorded = np.append(recorded, steps)
    n_sched = len(schedules)
    if n_sched * runs * len(recorded) > MAX_RECORDED_POINTS:
        raise check.fail(
            "record_every",
            N_("{name} must be larger: {schedules} schedule(s) × {runs} runs × {recorded} recorded "
               "steps exceeds {most:,} positions"),
            value=record_every, schedules=n_sched, runs=runs, recorded=len(recorded), most=MAX_RECORDED_POINTS,
        )

    # Rates: open-loop schedules are evaluated once for all steps (vectorised).
    closed = [i for i, s in enumerate(schedules) if isinstance(s, ReduceLROnPlateau)]
    plateaus = {i: schedules[i].fresh() for i in closed}
    open_loop = [i for i in range(n_sched) if i not in plateaus]
    table = np.zeros((steps, n_sched, 1))
    for i in open_loop:
        table[:, i, 0] = schedules[i](np.arange(steps))
    if closed:
        lr_now = np.zeros((n_sched, runs))
        for i, p in plateaus.items():
            lr_now[i] = p.lr
        lr_history = np.empty((len(closed), runs, steps))

    # Internally positions are coordinate-major and flat, (2, schedules * runs): each
    # operation then runs over one contiguous block (broadcasting along a length-2 axis
    # is several times slower), and a step costs a handful of NumPy calls.
    columns = n_sched * runs
    start = problem.start_point
    w = np.repeat(start[:, None], columns, axis=1)
    state = optimizer.init(w)
    gradient = problem.gradients(runs, steps, seed, noise, copies=n_sched)

    recorded_w = np.empty((len(recorded), 2, columns))
    recorded_loss = np.empty((len(recorded), columns))
    every_step = record_every == 1
    slot = np.full(steps + 1, -1)
    slot[recorded] = np.arange(len(recorded))
    recorded_w[0] = w
    recorded_loss[0] = problem.loss_cm(w)
    diverged_at = np.full(columns, -1)
    frozen = np.empty_like(w)  # where each diverged run stays

    # Steps run in chunks; divergence is checked once per chunk, vectorised, at the exact
    # step. Runs are independent, so a runaway run computing garbage inside a chunk
    # touches no other run; afterwards it is frozen from its first bad step on.
    chunk = int(np.clip(2**19 // (2 * columns), 16, 512))
    scratch = None if every_step else np.empty((chunk + 1, 2, columns))
    chunk_loss = None if every_step else np.empty((chunk, columns))
    work = np.empty((3, chunk, columns))  # reused by every chunk's loss
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for first in range(0, steps, chunk):
            n = min(chunk, steps - first)
            # Each row holds the positions after an update; row 0 is where the chunk starts.
            buffer = recorded_w[first : first + n + 1] if every_step else scratch[: n + 1]
            buffer[0] = w
            w = buffer[0]
            if closed:
                for j in range(n):
                    t = first + j
                    lr_now[open_loop] = table[t, open_loop]  # feedback rates differ per run
                    lr_history[:, :, t] = lr_now[closed]
                    w = optimizer.update(state, w, gradient(w, t), lr_now.reshape(-1), t, out=buffer[j + 1])
                    if (t + 1) % spe == 0:  # epoch end: feed each run its own loss
                        for i in closed:  # a loop over schedules, not runs
                            lr_now[i] = plateaus[i].step(problem.loss_cm(w[:, i * runs : (i + 1) * runs]))
            else:
                lr_block = np.repeat(table[first : first + n], runs, axis=1).reshape(n, 1, columns)
                update = optimizer.update  # the hot loop: a few NumPy calls per step
                for j, t in enumerate(range(first, first + n)):
                    w = update(state, w, gradient(w, t), lr_block[j], t, buffer[j + 1])

            block = buffer[1 : n + 1]
            out = recorded_loss[first + 1 : first + n + 1] if every_step else chunk_loss[:n]
            loss = problem.loss_cm(block.transpose(1, 0, 2), out=out, work=work[:, :n])  # (n, columns)
            if not np.max(loss) <= bound:  # NaN fails too
                bad = ~(loss <= bound)
                newly = bad.any(axis=0) & (diverged_at < 0)
                if newly.any():
                    k = np.argmax(bad, axis=0)  # first bad step in this chunk
                    diverged_at[newly] = first + k[newly] + 1
                    at_k = np.take_along_axis(block, k[None, None], axis=0)[0]
                    before_k = np.take_along_axis(buffer[:n], k[None, None], axis=0)[0]
                    last_finite = np.where(np.isfinite(at_k).all(axis=0), at_k, before_k)
                    frozen[:, newly] = last_finite[:, newly]
                steps_here = np.arange(first + 1, first + n + 1)[:, None]
                dead = (diverged_at >= 0) & (steps_here >= diverged_at)  # (n, columns)
                block[...] = np.where(dead[:, None], frozen, block)
                loss[dead] = np.inf
            if not every_step:
                rows = slot[first + 1 : first + n + 1]
                keep = rows >= 0
                recorded_w[rows[keep]] = block[keep]
                recorded_loss[rows[keep]] = loss[keep]
            w = block[-1].copy()  # the buffer rows belong to the output (or are reused)
            if progress is not None:
                progress(first + n, steps)

    # Back to the public layout, as views: w (schedules, runs, steps, 2), loss (s, r, steps).
    w_out = recorded_w.reshape(len(recorded), 2, n_sched, runs).transpose(2, 3, 0, 1)
    loss_out = recorded_loss.reshape(len(recorded), n_sched, runs).transpose(1, 2, 0)
    diverged_at = diverged_at.reshape(n_sched, runs)

    results = []
    for i, s in enumerate(schedules):
        lr_i = lr_history[closed.index(i)] if i in plateaus else table[:, i, 0].copy()
        results.append(
            SimulationResult(
                w=w_out[i],
                loss=loss_out[i],
                lr=lr_i,
                diverged_at=diverged_at[i],
                steps=recorded,
                problem=problem,
                optimizer=optimizer,
                schedule=s,
                steps_per_epoch=spe,
            )
        )
    return results


def simulate(
    problem: NoisyQuadratic | LeastSquares,
    optimizer: Optimizer,
    schedule: Schedule | ReduceLROnPlateau,
    steps: int,
    runs: int = 1,
    seed: int = 0,
    noise: np.ndarray | None = None,
    **options: Any,
) -> SimulationResult:
    """Simulate ``runs`` independent runs of ``steps`` updates. See :func:`simulate_many`.

    ``noise``, when given, is the standard-normal draws of shape ``(runs, steps, 2)``; the
    noisy quadratic scales them to its covariance (``sigma/sqrt(batch_size) · z`` for
    isotropic noise). A seed gives the same draws as
    ``np.random.default_rng(seed).standard_normal((steps, 2, runs)).transpose(2, 0, 1)``:
    the draw of update t does not depend on how many steps are simulated.
    """
    return simulate_many(problem, optimizer, [schedule], steps, runs, seed, noise, **options)[0]
