r"""Warmup: when it helps, and when it cannot.

* On :class:`~lrcore.problems.QuarticBowl` the curvature is higher far from the minimum, so
  a rate that is stable near the minimum is not stable at the start:
  :func:`warmup_race` runs it with and without a linear warmup on the same noise (without,
  the runs are thrown out on the first steps; with, none is), and
  :func:`shortest_warmup` finds the shortest linear warmup that brings the noise-free run in.
* On the noisy quadratic the curvature is the same everywhere, so the stability bound
  ``2/h_max`` does not depend on the position: :func:`quadratic_warmup` gives the exact
  expected loss with and without warmup. Below the bound both converge (warmup only
  starts slower); at or above it both diverge, whatever the warmup.
* :func:`adam_warmup` sets up Adam's early-steps comparison on the same noise: no warmup,
  Ma & Yarats (2019)'s rule of thumb (linear warmup over ``2/(1 − β₂)`` steps) and a short
  warmup, returning the simulations.

The bowl follows the simulator's gradient contract, so :func:`lrcore.simulate_many` runs it as it
runs the noisy quadratic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_
from lrcore import theory
from lrcore.optim import SGD, Adam
from lrcore.problems import NoisyQuadratic, QuarticBowl
from lrcore.schedules import constant, warmup
from lrcore.simulate import SimulationResult, simulate_many
from lrcore.theory import Formula, _explained, _require, _stability_formula

__all__ = [
    "WarmupRace",
    "warmup_race",
    "shortest_warmup",
    "QuadraticWarmup",
    "quadratic_warmup",
    "AdamWarmup",
    "adam_warmup",
    "rule_of_thumb_steps",
]


# --------------------------------------------------------------------------- the bowl


@dataclass(frozen=True, eq=False)
class WarmupRace:
    """A constant rate with and without a linear warmup, on the bowl and the same noise.

    ``bound_at_minimum`` is ``2/h_max``; ``bound_at_start`` the local bound where the runs
    begin (:meth:`QuarticBowl.local_bound`). ``without`` and ``with_warmup`` are the two
    simulations; ``diverged_without`` and ``diverged_with`` the shares of runs thrown out.
    """

    lr: float
    warmup_steps: int
    bound_at_minimum: float
    bound_at_start: float
    without: SimulationResult
    with_warmup: SimulationResult

    @property
    def diverged_without(self) -> float:
        return float(self.without.diverged.mean())

    @property
    def diverged_with(self) -> float:
        return float(self.with_warmup.diverged.mean())


def _bowl(problem) -> QuarticBowl:
    if not isinstance(problem, QuarticBowl):
        raise check.fail(
            "problem", N_("{name} must be a QuarticBowl (its curvature changes with the position); got {value!r}"), value=problem
        )
    return problem


def warmup_race(
    problem: QuarticBowl | None = None,
    lr: float = 0.1,
    warmup_steps: int = 50,
    steps: int = 500,
    runs: int = 200,
    seed: int = 0,
    optimizer: SGD | None = None,
) -> WarmupRace:
    """``constant(lr)`` against ``warmup(constant(lr), warmup_steps)`` on the bowl, same noise.

    The defaults are the lab's: ``lr = 0.1`` is half the bound at the minimum
    (``2/h_max = 0.2``) but 3.5 times the bound at the start (``2/(10 · 7) ≈ 0.029``).
    """
    problem = _bowl(QuarticBowl() if problem is None else problem)
    optimizer = SGD() if optimizer is None else optimizer
    lr = check.in_range("lr", lr, 0.0, low_open=True)
    warmup_steps = check.integer("warmup_steps", warmup_steps, low=1)
    lanes = [constant(lr), warmup(constant(lr), warmup_steps)]
    without, with_warmup = simulate_many(problem, optimizer, lanes, steps, runs, seed)
    return WarmupRace(
        lr=lr,
        warmup_steps=warmup_steps,
        bound_at_minimum=float(problem.local_bound(problem.minimizer)),
        bound_at_start=float(problem.local_bound(problem.start_point)),
        without=without,
        with_warmup=with_warmup,
    )


def shortest_warmup(
    problem: QuarticBowl | None = None,
    lr: float = 0.1,
    longest: int = 200,
    steps: int = 400,
    optimizer: SGD | None = None,
) -> int | None:
    """The fewest linear-warmup steps (1..``longest``) after which the noise-free run converges.

    All lengths are simulated at once, as schedules of one noise-free run; "converges"
    means it does not diverge within ``steps`` and ends within the bound's reach, where
    the local bound exceeds ``lr``. None if no length up to ``longest`` does.
    """
    problem = _bowl(QuarticBowl() if problem is None else problem)
    optimizer = SGD() if optimizer is None else optimizer
    lr = check.in_range("lr", lr, 0.0, low_open=True)
    longest = check.integer("longest", longest, low=1)
    steps = check.integer("steps", steps, low=longest + 1)
    lengths = np.arange(1, longest + 1)
    results = simulate_many(
        problem, optimizer, [warmup(constant(lr), int(w)) for w in lengths], steps, 1, noise=np.zeros((1, steps, 2))
    )
    ok = np.array([not r.diverged[0] and problem.local_bound(r.w[0, -1]) > lr for r in results])
    return int(lengths[np.argmax(ok)]) if ok.any() else None


# --------------------------------------------------------------------------- the fixed quadratic


@dataclass(frozen=True, eq=False)
class QuadraticWarmup:
    """The exact expected loss on the noisy quadratic with and without a linear warmup.

    ``bound`` is the stability bound, the same at every position. ``stable`` says
    ``lr < bound``: then both converge to the same floor and warmup only starts slower;
    otherwise both diverge. ``without`` and ``with_warmup`` are ``E[loss_t]``, t = 0..steps.
    """

    lr: float
    warmup_steps: int
    bound: float
    without: np.ndarray
    with_warmup: np.ndarray

    @property
    def stable(self) -> bool:
        return self.lr < self.bound

    @property
    def steps_lower_with_warmup(self) -> int:
        """At how many steps warmup's expected loss is below the no-warmup one."""
        return int(np.sum(self.with_warmup < self.without))


def _quadratic_warmup_formula(opt: SGD) -> Formula:
    return Formula(
        _stability_formula(opt).latex + r"\quad\text{at every position } w",
        N_(
            "On a quadratic the curvature is the same everywhere, so the rate a run can take does not depend on where "
            "it is: a warmup cannot bring it to a place where a too-large rate becomes safe."
        ),
    )


@_explained(_quadratic_warmup_formula)
def quadratic_warmup(
    problem: NoisyQuadratic | None = None,
    lr: float = 0.15,
    warmup_steps: int = 100,
    steps: int = 1000,
    optimizer: SGD | None = None,
) -> QuadraticWarmup:
    """``E[loss_t]`` under ``constant(lr)`` and ``warmup(constant(lr), warmup_steps)``, exactly.

    On the noisy quadratic the stability bound (``2/h_max`` for SGD) holds at every
    position, so warmup changes where the run is when the full rate arrives, never whether
    that rate is stable.
    """
    problem = NoisyQuadratic() if problem is None else problem
    optimizer = SGD() if optimizer is None else optimizer
    _require(problem, optimizer)
    lr = check.in_range("lr", lr, 0.0, low_open=True)
    warmup_steps = check.integer("warmup_steps", warmup_steps, low=1)
    steps = check.integer("steps", steps, low=1)
    with np.errstate(invalid="ignore"):  # a diverging rate: theory can add inf and -inf (its overflow)
        without = theory.expected_loss(problem, optimizer, constant(lr), steps)
        with_warmup = theory.expected_loss(problem, optimizer, warmup(constant(lr), warmup_steps), steps)
    return QuadraticWarmup(lr, warmup_steps, theory.stability_bound(problem, optimizer), without, with_warmup)


# --------------------------------------------------------------------------- Adam


def rule_of_thumb_steps(beta2: float) -> int:
    """Ma & Yarats (2019)'s untuned linear warmup for Adam: ``2 / (1 − β₂)`` steps (2000 for 0.999)."""
    beta2 = check.in_range("beta2", beta2, 0.0, 1.0, high_open=True)
    return max(1, round(2 / (1 - beta2)))


@dataclass(frozen=True, eq=False)
class AdamWarmup:
    """Adam without warmup, with the ``2/(1 − β₂)`` rule and with a short warmup, same noise.

    ``results[i]`` is the simulation with ``warmup_steps[i]`` steps of warmup (0: none).
    """

    lr: float
    optimizer: Adam
    warmup_steps: tuple[int, int, int]
    results: tuple[SimulationResult, SimulationResult, SimulationResult]
    labels: tuple[str, str, str] = (N_("no warmup"), N_("2/(1 − β₂) warmup"), N_("short warmup"))

    def mean_loss(self) -> np.ndarray:
        """Each lane's Monte Carlo mean loss, ``(3, recorded steps)``."""
        return np.stack([r.mean_loss() for r in self.results])


def adam_warmup(
    problem=None,
    lr: float = 0.1,
    optimizer: Adam | None = None,
    steps: int | None = None,
    runs: int = 200,
    seed: int = 0,
    short_steps: int | None = None,
) -> AdamWarmup:
    """Adam's early steps without warmup, with Ma & Yarats' ``2/(1 − β₂)`` and with a short warmup.

    All three lanes see the same minibatch noise (common random numbers). ``steps``
    defaults to twice the rule's warmup, ``short_steps`` to a tenth of it. ``problem`` is
    the noisy quadratic by default; the quartic bowl works too.
    """
    problem = NoisyQuadratic() if problem is None else problem
    optimizer = Adam() if optimizer is None else optimizer
    if not isinstance(optimizer, Adam):
        raise check.fail("optimizer", N_("{name} must be Adam or AdamW; got {value!r}"), value=optimizer)
    lr = check.in_range("lr", lr, 0.0, low_open=True)
    rule = rule_of_thumb_steps(optimizer.betas[1])
    short = max(1, rule // 10) if short_steps is None else check.integer("short_steps", short_steps, low=1)
    steps = 2 * rule if steps is None else check.integer("steps", steps, low=1)
    schedules = [constant(lr), warmup(constant(lr), rule), warmup(constant(lr), short)]
    results = simulate_many(problem, optimizer, schedules, steps, runs, seed)
    return AdamWarmup(lr, optimizer, (0, rule, short), tuple(results))
