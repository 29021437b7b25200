"""Every claim the labs make, checked against the numbers it came from, and its sentence against the claim."""

import math

import numpy as np
import pytest

from lrcore import batch, families, lab_story as L, optim, optimal, registry, warmup
from lrcore import schedules as S
from ui import lab_views, lab_words
from ui.words import number, share

BATCH_CONFIGS = [
    lab_views.BatchConfig(),
    lab_views.BatchConfig(lr=0.19, reference_batch=4, target=0.1, kappa=50, noise="curvature"),
    lab_views.BatchConfig(lr=0.005, target=0.001, sigma=2.5),
    lab_views.BatchConfig(schedule=registry.freeze(registry.default_spec("exponential", 1000, 0.1)), horizon=1000, target=0.001),
]


def _kinds(claims):
    return {type(c).__name__: c for c in claims}


@pytest.mark.parametrize("config", BATCH_CONFIGS, ids=range(len(BATCH_CONFIGS)))
def test_batch_claims_are_the_curves_numbers(config):
    view = lab_views.batch_view(config)
    f, s, crit = view.floors, view.steps, view.critical
    claims = _kinds(view.claims)
    falls = claims["FloorFalls"]
    assert falls.floor_first == f.curves["fixed"].floors[0] and falls.floor_last == f.curves["fixed"].floors[-1]
    assert falls.slope == pytest.approx(-1.0, abs=1e-9)  # no weight decay: the floor is exactly noise / B
    for c in view.claims:
        if isinstance(c, L.RuleCut):
            curve = f.curves[c.rule]
            assert curve.rates[f.batch_sizes >= c.cutoff].min(initial=np.inf) >= f.bound * (1 - 1e-12)
            assert np.all(np.isinf(curve.floors[f.batch_sizes >= c.cutoff]))
            assert np.all(np.isfinite(curve.floors[f.batch_sizes < c.exact * (1 - 1e-9)]))
            assert c.shown == (c.cutoff <= f.batch_sizes[-1])
    at = {float(b): int(n) for b, n in zip(s.batch_sizes, s.steps)}
    if "PerfectScaling" in claims:
        p = claims["PerfectScaling"]
        assert (p.steps_b, p.steps_2b) == (at[p.b], at[2 * p.b]) and p.b == min(b for b in at if at[b] > 0 and math.log2(b).is_integer())
        assert ('nearly free' in lab_words.sentence(p)) == (p.steps_2b <= 0.6 * p.steps_b)
    if "StopsHelping" in claims:
        h = claims["StopsHelping"]
        assert (h.steps_b, h.steps_2b) == (at[h.b], at[2 * h.b]) and h.saving < L.DIMINISHING
        earlier = [b for b in at if b < h.b and math.log2(b).is_integer() and at[b] > 0 and at[2 * b] > 0]
        assert all(1 - at[2 * b] / at[b] >= L.DIMINISHING for b in earlier)  # the first such B
    c = claims["Critical"]
    assert (c.b_crit, c.s_min, c.e_min) == (crit.b_crit, crit.s_min, crit.e_min)
    assert c.b_crit == pytest.approx(c.e_min / c.s_min)
    if "NotReached" in claims:
        assert claims["NotReached"].count == int(np.sum(s.steps < 0))
    else:
        assert np.all(s.steps >= 0)
    for claim in view.claims:  # each sentence states its claim's numbers
        text = lab_words.sentence(claim)
        for field in ("floor_first", "b_crit", "noise_target", "e_min"):
            if hasattr(claim, field):
                assert number(getattr(claim, field)) in text, (field, text)
        if isinstance(claim, (L.PerfectScaling, L.StopsHelping)):
            assert f"{claim.steps_b:,}" in text and f"{claim.steps_2b:,}" in text


def test_the_default_batch_lab_says_what_the_theory_says():
    claims = _kinds(lab_views.batch_view(lab_views.BatchConfig()).claims)
    cuts = {c.rule: c.cutoff for c in lab_views.batch_view(lab_views.BatchConfig()).claims if isinstance(c, L.RuleCut)}
    assert cuts == {"linear": 4, "sqrt": 16}  # 0.05 · B reaches 0.2 at B = 4; 0.05 · √B at 16
    assert claims["PerfectScaling"].steps_2b / claims["PerfectScaling"].steps_b < 0.55  # nearly halves
    assert claims["StopsHelping"].b > claims["Critical"].b_crit  # it stops helping past B_crit
    assert claims["Critical"].noise_start < claims["Critical"].b_crit < claims["Critical"].noise_target


@pytest.mark.parametrize(
    "config",
    [
        lab_views.WarmupConfig(case="quadratic", lr=0.15, warmup_steps=100, steps=1000, runs=50),
        lab_views.WarmupConfig(case="quadratic", lr=0.05, warmup_steps=500, steps=500, runs=50),
        lab_views.WarmupConfig(case="quadratic", lr=0.21, warmup_steps=50, steps=500, runs=50),
    ],
    ids=["stable", "not-yet-converged", "above-the-bound"],
)
def test_quadratic_warmup_claims_are_the_exact_losses_and_the_runs(config):
    (claim,) = lab_views.warmup_view(config).claims
    exact = warmup.quadratic_warmup(lr=config.lr, warmup_steps=config.warmup_steps, steps=config.steps)
    text = lab_words.sentence(claim)
    if exact.stable:
        assert isinstance(claim, L.SameEnd)
        assert (claim.final_without, claim.final_with) == (exact.without[-1], exact.with_warmup[-1])
        assert claim.lower_steps == int(np.sum(exact.with_warmup < exact.without))
        assert claim.same == (abs(exact.with_warmup[-1] / exact.without[-1] - 1) <= L.SAME)
        assert ("same expected loss" in text) == claim.same
    else:
        assert isinstance(claim, L.BothDiverge) and claim.share_without == 1 and claim.share_with == 1
        assert "cannot save" in text


def test_bowl_claim_is_the_races_divergence_and_the_shortest_warmup():
    view = lab_views.warmup_view(lab_views.WarmupConfig(runs=50))
    (claim,) = view.claims
    race = warmup.warmup_race(runs=50)
    assert (claim.share_without, claim.share_with) == (race.diverged_without, race.diverged_with) == (1.0, 0.0)
    assert claim.first_without == race.without.first_divergence and claim.first_with is None
    assert claim.shortest == warmup.shortest_warmup(longest=200, steps=500)
    assert claim.bound_start < claim.lr < claim.bound_minimum
    text = lab_words.sentence(claim)
    assert number(claim.bound_start) in text and "**100%**" in text and "**0%**" in text


def test_adam_claims_are_the_runs_numbers():
    config = lab_views.WarmupConfig(case="adam", lr=0.1, steps=400, runs=50, beta2=0.99, short_steps=20)
    view = lab_views.warmup_view(config)
    result = warmup.adam_warmup(lr=0.1, optimizer=optim.Adam(betas=(0.9, 0.99)), steps=400, runs=50, short_steps=20)
    summary, *lanes = view.claims
    assert isinstance(summary, L.AdamSummary)
    assert summary.step_ratio == pytest.approx(lanes[0].largest_step / lanes[1].largest_step)
    assert summary.lowest_final == min(l.final for l in lanes) and summary.highest_final == max(l.final for l in lanes)
    assert summary.diverged == max(float(r.diverged.mean()) for r in result.results)
    assert f"{summary.step_ratio:.1f}×" in lab_words.sentence(summary)
    for claim, sim in zip(lanes, result.results):
        assert claim.largest_step == pytest.approx(np.max(L.step_lengths(sim, 20)))
        mean = sim.mean_loss()
        below = np.flatnonzero(mean <= L.REACH * mean[0])
        assert claim.reach_step == (int(below[0]) if below.size else None)
        assert claim.final == pytest.approx(sim.loss[:, -1].mean())
        assert number(claim.final) in lab_words.sentence(claim)
    no_warmup = lanes[0]
    assert no_warmup.largest_step == pytest.approx(0.1 * math.sqrt(2), rel=1e-6)  # Adam's first step: lr per coordinate
    assert no_warmup.largest_step > 5 * lanes[1].largest_step


@pytest.mark.parametrize(
    "config",
    [
        lab_views.BestConfig(),
        lab_views.BestConfig(opt="momentum", steps=500, yours=registry.freeze(registry.default_spec("cosine", 500, 0.05))),
        lab_views.BestConfig(kappa=50, sigma=2.0, batch_size=8, noise="curvature", steps=2000),
    ],
    ids=["default", "momentum-cosine", "other-bowl"],
)
def test_best_schedule_claims_are_the_exact_scores(config):
    view = lab_views.best_view(config)
    problem, opt, T = config.problem(), config.optimizer(), config.steps
    best = optimal.optimal_schedule(problem, T, opt)
    claims = _kinds(view.claims)
    gain = claims["OptimumGain"]
    assert gain.optimal_loss == pytest.approx(view.scores["greedy"].optimal_loss) and gain.constant_loss > gain.optimal_loss
    scores = [c for c in view.claims if isinstance(c, L.Score)]
    yours = registry.build(registry.thaw(config.yours))
    assert scores[0].share == pytest.approx(optimal.improvement(problem, T, yours, opt, optimal=best).share, rel=1e-6)
    assert scores[1].share == pytest.approx(optimal.improvement(problem, T, optimal.greedy_schedule(problem, T, opt), opt, optimal=best).share, rel=1e-6)
    for sc in scores:
        text = lab_words.sentence(sc)
        assert (share(sc.share) if sc.share > 0 else f"{100 * sc.share:.0f}%") in text
    excursion = optimal.above_bound(problem, best, T, opt)
    if excursion.exceeds:
        e = claims["Excursion"]
        assert (e.count, e.first, e.max_ratio) == (len(excursion.steps), int(excursion.steps[0]), pytest.approx(excursion.ratios.max()))
        assert e.finite and e.peak_loss == pytest.approx(excursion.peak_loss)
    else:
        assert "Excursion" not in claims
    ratio = optimal.inverse_time_ratio(problem, best, T, opt)
    assert claims["InverseTime"].median == pytest.approx(ratio.median)
    fam = families.fit_families(best, T)
    assert claims["Family"].family == fam[0].family == view.fits[0].family
    assert f"{claims['Family'].typical_factor:.2f}" in lab_words.sentence(claims["Family"])


def test_the_race_link_runs_the_optimum_held_under_the_races_slider():
    config = lab_views.BestConfig()
    view = lab_views.best_view(config)
    q = view.race_query
    best = optimal.optimal_schedule(config.problem(), config.steps)
    rates = best(np.arange(config.steps))
    values = [float(v) for v in q["l.piecewise_constant.values"].split(", ")]
    lane = registry.build(registry.with_rate({"name": "piecewise_constant", "params": {
        "boundaries": [int(b) for b in q["l.piecewise_constant.boundaries"].split(", ")], "values": values, "inclusive": False}}, float(q["lr"])))  # fmt: skip
    raced = lane(np.arange(config.steps))
    np.testing.assert_allclose(raced, np.minimum(rates, lab_views.RACE_LR_MAX), rtol=1e-5)  # as the race will run it
    assert float(q["lr"]) <= lab_views.RACE_LR_MAX and rates[0] > lab_views.RACE_LR_MAX
    assert 0.99 < view.race_score.share <= 1.0 + 1e-9  # holding the first rates costs under 1% of the gain


def test_no_sentence_leaves_a_template_field_unfilled():
    views = [lab_views.batch_view(c) for c in BATCH_CONFIGS] + [
        lab_views.warmup_view(lab_views.WarmupConfig(case=case, steps=400, runs=20, beta2=0.99, short_steps=20))
        for case in lab_views.CASES
    ] + [lab_views.best_view(lab_views.BestConfig(steps=200))]
    for view in views:
        for claim in view.claims:
            text = lab_words.sentence(claim)
            assert "{" not in text and "}" not in text and "nan" not in text.lower().split(), text


def test_every_lab_figure_passes_plotlys_full_validation():
    from ui import lab_figures as F
    from ui.figures import validated

    b = lab_views.batch_view(lab_views.BatchConfig())
    curves = [(name, c.rates, c.floors, c.cutoff_exact) for name, c in b.floors.curves.items()]
    figs = [
        F.batch_floors(b.floors.batch_sizes, curves, b.floors.bound, 1.0),
        F.batch_steps(b.steps.batch_sizes, b.steps.steps, b.steps.examples, b.critical.s_min, b.critical.e_min, [("B_crit", b.critical.b_crit, "#000", "dash")]),
    ]
    for case in lab_views.CASES:
        w = lab_views.warmup_view(lab_views.WarmupConfig(case=case, steps=400, runs=20, beta2=0.99, short_steps=20))
        figs += [F.warmup_plane(w), F.warmup_curves(w)]
    best = lab_views.best_view(lab_views.BestConfig(steps=200))
    figs += [F.best_rates(best.t, best.rates, best.bound, best.h_min, best.gain), F.best_losses(best.loss_t, best.losses)]
    for fig in figs:
        validated(fig)
        assert len(str(fig.to_dict())) < 400_000  # small payloads: curves are decimated


@pytest.mark.parametrize("seed", range(4))
def test_the_runs_band_is_numpys_quantile_of_the_surviving_runs(seed):
    rng = np.random.default_rng(seed)
    loss = rng.lognormal(size=(int(rng.integers(1, 40)), 60))
    gone = rng.integers(0, 70, size=loss.shape[0])  # each run diverges from its step on (some never)
    loss[np.arange(60)[None] >= gone[:, None]] = np.inf
    mean, low, high = lab_views._mean_and_band(loss)
    finite = np.where(np.isfinite(loss), loss, np.nan)
    with np.errstate(all="ignore"), __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore")
        np.testing.assert_allclose(mean, np.nanmean(finite, axis=0))
        np.testing.assert_allclose(low, np.nanquantile(finite, 0.1, axis=0))
        np.testing.assert_allclose(high, np.nanquantile(finite, 0.9, axis=0))
