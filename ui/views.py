"""Plot-ready views of lrcore results: small arrays, bounded whatever the settings.

Pure NumPy (no Streamlit), so they are cached cheaply and tested directly. Long series
are decimated by keeping each bucket's minimum and maximum (jumps and spikes survive);
the animation keeps a bounded number of frames, runs and trail points.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lrcore import registry, theory
from lrcore.optim import SGD
from lrcore.race import RaceConfig, RaceResult, run_race

MAX_LINE_POINTS = 800  # per series
MAX_FRAMES = 30
CLOUD_RUNS = 40
TRAIL = 16


def decimate(n: int, *series: np.ndarray, max_points: int = MAX_LINE_POINTS) -> np.ndarray:
    """Indices into ``n`` points that keep each bucket's min and max of every series.

    Always keeps the first and last point and a uniform stride, so flat stretches stay
    drawn; at most about ``2 * max_points`` indices whatever ``n``.
    """
    if n <= max_points:
        return np.arange(n)
    buckets = max(1, max_points // 2)
    edges = np.linspace(0, n, buckets + 1).astype(int)
    bucket_of = np.repeat(np.arange(buckets), np.diff(edges))
    keep = [np.linspace(0, n - 1, buckets).astype(int), np.array([0, n - 1])]
    for y in series:
        y = np.where(np.isfinite(y), y, np.nan)
        for reduce in (np.fmin, np.fmax):
            extreme = reduce.reduceat(y, edges[:-1])  # fmin/fmax skip NaN
            hit = np.flatnonzero(y == extreme[bucket_of])
            _, first = np.unique(bucket_of[hit], return_index=True)
            keep.append(hit[first])
    return np.unique(np.concatenate(keep))


# --------------------------------------------------------------------------- the race


@dataclass(frozen=True, eq=False)
class RaceView:
    """Everything the decay race draws. Row 0 is the constant rate, row 1 the decay."""

    config: RaceConfig
    decay_label: str
    decay_latex: str
    optimizer_label: str
    has_theory: bool
    # loss and rate panel
    loss_steps: np.ndarray
    mean: np.ndarray  # (2, n)
    band: np.ndarray  # (2, 2, n): 10% and 90% over runs
    theory_steps: np.ndarray
    expected: np.ndarray | None  # (2, m)
    lr_steps: np.ndarray
    lr: np.ndarray  # (2, k)
    floor: float | None
    bound: float | None
    optimal: float | None  # SGD's best constant rate; None where the theory does not apply
    h: tuple[float, float]
    # the plane
    extent: tuple[float, float]  # half-widths of the whole-run view around the minimum
    zoom: tuple[float, float]  # half-widths of the close-up
    contours: np.ndarray  # (n, 2) level-set ellipses of the whole view, NaN between them
    zoom_contours: np.ndarray  # the same for the close-up
    minimum: np.ndarray
    start: np.ndarray
    ellipse: np.ndarray
    runs: int  # runs simulated (the clouds show the first few)
    frame_steps: np.ndarray  # (F,)
    clouds: np.ndarray  # (F, 2, C, 2) float32
    trails: np.ndarray  # (F, 2, L, 2) float32
    # outcomes
    diverged_first: np.ndarray  # (2,) first divergence step, -1 if none
    diverged_share: np.ndarray  # (2,) share of runs that diverged
    final_loss: np.ndarray  # (2,) Monte Carlo, last 10% of steps
    final_expected: np.ndarray  # (2,) exact, nan without theory
    above_bound: np.ndarray  # (2,) whether any rate exceeds the stability bound

    @property
    def steps(self) -> int:
        return self.config.steps


def _round_step(x: float) -> float:
    """A round number near x: 7, 15, 40, 150, 2500, ... (one or two significant digits)."""
    if x < 10:
        return round(x)
    e = 10 ** np.floor(np.log10(x))
    return round(x / e * 2) / 2 * e


def _frame_steps(recorded: np.ndarray, frames: int) -> np.ndarray:
    """Frame positions (indices into ``recorded``): round step numbers, dense early.

    Early frames are close together because that is where the runs move; each lands on
    a round step (the scrubber's labels), snapped to a recorded one, and the last step is
    always a frame.
    """
    last = int(recorded[-1])
    targets = np.linspace(0, 1, frames) ** 1.6 * last
    steps = np.unique([_round_step(t) for t in targets] + [last])
    idx = np.searchsorted(recorded, steps, side="right") - 1
    return np.unique(np.clip(idx, 0, len(recorded) - 1))


def _extent(result: RaceResult) -> np.ndarray:
    """Half-widths of the whole-run view: the start, and the rattling, with a margin."""
    problem = result.problem
    centre = problem.minimizer
    reach = np.abs(problem.start_point - centre)
    if len(result.ellipse):
        reach = np.maximum(reach, np.abs(result.ellipse - centre).max(axis=0))
    return 1.25 * np.maximum(reach, 0.3 * reach.max())  # each axis its own reach, not too thin


def level_sets(problem, half: np.ndarray, levels: int = 9, points: int = 72) -> np.ndarray:
    """Contours of the quadratic loss, in closed form: its level sets are ellipses.

    ``½ dᵀ H d = c`` is the ellipse with semi-axes ``sqrt(2c/h_i)`` along H's eigenvectors;
    levels are spaced geometrically up to the view's corner. One (n, 2) array with NaN
    rows between ellipses: drawn as a single line, far cheaper than a contour plot.
    """
    corner = problem.loss(problem.minimizer + half) - problem.min_loss
    c = corner * 0.45 ** np.arange(levels)
    theta = np.linspace(0, 2 * np.pi, points)
    circle = np.stack([np.cos(theta), np.sin(theta)])  # (2, points)
    axes = np.sqrt(2 * c[:, None] / problem.eigenvalues[None])  # (levels, 2)
    rings = problem.minimizer + np.einsum("ij,ljp->lpi", problem.eigenvectors, axes[:, :, None] * circle[None])
    gaps = np.full((levels, 1, 2), np.nan)
    return np.concatenate([rings, gaps], axis=1).reshape(-1, 2)


def _zoom(result: RaceResult, clouds_last: np.ndarray, full_half: float) -> tuple[float, float]:
    """Half-widths of a close-up that holds the constant rate's rattling, with margin.

    Framed on the rattling of a reference setting (batch size 1, noise σ = 1) at this
    rate, so changing the batch size or the noise visibly shrinks or grows the cloud
    instead of re-zooming it away; else on where the runs that are still in view ended.
    """
    problem = result.problem
    centre = problem.minimizer
    reference = replace(problem, batch_size=1, sigma=1.0)
    optimizer = result.optimizer
    ellipse = theory.stationary_ellipse(reference, result.config.lr, optimizer) if isinstance(optimizer, SGD) else []
    if len(ellipse):
        extent = np.abs(ellipse - centre).max(axis=0)
    else:  # where the runs that are still in view ended (diverged ones are frozen far away)
        offsets = np.abs(clouds_last.reshape(-1, 2) - centre)
        inside = offsets[(offsets < full_half).all(axis=1)]
        extent = np.quantile(inside, 0.9, axis=0) if len(inside) else np.full(2, full_half)
    extent = np.maximum(1.5 * extent, 1e-3 * full_half)
    return tuple(float(min(e, full_half)) for e in extent)


def race_view(result: RaceResult) -> RaceView:
    cfg = result.config
    steps = result.steps
    mean, band = result.mean_loss(), result.band()
    keep = decimate(len(steps), *mean, *band.reshape(4, -1))
    expected = result.expected
    theory_steps = np.arange(cfg.steps + 1)
    if expected is not None:
        tkeep = decimate(len(theory_steps), *expected)
        theory_steps, expected = theory_steps[tkeep], expected[:, tkeep]
    lr_steps = np.arange(cfg.steps)
    lkeep = decimate(len(lr_steps), *result.lr)

    frame_idx = _frame_steps(steps, MAX_FRAMES)
    runs = result.w.shape[1]
    cloud = result.w[:, : min(runs, CLOUD_RUNS)][:, :, frame_idx]  # (2, C, F, 2)
    trail_idx = frame_idx[:, None] + np.arange(-TRAIL + 1, 1)[None]  # (F, L)
    trails = result.w[:, 0][:, np.clip(trail_idx, 0, None)]  # (2, F, L, 2)

    diverged = result.diverged_at >= 0
    first = np.array([d[d >= 0].min() if (d >= 0).any() else -1 for d in result.diverged_at])
    bound = result.stability_bound
    final_expected = (
        result.expected[:, -1] if result.expected is not None else np.full(2, np.nan)
    )
    extent = _extent(result)
    zoom = _zoom(result, cloud[:, :, -1], float(extent.min()))
    return RaceView(
        config=cfg,
        decay_label=result.decay_label,
        decay_latex=result.decay.latex,
        optimizer_label=repr(result.optimizer),
        has_theory=result.expected is not None,
        loss_steps=steps[keep],
        mean=mean[:, keep],
        band=band[:, :, keep],
        theory_steps=theory_steps,
        expected=expected,
        lr_steps=lr_steps[lkeep],
        lr=result.lr[:, lkeep],
        floor=result.noise_floor,
        bound=bound,
        optimal=result.optimal_lr if result.stability_bound is not None else None,
        h=tuple(result.problem.h),
        extent=(float(extent[0]), float(extent[1])),
        zoom=zoom,
        contours=level_sets(result.problem, extent),
        zoom_contours=level_sets(result.problem, np.array(zoom)),
        minimum=result.problem.minimizer,
        start=result.problem.start_point,
        ellipse=result.ellipse,
        runs=runs,
        frame_steps=steps[frame_idx],
        clouds=cloud.transpose(2, 0, 1, 3).astype(np.float32),
        trails=trails.transpose(1, 0, 2, 3).astype(np.float32),
        diverged_first=first,
        diverged_share=diverged.mean(axis=1),
        final_loss=result.final_loss(),
        final_expected=final_expected,
        above_bound=np.array([bound is not None and bool((row > bound).any()) for row in result.lr]),
    )


def compute_race_view(config: RaceConfig) -> RaceView:
    return race_view(run_race(config))


# --------------------------------------------------------------------------- the gallery


def schedule_rates(spec: dict, horizon: int) -> np.ndarray:
    """Every rate of an open-loop schedule over ``horizon`` steps."""
    return registry.build(spec)(np.arange(horizon))


def plateau_rates(spec: dict, horizon: int) -> np.ndarray:
    """Reduce-on-plateau's rate when it drives SGD on the race's default problem.

    A feedback schedule has no curve of its own: it depends on the loss it sees. Here it
    is fed the mean loss of the default noisy quadratic every epoch (10 steps).
    """
    cfg = RaceConfig(lr=float(spec["params"].get("lr", 0.1)), decay=registry.freeze(spec), steps=horizon, runs=50)
    return run_race(cfg).lr[1]


# --------------------------------------------------------------------------- what is a step?


@dataclass(frozen=True)
class StepConfig:
    """The global_step answer's setting, and an experiment on a finite dataset."""

    n_examples: int = 1200
    batch_size: int = 100
    drop_last: bool = False
    initial_learning_rate: float = 1.0
    decay_steps: int = 100000
    decay_rate: float = 0.96
    staircase: bool = False
    forget: bool = False  # global_step never incremented
    table_epochs: int = 2
    lr: float = 0.1
    sim_epochs: int = 30
    sim_decay_epochs: int = 5  # the experiment halves its rate every this many epochs
    runs: int = 40
    seed: int = 0


@dataclass(frozen=True, eq=False)
class StepView:
    config: StepConfig
    steps_per_epoch: int
    last_batch: int  # examples in the last minibatch of an epoch
    table: dict  # column name -> array
    decay_in_epochs: float
    curve_epochs: np.ndarray
    curve_continuous: np.ndarray
    curve_staircase: np.ndarray
    sim_epochs: np.ndarray
    sim_excess: np.ndarray  # (2, n): excess loss, incremented and stuck
    sim_rate: np.ndarray  # (2, steps) rate per step
    sim_decay_steps: int

    @property
    def final_excess(self) -> np.ndarray:
        return self.sim_excess[:, -1]


def step_experiment(cfg: StepConfig) -> StepView:
    from lrcore import optim, schedules, simulate_many
    from lrcore.problems import LeastSquares

    spe = schedules.steps_per_epoch(cfg.n_examples, cfg.batch_size, cfg.drop_last)
    last = cfg.batch_size if cfg.drop_last else cfg.n_examples - (spe - 1) * cfg.batch_size
    decay = schedules.exponential(cfg.initial_learning_rate, cfg.decay_steps, cfg.decay_rate, cfg.staircase)

    rows = cfg.table_epochs * spe
    t = np.arange(rows)
    global_step = np.zeros_like(t) if cfg.forget else t
    in_epoch = t % spe
    table = {
        "epoch": t // spe + 1,
        "step in epoch": in_epoch + 1,
        "global_step": global_step,
        "examples processed": np.minimum((in_epoch + 1) * cfg.batch_size, cfg.n_examples),
        "learning rate": decay(global_step),
    }

    horizon = 3 * cfg.decay_steps
    keep = decimate(horizon, decay(np.arange(horizon)), max_points=1500)
    continuous = schedules.exponential(cfg.initial_learning_rate, cfg.decay_steps, cfg.decay_rate, False)
    stairs = schedules.exponential(cfg.initial_learning_rate, cfg.decay_steps, cfg.decay_rate, True)

    problem = LeastSquares(cfg.n_examples, cfg.batch_size, cfg.drop_last, seed=cfg.seed)
    sim_decay = cfg.sim_decay_epochs * spe
    incremented = schedules.exponential(cfg.lr, sim_decay, 0.5, cfg.staircase)
    stuck = schedules.constant(float(incremented(0)))  # global_step stays 0: the rate of step 0, forever
    steps = cfg.sim_epochs * spe
    results = simulate_many(problem, optim.SGD(), [incremented, stuck], steps, cfg.runs, cfg.seed)
    excess = np.stack([r.mean_loss() for r in results]) - problem.min_loss
    return StepView(
        config=cfg,
        steps_per_epoch=spe,
        last_batch=last,
        table=table,
        decay_in_epochs=cfg.decay_steps / spe,
        curve_epochs=keep / spe,
        curve_continuous=continuous(keep),
        curve_staircase=stairs(keep),
        sim_epochs=results[0].steps / spe,
        sim_excess=excess,
        sim_rate=np.stack([r.lr for r in results]),
        sim_decay_steps=sim_decay,
    )
