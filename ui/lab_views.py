"""The three labs' settings (frozen configs) and their plot-ready views. No Streamlit here.

Each ``*_view`` calls lrcore once for everything its page shows and keeps only small
arrays (curves decimated to at most a few thousand points), the facts
(:mod:`lrcore.lab_story`) and the numbers the page prints. ``ui.compute`` caches them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from lrcore import batch, families, lab_story, optim, optimal, registry, theory, warmup
from lrcore import schedules as S
from lrcore.problems import NoisyQuadratic, QuarticBowl
from lrcore.simulate import SimulationResult, simulate_many
from ui.i18n import N_, _
from ui.views import decimate

MAX_POINTS = 600  # a lab's curve is drawn with at most about twice this many points
RACE_LR_MAX = 0.5  # the race's learning-rate slider stops here (app_pages/decay_race.py's LR_RANGE)
RACE_BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256)  # the race's batch sizes
RACE_STEPS = (100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000)


def _problem(kappa: float, sigma: float, noise: str, batch_size: int = 1) -> NoisyQuadratic:
    return NoisyQuadratic.from_condition(float(kappa), sigma=float(sigma), noise=noise, batch_size=int(batch_size))


# --------------------------------------------------------------------------- batch size


@dataclass(frozen=True)
class BatchConfig:
    """The batch lab's settings. ``schedule`` is a frozen spec (JSON) or None: the best constant rate per B."""

    kappa: float = 10.0
    sigma: float = 1.0
    noise: str = "isotropic"
    lr: float = 0.05
    reference_batch: int = 1
    target: float = 0.01
    schedule: str | None = None
    horizon: int = 10_000

    def problem(self) -> NoisyQuadratic:
        return _problem(self.kappa, self.sigma, self.noise)


BATCH_GRID = 2.0 ** (np.arange(25) / 2)  # 1 … 4096, two points an octave (powers of two on even indices)


@dataclass(frozen=True, eq=False)
class BatchView:
    config: BatchConfig
    floors: batch.BatchFloors
    steps: batch.BatchSteps
    critical: batch.CriticalBatch | None  # plain SGD's constant-rate limits (None under a schedule)
    claims: tuple


def batch_view(config: BatchConfig) -> BatchView:
    problem = config.problem()
    floors = batch.noise_floors(problem, BATCH_GRID, config.lr, reference_batch=config.reference_batch)
    schedule = None if config.schedule is None else registry.build(registry.thaw(config.schedule))
    steps = batch.steps_to_target(problem, config.target, BATCH_GRID, schedule=schedule, horizon=config.horizon)
    critical = batch.critical_batch(problem, config.target)
    claims = lab_story.batch_claims(floors, steps, critical, config.horizon if schedule is not None else None)
    return BatchView(config, floors, steps, critical, claims)


def equal_examples_pairs(batches=RACE_BATCHES, steps=RACE_STEPS, max_examples: int = 200_000) -> list[tuple[int, int, int, int]]:
    """Pairs of races ``(B, S, B', S')``, ``B < B'``, that see the same number of examples ``B S = B' S'``."""
    out = []
    for b in batches:
        for s in steps:
            for b2 in batches:
                if b2 > b and (b * s) % b2 == 0 and (b * s) // b2 in steps and b * s <= max_examples:
                    out.append((b, s, b2, (b * s) // b2))
    return out


# --------------------------------------------------------------------------- warmup

CASES = ("quadratic", "bowl", "adam")


@dataclass(frozen=True)
class WarmupConfig:
    """One warmup case. ``short_steps`` is Adam's short warmup; ``beta2`` Adam's."""

    case: str = "bowl"
    lr: float = 0.1
    warmup_steps: int = 50
    steps: int = 500
    runs: int = 200
    seed: int = 0
    beta2: float = 0.999
    short_steps: int = 200


@dataclass(frozen=True, eq=False)
class WarmupLane:
    label_id: str  # the lane's name as a catalog id, filled with label_fields when shown (views are cached)
    label_fields: tuple[tuple[str, str], ...]
    colour: str
    dash: str
    steps: np.ndarray  # recorded steps kept for the curves
    mean: np.ndarray  # mean loss of the surviving runs
    low: np.ndarray  # 10% and 90% of the runs
    high: np.ndarray
    expected: np.ndarray | None  # the exact expected loss (the noisy quadratic only)
    rate_steps: np.ndarray
    rates: np.ndarray
    local_bound: np.ndarray | None  # the bound where run 0 is, at rate_steps (the bowl only)
    path: np.ndarray  # run 0's positions, (n, 2)
    cloud: np.ndarray  # every run's last position (at most 200), (runs, 2)
    diverged_share: float
    first_divergence: int | None

    @property
    def label(self) -> str:
        """The lane's name in the session's language."""
        return _(self.label_id, **dict(self.label_fields))


@dataclass(frozen=True, eq=False)
class WarmupView:
    config: WarmupConfig
    lanes: tuple[WarmupLane, ...]
    contours: np.ndarray
    minimum: np.ndarray
    extent: np.ndarray
    bound: float  # the stability bound at the minimum (SGD); nan for Adam
    claims: tuple
    adam: tuple = field(default=())  # lab_story.AdamLane per lane, for Adam


LANE_STYLE = (("#D55E00", "solid"), ("#0072B2", "dash"), ("#009E73", "dot"))


def _mean_and_band(loss: np.ndarray, qs=(0.1, 0.9)) -> tuple[np.ndarray, ...]:
    """The surviving runs' mean and 10%/90% quantiles at each step; NaN where none survives.

    Vectorised (``np.nanquantile`` along an axis loops over the columns in Python): sort
    each step's losses with the diverged ones (inf) last, then interpolate between order
    statistics of the ``k`` finite ones, as ``np.quantile``'s default (linear) does.
    """
    finite = np.isfinite(loss)
    k = finite.sum(axis=0)
    ordered = np.sort(np.where(finite, loss, np.inf), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(k > 0, np.where(finite, loss, 0.0).sum(axis=0) / np.maximum(k, 1), np.nan)
        out = [mean]
        cols = np.arange(loss.shape[1])
        for q in qs:
            pos = q * np.maximum(k - 1, 0)
            lo = np.floor(pos).astype(np.int64)
            hi = np.minimum(lo + 1, np.maximum(k - 1, 0))
            frac = pos - lo
            value = ordered[lo, cols] + frac * (ordered[hi, cols] - ordered[lo, cols])
            out.append(np.where(k > 0, np.where(frac > 0, value, ordered[lo, cols]), np.nan))
    return tuple(out)


def _with_early(keep: np.ndarray, n: int) -> np.ndarray:
    """``keep`` and steps spaced evenly in log(t + 1): the curves are drawn on a log step axis too."""
    return np.union1d(keep, np.unique(np.geomspace(1, n, 150).astype(np.int64) - 1))


def _lane(label, k, sim: SimulationResult, expected=None, problem=None) -> WarmupLane:
    """``label`` is ``(catalog id, fields)``."""
    n = len(sim.steps)
    mean, low, high = _mean_and_band(sim.loss)
    keep = _with_early(decimate(n, mean, max_points=MAX_POINTS), n)
    rate_keep = _with_early(decimate(len(sim.lr), sim.lr, max_points=MAX_POINTS), len(sim.lr))
    path = sim.w[0]
    path_keep = decimate(len(path), path[:, 0], path[:, 1], max_points=MAX_POINTS)
    local = None
    if isinstance(problem, QuarticBowl):
        with np.errstate(all="ignore"):
            w = path[rate_keep]
            local = np.where(np.all(np.isfinite(w), axis=-1), problem.local_bound(np.nan_to_num(w)), np.nan)
    colour, dash = LANE_STYLE[k]
    return WarmupLane(
        label[0], tuple(label[1].items()), colour, dash, sim.steps[keep], mean[keep], low[keep], high[keep],
        None if expected is None else expected[sim.steps[keep]],
        rate_keep, sim.lr[rate_keep], local, path[path_keep], sim.w[:200, -1], float(sim.diverged.mean()), sim.first_divergence,
    )  # fmt: skip


def _frame(problem, sims) -> tuple[np.ndarray, np.ndarray]:
    start = problem.start_point - problem.minimizer
    half = np.abs(start) * 1.25 + 0.5
    return problem.level_sets(half, levels=8), half


def _warmup_labels(c: WarmupConfig) -> tuple[tuple[str, dict], tuple[str, dict]]:
    rate = f"{c.lr:g}"
    return (N_("constant {lr}"), {"lr": rate}), (N_("{n}-step warmup to {lr}"), {"n": str(c.warmup_steps), "lr": rate})


def warmup_view(config: WarmupConfig) -> WarmupView:
    c = config
    if c.case == "quadratic":
        problem, opt = NoisyQuadratic(), optim.SGD()
        exact = warmup.quadratic_warmup(problem, c.lr, c.warmup_steps, c.steps, opt)
        sims = simulate_many(problem, opt, [S.constant(c.lr), S.warmup(S.constant(c.lr), c.warmup_steps)], c.steps, c.runs, c.seed)
        labels = _warmup_labels(c)
        lanes = tuple(_lane(labels[k], k, sims[k], e, problem) for k, e in enumerate((exact.without, exact.with_warmup)))
        claims = lab_story.warmup_quadratic_claims(exact, *sims)
        bound, adam = exact.bound, ()
    elif c.case == "bowl":
        problem = QuarticBowl()
        race = warmup.warmup_race(problem, c.lr, c.warmup_steps, c.steps, c.runs, c.seed)
        shortest = warmup.shortest_warmup(problem, c.lr, longest=min(200, c.steps - 1), steps=c.steps)
        sims = (race.without, race.with_warmup)
        labels = _warmup_labels(c)
        lanes = tuple(_lane(labels[k], k, sims[k], None, problem) for k in range(2))
        claims = lab_story.warmup_bowl_claims(race, shortest)
        bound, adam = race.bound_at_minimum, ()
    elif c.case == "adam":
        problem = NoisyQuadratic()
        opt = optim.Adam(betas=(0.9, c.beta2))
        result = warmup.adam_warmup(problem, c.lr, opt, c.steps, c.runs, c.seed, c.short_steps)
        sims = result.results
        rule, short = result.warmup_steps[1], result.warmup_steps[2]
        labels = ((N_("no warmup"), {}), (N_("2/(1 − β₂) = {n}-step warmup"), {"n": f"{rule:,}"}), (N_("{n}-step warmup"), {"n": f"{short:,}"}))
        lanes = tuple(_lane(labels[k], k, sims[k]) for k in range(3))
        adam = lab_story.adam_lanes(result)
        claims, bound = (lab_story.adam_summary(result, adam),) + adam, math.nan
    else:
        raise ValueError(f"case must be one of {', '.join(CASES)}; got {c.case!r}")
    contours, half = _frame(problem, sims)
    return WarmupView(config, lanes, contours, problem.minimizer, half, bound, claims, adam)


# --------------------------------------------------------------------------- the best schedule

OPTIMIZERS = ("SGD", "momentum", "nesterov")  # the ones with exact theory


@dataclass(frozen=True)
class BestConfig:
    """The best-schedule lab's settings; ``yours`` is the teacher's schedule as a frozen spec (JSON)."""

    kappa: float = 10.0
    sigma: float = 1.0
    batch_size: int = 1
    noise: str = "isotropic"
    steps: int = 1000
    opt: str = "SGD"
    momentum: float = 0.9
    yours: str = registry.freeze({"name": "exponential", "params": {"initial_learning_rate": 0.1, "decay_steps": 100, "decay_rate": 0.5}})

    def problem(self) -> NoisyQuadratic:
        return _problem(self.kappa, self.sigma, self.noise, self.batch_size)

    def optimizer(self):
        params = {"momentum": self.momentum} if self.opt in ("momentum", "nesterov") else {}
        return optim.OptimizerSpec(self.opt, tuple(params.items())).build()


@dataclass(frozen=True)
class FitRow:
    """One family tuned to the optimum (plain values: views are pickled into the cache)."""

    family: str
    error: float
    typical_factor: float
    params: str


def _params_text(schedule: S.Schedule) -> str:
    return ", ".join(f"{k} = {v:.3g}" if isinstance(v, float) else f"{k} = {v}" for k, v in schedule.params.items())


@dataclass(frozen=True, eq=False)
class BestView:
    config: BestConfig
    t: np.ndarray  # the steps drawn (decimated), 0-based
    rates: dict[str, np.ndarray]  # label -> rate at t
    loss_t: np.ndarray
    losses: dict[str, np.ndarray]  # label -> exact expected loss at loss_t
    bound: float
    h_min: float
    gain: float  # the momentum gain g: time-based decay is 1/(g h_min (t + 1))
    fits: tuple[FitRow, ...]  # every family tuned to the optimum, closest first
    scores: dict[str, optimal.Improvement]
    excursion: optimal.BoundExcursion
    ratio: optimal.InverseTimeRatio
    claims: tuple
    race_query: dict[str, str]
    race_score: optimal.Improvement  # the optimum as the race can run it (its rate slider stops at 0.5)
    race_held: int  # how many of the optimum's rates the race holds at its slider's top
    yours_label: str


def race_link(config: BestConfig, best: S.Schedule) -> tuple[dict[str, str], np.ndarray]:
    """The race's link for one lane of the optimum as a piecewise-constant schedule, and the rates it runs.

    The race starts every lane at its slider's rate (at most ``RACE_LR_MAX``) and keeps a
    piecewise lane's ratios, so the optimum's first rates above it are held at it.
    """
    values = np.minimum(np.asarray(best.params["values"]), RACE_LR_MAX)
    lr = round(float(values[0]), 3)
    values = values * (lr / values[0])  # as the race will run them: ratios kept, starting at the slider's rate
    boundaries = list(best.params["boundaries"][1:-1])
    query = {
        "compare": "schedules",
        "lanes": "piecewise_constant",
        "lr": f"{lr:g}",
        "steps": str(config.steps),
        "batch": str(config.batch_size),
        "sigma": f"{config.sigma:g}",
        "noise": config.noise,
        "kappa": f"{config.kappa:g}",
        "opt": config.opt,
        "l.piecewise_constant.boundaries": ", ".join(str(int(b)) for b in boundaries),
        "l.piecewise_constant.values": ", ".join(f"{v:.6g}" for v in values),
        "l.piecewise_constant.inclusive": "0",
    }
    if config.opt in ("momentum", "nesterov"):
        query["momentum"] = f"{config.momentum:g}"
    parsed = [float(v) for v in query["l.piecewise_constant.values"].split(", ")]
    rates = S.piecewise_constant(boundaries, parsed, inclusive=False)(np.arange(config.steps)) if boundaries else np.full(config.steps, parsed[0])
    return query, rates


def best_view(config: BestConfig) -> BestView:
    problem, opt, T = config.problem(), config.optimizer(), config.steps
    yours = registry.build(registry.thaw(config.yours))
    yours_label = registry.Spec.from_json(config.yours).label
    best = optimal.optimal_schedule(problem, T, opt)
    greedy = optimal.greedy_schedule(problem, T, opt)
    scores = {
        "your schedule": optimal.improvement(problem, T, yours, opt, optimal=best),
        "greedy": optimal.improvement(problem, T, greedy, opt, optimal=best),
    }
    query, race_rates = race_link(config, best)
    race_score = optimal.improvement(problem, T, race_rates, opt, optimal=best)
    excursion = optimal.above_bound(problem, best, T, opt)
    ratio = optimal.inverse_time_ratio(problem, best, T, opt)
    fits = families.fit_families(best, T)
    constant = S.constant(scores["greedy"].constant_rate)
    step = np.arange(T)
    series = {"optimum": best(step), "greedy": greedy(step), "best constant": constant(step), "your schedule": yours(step)}
    series[f"closest family: {fits[0].family}"] = fits[0].schedule(step)
    keep = decimate(T, *(np.log(np.maximum(v, 1e-300)) for v in series.values()), max_points=MAX_POINTS)
    losses_full = {
        k: theory.expected_loss(problem, opt, series[k], T) for k in ("optimum", "greedy", "best constant", "your schedule")
    }
    loss_keep = decimate(T + 1, *(np.log(np.maximum(v, 1e-300)) for v in losses_full.values()), max_points=MAX_POINTS)
    claims = lab_story.best_claims(T, [(yours_label, scores["your schedule"]), (N_("The greedy schedule"), scores["greedy"])], excursion, ratio, fits)
    return BestView(
        config=config,
        t=step[keep],
        rates={k: v[keep] for k, v in series.items()},
        loss_t=np.arange(T + 1)[loss_keep],
        losses={k: v[loss_keep] for k, v in losses_full.items()},
        bound=theory.stability_bound(problem, opt),
        h_min=float(np.min(problem.eigenvalues + opt.weight_decay)),
        gain=optimal.momentum_gain(opt),
        fits=tuple(FitRow(f.family, f.error, f.typical_factor, _params_text(f.schedule)) for f in fits),
        scores=scores,
        excursion=excursion,
        ratio=ratio,
        claims=claims,
        race_query=query,
        race_score=race_score,
        race_held=int(np.sum(series["optimum"] > RACE_LR_MAX)),
        yours_label=yours_label,
    )
