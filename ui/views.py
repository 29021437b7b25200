"""Plot-ready views of lrcore results: small arrays, bounded whatever the settings.

Pure NumPy (no Streamlit), so they are cached cheaply and tested directly. Long series
are decimated by keeping each bucket's minimum and maximum (jumps and spikes survive);
the animation keeps a bounded number of frames, runs and trail points.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lrcore import global_step, nets, registry, story, theory
from lrcore.schedules import exponential
from lrcore.race import LaneResult, RaceConfig, RaceResult, run_race
from ui import theme

MAX_LINE_POINTS = 800  # per series
BAND_POINTS = 300  # the 10-90% band is smooth: this many steps draw it
MAX_FRAMES = 30  # about 26 log-spaced frames at the default 1,000 steps
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
class LaneView:
    """One lane as drawn: its style, its decimated curves and its animation frames."""

    label: str
    latex: str  # its schedule's formula, with the values it ran with
    colour: str
    dash: str
    symbol: str
    has_theory: bool
    constant: bool
    loss_steps: np.ndarray
    mean: np.ndarray  # mean loss of the surviving runs
    band_steps: np.ndarray
    band: np.ndarray  # (2, n): 10% and 90% over runs
    theory_steps: np.ndarray
    expected: np.ndarray | None  # exact E[loss]
    lr_steps: np.ndarray
    lr: np.ndarray
    floor: float | None  # noise floor of its last rate
    bound: float | None
    ellipse: np.ndarray  # a constant lane's stationary 2-sigma cloud
    clouds: np.ndarray  # (F, C, 2) float32
    frame_loss: np.ndarray  # (F,) mean loss of the surviving runs at each frame's step
    trail: np.ndarray  # (F, L, 2) float32: one run's recent path
    diverged_first: int  # -1 if none
    diverged_share: float
    final: float  # exact where the theory covers it, else measured
    final_band: tuple[float, float]

    @property
    def above_bound(self) -> bool:
        return self.bound is not None and bool((self.lr >= self.bound).any())


@dataclass(frozen=True, eq=False)
class RaceView:
    """Everything the decay race draws, lane by lane, and the facts its words come from."""

    config: RaceConfig
    claims: tuple[story.Claim, ...]  # what the words say (lrcore.story)
    lanes: tuple[LaneView, ...]
    runs: int
    # the plane
    extent: tuple[float, float]  # half-widths of the whole-run view around the minimum
    zoom: tuple[float, float]  # half-widths of the close-up
    contours: np.ndarray
    zoom_contours: np.ndarray
    minimum: np.ndarray
    start: np.ndarray
    frame_steps: np.ndarray  # (F,)

    h: tuple[float, float]  # the bowl's curvatures

    @property
    def has_theory(self) -> bool:
        return any(lane.has_theory for lane in self.lanes)

    @property
    def labels(self) -> list[str]:
        return [lane.label for lane in self.lanes]


def _round_step(x: float) -> float:
    """A round number near x: 7, 15, 40, 150, 2500, ... (one or two significant digits)."""
    if x < 10:
        return round(x)
    e = 10 ** np.floor(np.log10(x))
    return round(x / e * 2) / 2 * e


def _frame_steps(recorded: np.ndarray, frames: int) -> np.ndarray:
    """Frame positions (indices into ``recorded``): round step numbers, log-spaced.

    The runs move most at the start, so frames are spread evenly in log(1 + step): the
    approach to the minimum takes as much of the animation as the rattling after it. Each
    frame lands on a round step (the scrubber's labels), snapped to a recorded one; step 0
    and the last step are always frames.
    """
    last = int(recorded[-1])
    targets = np.expm1(np.linspace(0, np.log1p(last), frames))
    steps = np.unique([_round_step(t) for t in targets] + [0, last])
    idx = np.searchsorted(recorded, steps, side="right") - 1
    return np.unique(np.clip(idx, 0, len(recorded) - 1))


def _reference_cloud(config: RaceConfig) -> np.ndarray:
    """SGD's stationary cloud (batch 1, σ = 1) at the race's rate, or below SGD's bound.

    The views are framed on it whatever the lanes and their optimizers, so adding a lane
    or switching optimizer never re-zooms the picture, and a bigger batch or less noise
    visibly shrinks the clouds instead of being zoomed away.
    """
    reference = replace(config.problem(), batch_size=1, sigma=1.0)
    rate = min(config.effective_lr, 0.5 * theory.stability_bound(reference))
    return theory.stationary_ellipse(reference, rate)


def _extent(problem, cloud: np.ndarray) -> np.ndarray:
    """Half-widths of the whole-run view: the start, and the rattling, with a margin."""
    centre = problem.minimizer
    reach = np.maximum(np.abs(problem.start_point - centre), np.abs(cloud - centre).max(axis=0))
    return 1.25 * np.maximum(reach, 0.3 * reach.max())  # each axis its own reach, not too thin


def _lane_view(k: int, lane: LaneResult, cfg: RaceConfig, frame_idx: np.ndarray) -> LaneView:
    steps = lane.steps
    mean = lane.surviving_mean()
    keep = decimate(len(steps), mean)
    band_at = np.unique(np.linspace(0, len(steps) - 1, min(BAND_POINTS, len(steps))).astype(int))
    theory_steps, expected = np.arange(cfg.steps + 1), None
    if lane.expected is not None:
        tkeep = decimate(len(theory_steps), lane.expected.total)
        theory_steps, expected = theory_steps[tkeep], lane.expected.total[tkeep]
    lkeep = decimate(len(lane.lr), lane.lr)
    trail_idx = np.clip(frame_idx[:, None] + np.arange(-TRAIL + 1, 1)[None], 0, None)  # (F, L)
    return LaneView(
        label=lane.label,
        latex=lane.schedule.latex,
        colour=theme.lane_colour(k),
        dash=theme.LANE_DASHES[k % len(theme.LANE_DASHES)],
        symbol=theme.LANE_SYMBOLS[k % len(theme.LANE_SYMBOLS)],
        has_theory=lane.has_theory,
        constant=lane.constant,
        loss_steps=steps[keep],
        mean=mean[keep],
        band_steps=steps[band_at],
        band=lane.band(at=band_at),
        theory_steps=theory_steps,
        expected=expected,
        lr_steps=lkeep,
        lr=lane.lr[lkeep],
        floor=lane.floor,
        bound=lane.bound,
        ellipse=lane.ellipse,
        clouds=lane.w[: CLOUD_RUNS][:, frame_idx].transpose(1, 0, 2).astype(np.float32),
        frame_loss=mean[frame_idx],
        trail=lane.w[0][trail_idx].astype(np.float32),
        diverged_first=-1 if lane.first_divergence is None else lane.first_divergence,
        diverged_share=lane.diverged_share,
        final=lane.final,
        final_band=lane.final_band,
    )


def race_view(result: RaceResult) -> RaceView:
    cfg = result.config
    problem = result.problem
    frame_idx = _frame_steps(result.lanes[0].steps, MAX_FRAMES)
    cloud = _reference_cloud(cfg)
    extent = _extent(problem, cloud)
    zoom = np.minimum(np.maximum(1.5 * np.abs(cloud - problem.minimizer).max(axis=0), 1e-3 * extent.min()), extent.min())
    return RaceView(
        config=cfg,
        claims=tuple(story.claims(result)),
        lanes=tuple(_lane_view(k, lane, cfg, frame_idx) for k, lane in enumerate(result.lanes)),
        runs=cfg.runs,
        extent=(float(extent[0]), float(extent[1])),
        zoom=(float(zoom[0]), float(zoom[1])),
        contours=problem.level_sets(extent),
        zoom_contours=problem.level_sets(zoom),
        minimum=problem.minimizer,
        start=problem.start_point,
        frame_steps=result.lanes[0].steps[frame_idx],
        h=tuple(problem.h),
    )


def compute_race_view(config: RaceConfig, progress=None) -> RaceView:
    return race_view(run_race(config, progress))


def relabelled(view: RaceView, labels: list[str]) -> RaceView:
    """The view with its lanes named ``labels`` (a session's language: one cached view serves
    every session, so it keeps lrcore's English names). The arrays are shared, not copied."""
    if list(labels) == view.labels:
        return view
    return replace(view, lanes=tuple(replace(lane, label=label) for lane, label in zip(view.lanes, labels, strict=True)))


# --------------------------------------------------------------------------- the gallery


def schedule_rates(spec, horizon: int) -> np.ndarray:
    """Every rate of an open-loop schedule over ``horizon`` steps."""
    return registry.build(spec)(np.arange(horizon))


# --------------------------------------------------------------------------- what is a step?


@dataclass(frozen=True, eq=False)
class StepView:
    """The step experiment, with the function's formula and staircase-or-smooth curves for drawing."""

    result: global_step.StepResult
    formula: str  # the decayed rate as a function of global_step, LaTeX right-hand side
    curve_epochs: np.ndarray
    curve_continuous: np.ndarray
    curve_staircase: np.ndarray


def step_view(cfg: global_step.StepConfig) -> StepView:
    result = global_step.run(cfg)
    decay = exponential(cfg.initial_learning_rate, cfg.decay_steps, cfg.decay_rate, cfg.staircase)
    horizon = 3 * cfg.decay_steps
    keep = decimate(horizon, decay(np.arange(horizon)), max_points=1500)
    smooth = exponential(cfg.initial_learning_rate, cfg.decay_steps, cfg.decay_rate, False)
    stairs = exponential(cfg.initial_learning_rate, cfg.decay_steps, cfg.decay_rate, True)
    return StepView(result, decay.rhs(r"\text{global\_step}"), keep / result.steps_per_epoch, smooth(keep), stairs(keep))


def lane_table(view: RaceView) -> list[dict]:
    """One row per lane: how it ended (numbers; the page formats them)."""
    return [
        {
            "lane": lane.label,
            "final loss": lane.final,
            "exact": lane.has_theory,
            "10% of runs below": lane.final_band[0],
            "90% of runs below": lane.final_band[1],
            "diverged": lane.diverged_share,
            "noise floor of its last rate": lane.floor,
        }
        for lane in view.lanes
    ]


# --------------------------------------------------------------------------- the texts' network


@dataclass(frozen=True, eq=False)
class NetView:
    """The network's training for drawing: bands over seeds at a bounded number of steps."""

    result: nets.NetResult
    outcome: nets.Outcome
    steps: np.ndarray  # the steps drawn (0 = before any update)
    loss: np.ndarray  # (2, 3, len(steps)): lowest seed, mean, highest seed
    accuracy: np.ndarray
    rate_steps: np.ndarray  # the updates whose rates are drawn
    rate: np.ndarray  # (2, len(rate_steps)): lrcore's schedule
    rate_used: np.ndarray  # the torch optimizer's, at the same updates


def net_view(result: nets.NetResult) -> NetView:
    loss, acc = result.band("loss"), result.band("accuracy")
    keep = decimate(loss.shape[-1], *loss.reshape(-1, loss.shape[-1]), *acc[:, 1])
    at = decimate(result.rate.shape[-1], *result.rate)
    return NetView(result, nets.outcome(result), keep, loss[..., keep], acc[..., keep], at, result.rate[:, at], result.rate_used[:, at])
