"""Batch size: the floor's 1/B law, scaling rules cut off by the bound, steps to a target, B_crit."""

from dataclasses import replace

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import lrcore
from lrcore import batch, optim, theory
from lrcore import schedules as S
from lrcore._checks import ParameterError
from lrcore.problems import NoisyQuadratic

P = NoisyQuadratic()
SGD = optim.SGD()
POWERS = 2.0 ** np.arange(0, 11)


@pytest.mark.parametrize("noise", ["isotropic", "curvature"])
@pytest.mark.parametrize("lr", [0.02, 0.15])
def test_noise_floor_at_a_fixed_rate_falls_like_one_over_b_as_its_closed_form(noise, lr):
    p = NoisyQuadratic(h=(0.5, 9.0), angle=40, sigma=1.4, noise=noise)
    floors = batch.noise_floors(p, POWERS, lr).curves["fixed"].floors
    c, h = p.noise_variances, p.eigenvalues
    np.testing.assert_allclose(floors, np.sum(lr * c / (2 * (2 - lr * h))) / POWERS, rtol=1e-12)


@pytest.mark.parametrize("opt", [optim.SGD(momentum=0.9), optim.SGD(momentum=0.5, nesterov=True),
                                 optim.SGD(momentum=0.3, dampening=0.2, weight_decay=0.4), optim.SGD(weight_decay=0.3)], ids=repr)  # fmt: skip
def test_every_rule_floor_is_the_theorys_floor_at_that_batch_size_and_rate(opt):
    result = batch.noise_floors(P, [1, 2, 3, 8, 64], 0.03, opt)
    for curve in result.curves.values():
        expected = [theory.noise_floor(replace(P, batch_size=b), r, opt) for b, r in zip([1, 2, 3, 8, 64], curve.rates)]
        np.testing.assert_allclose(curve.floors, expected, rtol=1e-9)


def test_rules_scale_the_rate_and_the_bound_cuts_the_growing_ones_off():
    lr, bound = 0.05, 0.2
    result = batch.noise_floors(P, POWERS, lr)
    for name, alpha in batch.RULES.items():
        np.testing.assert_allclose(result.curves[name].rates, lr * POWERS**alpha)
    # the k/sqrt(B) rule is the decay article's batch_size_scaled
    np.testing.assert_allclose(result.curves["inverse_sqrt"].rates, [S.batch_size_scaled(lr, int(b)) for b in POWERS])
    linear, root = result.curves["linear"], result.curves["sqrt"]
    assert (linear.cutoff, linear.cutoff_exact) == (4, pytest.approx(4.0))  # 0.05 B reaches 0.2 at B = 4
    assert (root.cutoff, root.cutoff_exact) == (16, pytest.approx(16.0))  # 0.05 sqrt(B) at B = 16
    for curve in (linear, root):
        stable = POWERS < curve.cutoff
        assert np.all(np.isfinite(curve.floors[stable])) and np.all(np.isinf(curve.floors[~stable]))
    assert result.curves["fixed"].cutoff is None and result.curves["inverse_sqrt"].cutoff is None
    # the linear rule's floor does not fall with B (rate and noise grow and shrink together), the fixed one's does
    assert linear.floors[1] > linear.floors[0] and result.curves["fixed"].floors[1] < result.curves["fixed"].floors[0]
    off = batch.noise_floors(P, [5], lr, reference_batch=2)
    assert off.curves["linear"].cutoff == 8 and np.isfinite(off.curves["linear"].floors[0])


def _one_direction_steps(h, c, L0, target, B, etas):
    """Both directions alike: E[loss_t] = a + (L0 - a)(1 - eta h)^(2t), a = eta c / (2 - eta h) / B (two directions)."""
    a = etas * (c / B) / (2 - etas * h)
    rho = (1 - etas * h) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.log((L0 - a) / (target - a)) / -np.log(rho)
    t = np.where(a < target, np.ceil(np.maximum(t, 0) - 1e-9), np.inf)
    return t.min(), etas[np.argmin(t)]


def test_critical_batch_of_a_single_curvature_is_the_hand_solution():
    # h1 = h2 = h: without noise eta = 1/h lands on the minimum in one step, so S_min = 1;
    # as B -> 0 with eta = eps B: loss(E) = u + (L0 - u) e^(-2 eps h E), u = eps c / 2, so
    # E_min = min_u (c / (4 h)) ln((L0 - u)/(L* - u)) / u, and B_crit = E_min / 1.
    h, sigma, target = 2.0, 1.5, 0.05
    p = NoisyQuadratic(h=(h, h), start=(1.0, 2.0), sigma=sigma)
    c, L0 = sigma**2, 0.5 * h * 5.0
    hand = minimize_scalar(lambda u: c / (4 * h) * np.log((L0 - u) / (target - u)) / u, bounds=(1e-9, target * (1 - 1e-9)),
                           method="bounded", options={"xatol": 1e-12})  # fmt: skip
    result = batch.critical_batch(p, target)
    assert result.s_min == 1 and result.s_min_rate == pytest.approx(1 / h, rel=1e-3)
    assert result.e_min == pytest.approx(hand.fun, rel=1e-6)
    assert result.b_crit == pytest.approx(hand.fun, rel=1e-6)
    # the steps curve against a brute-force search over a fine grid of rates, and its two limits
    sizes = np.array([1e-3, 0.3, 1.0, 4.0, 32.0, 1e6])
    curve = batch.steps_to_target(p, target, sizes)
    etas = np.geomspace(1e-7, 0.999, 200_001) / h
    brute = [_one_direction_steps(h, c, L0, target, b, etas)[0] for b in sizes]
    np.testing.assert_array_equal(curve.steps, brute)
    assert curve.steps[-1] == result.s_min
    assert curve.examples[0] == pytest.approx(result.e_min, rel=0.01)
    assert np.all(curve.steps >= result.s_min)
    # whole steps break the hyperbola here: at B = 32 one Newton-like step (eta = 1/h) already lands
    # below the target, so 32 examples do what the small-batch limit needs 42.9 for
    assert curve.steps[4] == 1 and curve.examples[4] < result.e_min


@pytest.mark.parametrize("b", [1, 4, 16, 256])
def test_steps_to_target_is_the_first_step_of_the_exact_recursion_and_no_rate_is_faster(b):
    target = 0.1
    result = batch.steps_to_target(P, target, [b])
    steps, rate = int(result.steps[0]), float(result.rates[0])
    p = replace(P, batch_size=b)
    exact = theory.expected_loss(p, SGD, S.constant(rate), steps)
    assert exact[-1] <= target < exact[-2]
    for other in np.geomspace(1e-3, 0.1999, 300):  # no constant rate gets there in fewer steps
        assert theory.expected_loss(p, SGD, S.constant(other), steps - 1)[-1] > target


def test_monte_carlo_runs_reach_the_target_where_the_theory_says():
    target, b = 0.1, 4
    result = batch.steps_to_target(P, target, [b])
    steps, rate = int(result.steps[0]), float(result.rates[0])
    p = replace(P, batch_size=b)
    runs = lrcore.simulate(p, SGD, S.constant(rate), steps, runs=20000, seed=3)
    exact = theory.expected_loss(p, SGD, S.constant(rate), steps)
    for t in (steps - 1, steps):
        mean, se = runs.loss[:, t].mean(), runs.loss[:, t].std(ddof=1) / np.sqrt(20000)
        assert abs(mean - exact[t]) < 5 * se
    assert runs.loss[:, steps].mean() < runs.loss[:, steps - 1].mean()


@pytest.mark.parametrize("opt", [SGD, optim.SGD(momentum=0.9)], ids=repr)
def test_steps_under_a_schedule_are_the_exact_recursions_first_step_below_target(opt):
    sched = S.exponential(0.02, 200, 0.5)
    sizes = [1, 3, 16, 200]
    result = batch.steps_to_target(P, 0.05, sizes, opt, schedule=sched, horizon=2000)
    for b, s in zip(sizes, result.steps):
        loss = theory.expected_loss(replace(P, batch_size=b), opt, sched, 2000)
        below = np.flatnonzero(loss <= 0.05)
        assert s == (below[0] if below.size else -1)
    assert result.steps[0] == -1 or result.steps[0] >= result.steps[-1]
    unreachable = batch.steps_to_target(P, 1e-6, [1], opt, schedule=sched, horizon=500)
    assert unreachable.steps[0] == -1 and np.isinf(unreachable.examples[0])


def test_noise_scale_is_its_definition():
    p = NoisyQuadratic(h=(1.0, 10.0), sigma=2.0)
    # on the steep axis g = (0, 10 x), g^T H g = 1000 x^2; tr(H Sigma) = 4 (1 + 10)
    assert batch.noise_scale(p, (0.0, 0.5)) == pytest.approx(44 / 250)
    curv = NoisyQuadratic(h=(1.0, 10.0), sigma=2.0, noise="curvature", angle=30)
    w = np.array([0.3, -1.2])
    g = curv.hessian @ w
    assert batch.noise_scale(curv, w) == pytest.approx(np.trace(curv.hessian @ (4 * curv.hessian)) / (g @ curv.hessian @ g))
    assert batch.noise_scale(p, (0.0, 0.0)) == np.inf


def test_critical_batch_on_the_default_bowl_and_where_its_target_point_is():
    result = batch.critical_batch(P, 0.1)
    assert P.loss(np.array(result.target_point)) == pytest.approx(0.1, rel=1e-9)
    assert result.noise_scale_start < 1 < result.b_crit < result.noise_scale_target  # noise matters more near the end
    curve = batch.steps_to_target(P, 0.1, [1e-4, 1e5])
    assert curve.steps[1] == result.s_min and curve.examples[0] == pytest.approx(result.e_min, rel=0.01)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: batch.noise_floors(P, [0, 2], 0.1), "batch_sizes"),
        (lambda: batch.noise_floors(P, 4, 0.1), "batch_sizes"),
        (lambda: batch.noise_floors(P, [1, 2], 0.0), "lr"),
        (lambda: batch.noise_floors(P, [1, 2], 0.1, rules=["cubic"]), "rules"),
        (lambda: batch.noise_floors(P, [1, 2], 0.1, reference_batch=0), "reference_batch"),
        (lambda: batch.steps_to_target(P, 0.0, [1]), "target"),
        (lambda: batch.steps_to_target(P, 0.1, [1], optim.SGD(momentum=0.9)), "optimizer"),
        (lambda: batch.steps_to_target(P, 0.1, [1], schedule=S.constant(0.1), horizon=0), "horizon"),
        (lambda: batch.critical_batch(P, 0.1, optim.Adam()), "optimizer"),
        (lambda: batch.noise_scale(P, (1.0, np.nan)), "w"),
    ],
)
def test_bad_parameters_are_refused_by_name(call, name):
    with pytest.raises(ParameterError, match=f"^{name} must") as info:
        call()
    assert info.value.param == name


def test_first_crossing_of_two_exponentials_is_found_on_either_side_of_a_turn():
    # a + b1 rho1^t + b2 rho2^t with b of mixed signs (one direction starts inside its floor) has
    # one turning point; the first real t with f(t) <= target, against a fine grid of t
    rng = np.random.default_rng(5)
    a = rng.uniform(0.0, 1.0, 200)
    b = rng.uniform(-1.0, 3.0, (200, 2))
    log_rho = -rng.uniform(0.05, 2.0, (200, 2))
    target = 0.8
    found = batch._first_crossing(a, b, log_rho, target)
    t = np.linspace(0, 150, 75_001)
    f = a[:, None] + (b[:, None, :] * np.exp(t[None, :, None] * log_rho[:, None, :])).sum(-1)
    below = f <= target
    brute = np.where(below.any(1), t[np.argmax(below, 1)], np.inf)
    assert np.sum(np.isinf(found)) == np.sum(np.isinf(brute)) > 0
    finite = np.isfinite(brute)
    np.testing.assert_allclose(found[finite], brute[finite], atol=2e-3)
    assert np.any((b < 0).any(1) & finite & (found > 0))  # mixed-sign cases that cross later are among them
