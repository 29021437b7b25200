"""Every claim of the race's story, checked against the race's own arrays, over a grid.

The grid: every optimizer × every schedule the race offers × five regimes (stable, above
the stability bound, no gradient noise, a tiny rate, and the k/√B rule). Each claim is
re-derived here from the raw arrays (or from an independent computation: the exact
expectation recomputed, the noise-free mean as a one-run simulation without noise), and
each sentence is checked for the numbers of its claim and for optimizers the race does
not have. The sweep is marked slow; the quick cases below run every time.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

import numpy as np
import pytest

import lrcore
from lrcore import optim, registry, story, theory
from lrcore.race import RaceConfig, run_race
from ui import words

OPTIMIZERS = [p.token for p in optim.PRESETS.values()]
SCHEDULES = [n for n in registry.SCHEDULES if n != "constant"]
REGIMES = ["stable", "above_bound", "no_noise", "tiny_rate", "k_sqrt_b"]
SETTINGS = dict(steps=300, runs=48, seed=3)


def config(optimizer: str, schedule: str, regime: str) -> RaceConfig:
    base = RaceConfig.duel(schedule, optimizer, **SETTINGS)
    problem, opt = base.problem(), base.lanes[0].optimizer.build()
    if regime == "above_bound":
        lr = 1.05 * theory.stability_bound(problem, opt) if theory.covers(problem, opt) else 0.5
        return RaceConfig.duel(schedule, optimizer, lr=round(lr, 4), **SETTINGS)
    if regime == "no_noise":
        return replace(base, sigma=0.0)
    if regime == "tiny_rate":
        return RaceConfig.duel(schedule, optimizer, lr=0.001, **SETTINGS)
    if regime == "k_sqrt_b":
        return replace(base, scale_by_batch=True, batch_size=16, lr=0.4)
    return base


def _final(lane, exact: bool) -> float:
    if exact:
        return float(theory.expected_loss(lane.problem, lane.optimizer, lane.lr, len(lane.lr))[-1])
    last = lane.loss[:, -1]
    return float(last[np.isfinite(last)].mean())


def _noise_free_distance(lane) -> float:
    """The exact mean position of a linear optimizer is its noise-free run."""
    quiet = replace(lane.problem, sigma=0.0)
    run = lrcore.simulate(quiet, lane.optimizer, lane.schedule, len(lane.lr), 1)
    return float(quiet.loss(run.w[0, -1]))


def check(result) -> list[str]:
    """Assert every claim and every sentence of one race; return the sentences."""
    cfg = result.config
    claims = story.claims(result)
    kinds = {type(c) for c in claims}
    lanes = result.lanes
    finals = {c.lane: c for c in claims if isinstance(c, story.Final)}

    for c in claims:
        if isinstance(c, story.NoTheory):
            assert set(c.optimizers) == {l.optimizer_name for l in lanes if not theory.covers(l.problem, l.optimizer)}
            assert c.runs == cfg.runs
        elif isinstance(c, story.Feedback):
            lane = lanes[c.lane]
            assert theory.covers(lane.problem, lane.optimizer) and isinstance(lane.schedule, lrcore.schedules.ReduceLROnPlateau)
        elif isinstance(c, story.Scaled):
            assert cfg.scale_by_batch and c.lr == pytest.approx(cfg.lr / np.sqrt(cfg.batch_size))
            assert lanes[0].lr[0] == pytest.approx(c.lr) or not lanes[0].constant
        elif isinstance(c, story.Diverged):
            lane = lanes[c.lane]
            gone = lane.diverged_at >= 0
            assert c.share == gone.mean() > 0 and c.first_step == lane.diverged_at[gone].min()
            assert c.max_rate == lane.lr.max()
            if theory.covers(lane.problem, lane.optimizer):
                assert c.bound == theory.stability_bound(lane.problem, lane.optimizer)
            else:
                assert c.bound is None
        elif isinstance(c, story.AtFloor):
            lane = lanes[c.lane]
            assert np.ptp(lane.lr) == 0 and c.rate == lane.lr[0] and not (lane.diverged_at >= 0).any()
            assert c.floor == pytest.approx(theory.noise_floor(lane.problem, c.rate, lane.optimizer), rel=1e-12)
            assert c.final == pytest.approx(_final(lane, True), rel=1e-9)
            assert c.reached == (c.final <= story.REACHED * c.floor)
        elif isinstance(c, story.NoFloor):
            assert cfg.sigma == 0 and np.ptp(lanes[c.lane].lr) == 0
        elif isinstance(c, story.Measured):
            lane = lanes[c.lane]
            last = lane.loss[:, -1]
            assert not lane.has_theory
            assert c.final == pytest.approx(last[np.isfinite(last)].mean(), rel=1e-12)
            assert c.low <= c.final or c.low == pytest.approx(c.final)
            assert c.runs == np.isfinite(last).sum()
        elif isinstance(c, story.RisesFirst):
            lr = lanes[c.lane].lr
            assert c.start == lr[0] < c.peak == lr[c.peak_step]
            assert np.all(np.diff(lr[: c.peak_step + 1]) > 0)
            assert c.peak_step == len(lr) - 1 or lr[c.peak_step + 1] <= lr[c.peak_step]
        elif isinstance(c, story.AboveBound):
            lane = lanes[c.lane]
            above = np.flatnonzero(lane.lr >= theory.stability_bound(lane.problem, lane.optimizer))
            assert c.steps == above.size > 0 and c.first_step == above[0]
            assert c.diverged == bool((lane.diverged_at >= 0).any())
        elif isinstance(c, story.Final):
            assert c.value == pytest.approx(_final(lanes[c.lane], c.exact), rel=1e-9)
        elif isinstance(c, story.Lower):
            assert c.ratio >= story.SIMILAR
            assert c.lower_final == finals[c.lower].value and c.higher_final == finals[c.higher].value
            assert c.ratio == pytest.approx(c.higher_final / c.lower_final) or c.lower_final == 0
            assert c.lower_final == min(f.value for f in finals.values())
            assert (c.lower_last_rate, c.higher_last_rate) == (lanes[c.lower].lr[-1], lanes[c.higher].lr[-1])
        elif isinstance(c, story.Similar):
            assert c.first_final <= c.second_final < story.SIMILAR * c.first_final
        elif isinstance(c, story.Cause):
            lane = lanes[c.lane]
            if c.exact:
                distance = _noise_free_distance(lane)
                expected = float(theory.expected_loss(lane.problem, lane.optimizer, lane.lr, len(lane.lr))[-1])
                part = distance if c.part == "distance" else expected - distance
                assert c.share == pytest.approx(part / expected, abs=1e-6)
            assert c.share >= 0.5 - 1e-9
        else:
            raise AssertionError(f"unchecked claim {c!r}")

    # Completeness: what must be said is said.
    for k, lane in enumerate(lanes):
        gone = (lane.diverged_at >= 0).any()
        assert gone == any(isinstance(c, story.Diverged) and c.lane == k for c in claims)
        exact = lane.has_theory
        if exact and np.ptp(lane.lr) == 0 and not gone:
            expected = story.NoFloor if cfg.sigma == 0 else story.AtFloor
            assert any(isinstance(c, expected) and c.lane == k for c in claims), (k, claims)
        if not exact and not (lane.diverged_at >= 0).all():
            assert any(isinstance(c, story.Measured) and c.lane == k for c in claims)
    comparisons = [c for c in claims if isinstance(c, (story.Lower, story.Similar))]
    assert len(comparisons) == max(len(finals) - 1, 0)
    assert (story.Scaled in kinds) == cfg.scale_by_batch

    # Sentences: each carries its claim's numbers, and names no optimizer the race lacks.
    labels = [lane.label for lane in lanes]
    name = words.Namer(labels)
    lines = []
    for c in claims:  # every claim has a sentence (or is said in the headline)
        text = words.sentence(c, name, cfg.steps)
        if text is None:
            continue
        for field in ("floor", "share", "ratio", "first_step", "bound"):
            value = getattr(c, field, None)
            if value is None:
                continue
            if field == "share" and value == 1 and isinstance(c, story.Diverged):
                shown = "All"  # all runs, not "100%"
            else:
                formats = {"share": words.share, "ratio": words.ratio, "first_step": str}
                shown = formats.get(field, words.number)(value)
            assert shown.lower() in text.lower(), (field, shown, text)
        assert not re.match(r"\s*(>|#{1,6}\s|[+\-*]\s|\d+\.\s)", text), text  # would render as Markdown structure
        lines.append(text)
    text = " ".join(lines + [words.headline(claims, labels)])
    present = {l.optimizer_name for l in lanes}
    for other in {p.name for p in optim.PRESETS.values()} - present:
        assert not re.search(rf"\b{other}\b", text), (other, text)
    return lines


QUICK = [
    ("SGD", "exponential", "stable"),
    ("momentum", "exponential", "stable"),
    ("Adam", "exponential", "stable"),
    ("Adagrad", "exponential", "stable"),
    ("SGD", "warmup", "stable"),
    ("SGD", "cyclic", "stable"),
    ("SGD", "exponential", "above_bound"),
    ("SGD", "exponential", "no_noise"),
    ("SGD", "exponential", "tiny_rate"),
    ("SGD", "exponential", "k_sqrt_b"),
    ("nesterov", "reduce_on_plateau", "stable"),
]


@pytest.mark.parametrize("optimizer, schedule, regime", QUICK, ids=["-".join(q) for q in QUICK])
def test_every_claim_holds_in_these_races(optimizer, schedule, regime):
    check(run_race(config(optimizer, schedule, regime)))


GRID = list(itertools.product(OPTIMIZERS, SCHEDULES, REGIMES))


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_claim_holds_over_the_whole_grid(optimizer):
    checked = 0
    for schedule, regime in itertools.product(SCHEDULES, REGIMES):
        result = run_race(config(optimizer, schedule, regime))
        checked += len(story.claims(result))
        check(result)
    assert checked > len(SCHEDULES) * len(REGIMES)  # several claims per race


def test_the_default_race_tells_the_decay_articles_story():
    result = run_race(RaceConfig())
    claims = story.claims(result)
    floor = next(c for c in claims if isinstance(c, story.AtFloor))
    lower = next(c for c in claims if isinstance(c, story.Lower))
    assert floor.lane == 0 and floor.reached and floor.floor == pytest.approx(0.0763, abs=5e-5)
    assert lower.lower == 1 and lower.higher == 0 and lower.ratio > 20 and lower.exact
    causes = {c.lane: c.part for c in claims if isinstance(c, story.Cause)}
    assert causes[0] == "noise"  # the constant rate rattles


def test_a_decay_that_is_too_fast_ends_higher_and_the_story_says_why():
    fast = registry.Spec.from_dict({"name": "exponential", "params": {"decay_steps": 5, "decay_rate": 0.5}})
    result = run_race(RaceConfig.duel(fast))
    claims = story.claims(result)
    lower = next(c for c in claims if isinstance(c, story.Lower))
    cause = next(c for c in claims if isinstance(c, story.Cause) and c.lane == 1)
    assert lower.lower == 0 and cause.part == "distance"
    assert "distance still to travel" in " ".join(check(result))


def test_a_partial_divergence_says_its_share_not_just_a_step():
    # The case: at lr = 0.25 some of the decayed runs blow up before the rate comes down.
    result = run_race(RaceConfig(lr=0.25))
    claim = next(c for c in story.claims(result) if isinstance(c, story.Diverged) and c.lane == 1)
    assert 0 < claim.share < 1 and claim.first_step == 28
    claims, labels = story.claims(result), [lane.label for lane in result.lanes]
    assert "18% of runs diverged (first at step 28)" in words.headline(claims, labels)
    assert "**18%** of" in " ".join(words.race_story(claims, labels, 1000))
