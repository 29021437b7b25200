"""Warmup: the quartic bowl's geometry, the warmup claim measured, and why a quadratic does not need it."""

import numpy as np
import pytest

import lrcore
from lrcore import optim, theory, warmup
from lrcore import schedules as S
from lrcore._checks import ParameterError
from lrcore.problems import NoisyQuadratic, QuarticBowl
from lrcore.simulate import simulate_many

BOWLS = [QuarticBowl(), QuarticBowl(h=(0.5, 6.0), angle=35, minimum=(1.0, -2.0), quartic=1.3, noise="curvature")]


def _gradient(bowl, w):
    """The bowl's noise-free gradient at points (n, 2), through the simulator's contract."""
    source = bowl.gradients(len(w), 1, 0, noise=np.zeros((len(w), 1, 2)))
    return source(np.ascontiguousarray(w.T), 0).T


@pytest.mark.parametrize("bowl", BOWLS, ids=["default", "rotated"])
def test_gradient_and_curvature_are_the_finite_differences_of_the_loss(bowl):
    w = np.random.default_rng(0).uniform(-3, 3, (6, 2)) + bowl.minimizer
    eps = 1e-6
    fd = np.stack([(bowl.loss(w + eps * e) - bowl.loss(w - eps * e)) / (2 * eps) for e in np.eye(2)], axis=-1)
    np.testing.assert_allclose(_gradient(bowl, w), fd, rtol=1e-7, atol=1e-7)
    fd2 = np.stack([(_gradient(bowl, w + eps * e) - _gradient(bowl, w - eps * e)) / (2 * eps) for e in np.eye(2)], axis=-1)
    np.testing.assert_allclose(bowl.curvature(w), fd2, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(bowl.local_bound(w), 2 / np.linalg.eigvalsh(bowl.curvature(w))[:, -1], rtol=1e-12)


def test_the_bowl_is_steeper_at_the_start_than_at_the_minimum():
    bowl = QuarticBowl()  # h = (1, 10), a = 0.5, start (3, 2): the steep direction is 1 + 3 a 2^2 = 7 times steeper
    np.testing.assert_allclose(bowl.curvature(bowl.minimizer), bowl.hessian)
    np.testing.assert_allclose(bowl.curvature(bowl.start_point), np.diag([1 * (1 + 1.5 * 9), 10 * (1 + 1.5 * 4)]))
    assert bowl.local_bound(bowl.minimizer) == pytest.approx(0.2)
    assert bowl.local_bound(bowl.start_point) == pytest.approx(2 / 70)
    assert bowl.local_bound(bowl.start_point) < 0.1 < bowl.local_bound(bowl.minimizer)  # the lab's rate sits between
    # ... and the curvature falls monotonically on the way in
    path = np.linspace(1, 0, 50)[:, None] * bowl.start_point
    assert np.all(np.diff(bowl.local_bound(path)) > 0)


def test_without_the_quartic_term_the_bowl_is_the_noisy_quadratic_on_the_same_noise():
    bowl, quad = QuarticBowl(angle=20, quartic=0.0, sigma=1.3, batch_size=2), NoisyQuadratic(angle=20, sigma=1.3, batch_size=2)
    a = simulate_many(bowl, optim.SGD(momentum=0.5), [S.constant(0.05)], 300, runs=7, seed=4)[0]
    b = lrcore.simulate(quad, optim.SGD(momentum=0.5), S.constant(0.05), 300, runs=7, seed=4)
    np.testing.assert_allclose(a.w, b.w, rtol=1e-12, atol=1e-14)
    assert a.problem is bowl
    np.testing.assert_allclose(bowl.loss(b.w), quad.loss(b.w))


@pytest.mark.parametrize("bowl", BOWLS, ids=["default", "rotated"])
def test_level_sets_lie_on_one_level_each(bowl):
    rings = bowl.level_sets(np.array([3.0, 3.0]), levels=4, points=40).reshape(4, 41, 2)[:, :40]
    losses = bowl.loss(rings)
    np.testing.assert_allclose(losses, losses[:, :1] * np.ones((1, 40)), rtol=1e-10)
    assert np.all(np.diff(losses[:, 0]) < 0)


def test_a_rate_stable_at_the_minimum_throws_every_run_out_from_the_start_and_warmup_brings_all_in():
    race = warmup.warmup_race(runs=500, seed=1)
    assert race.bound_at_start < race.lr < race.bound_at_minimum
    assert race.diverged_without == 1.0 and race.without.first_divergence <= 5
    assert race.diverged_with == 0.0
    final = race.with_warmup.loss[:, -1]
    assert np.all(np.isfinite(final)) and final.mean() < 0.01 * race.with_warmup.loss[0, 0]
    # the noise is common: both lanes' runs see the same draws, so the first step (rate 0.1 vs 0) differs only by the rate
    np.testing.assert_array_equal(race.with_warmup.w[:, 1], race.with_warmup.w[:, 0])


def test_the_shortest_warmup_is_two_steps_on_the_default_bowl():
    # a 1-step warmup takes rate 0 then 0.1 at x2 = 2 (local bound 0.029): out; two steps use 0.05 first
    assert warmup.shortest_warmup() == 2
    noise_free = np.zeros((1, 300, 2))
    one, two = simulate_many(QuarticBowl(), optim.SGD(), [S.warmup(S.constant(0.1), w) for w in (1, 2)], 300, noise=noise_free)
    assert one.diverged[0] and not two.diverged[0]


@pytest.mark.parametrize("opt", [optim.SGD(), optim.SGD(momentum=0.9)], ids=repr)
def test_on_a_quadratic_warmup_changes_neither_stability_nor_where_the_loss_settles(opt):
    p = NoisyQuadratic()
    bound = theory.stability_bound(p, opt)
    below = warmup.quadratic_warmup(p, 0.75 * bound, 100, 3000, opt)
    assert below.stable and below.bound == bound
    floor = theory.noise_floor(p, 0.75 * bound, opt)
    assert below.without[-1] == pytest.approx(floor, rel=1e-6) and below.with_warmup[-1] == pytest.approx(floor, rel=1e-6)
    if opt.momentum == 0:
        assert below.with_warmup[10] > below.without[10]  # it only starts slower
    else:  # near its bound momentum's velocity overshoots at first, and a ramp tames that transient (it does not decide stability)
        assert below.without[10] > below.without[0] > below.with_warmup[10]
    above = warmup.quadratic_warmup(p, 1.05 * bound, 100, 3000, opt)
    assert not above.stable
    assert above.without[-1] > 1e6 * above.without[0] and above.with_warmup[-1] > 1e6 * above.with_warmup[0]


def test_adam_comparison_uses_the_rule_of_thumb_and_the_same_noise():
    assert warmup.rule_of_thumb_steps(0.999) == 2000 and warmup.rule_of_thumb_steps(0.99) == 200
    result = warmup.adam_warmup(optimizer=optim.Adam(betas=(0.9, 0.99)), runs=50, seed=3)
    assert result.warmup_steps == (0, 200, 20)
    none, rule, short = result.results
    assert none.steps[-1] == 400 and none.w.shape == rule.w.shape == short.w.shape
    np.testing.assert_allclose(rule.lr[:200], 0.1 * np.arange(200) / 200)
    # Adam's first step is lr * g / (|g| + eps): a move of lr along each coordinate, whatever the noise
    np.testing.assert_allclose(np.abs(none.w[:, 1] - none.w[:, 0]), 0.1, rtol=1e-6)
    np.testing.assert_array_equal(rule.w[:, 1], rule.w[:, 0])  # rate 0 at step 0
    assert result.mean_loss().shape == (3, 401)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: QuarticBowl(quartic=-1.0), "quartic"),
        (lambda: QuarticBowl(sigma=-1.0), "sigma"),
        (lambda: warmup.warmup_race(problem=NoisyQuadratic()), "problem"),
        (lambda: warmup.warmup_race(lr=0.0), "lr"),
        (lambda: warmup.warmup_race(warmup_steps=0), "warmup_steps"),
        (lambda: warmup.shortest_warmup(longest=0), "longest"),
        (lambda: warmup.quadratic_warmup(QuarticBowl()), "problem"),
        (lambda: warmup.adam_warmup(optimizer=optim.SGD()), "optimizer"),
        (lambda: warmup.rule_of_thumb_steps(1.0), "beta2"),
    ],
)
def test_bad_parameters_are_refused_by_name(call, name):
    with pytest.raises(ParameterError, match=f"^{name} must") as info:
        call()
    assert info.value.param == name
