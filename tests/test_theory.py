"""The exact theory against Monte Carlo, against plain recursions, and the story it tells."""

import numpy as np
import pytest

import lrcore
from lrcore import optim, theory
from lrcore import schedules as S
from lrcore.problems import LeastSquares, NoisyQuadratic
from lrcore.race import RaceConfig, run_race

P = NoisyQuadratic()
CHECKPOINTS = np.linspace(0, 1500, 21).astype(int)[1:]


@pytest.mark.parametrize(
    "optimizer", [optim.SGD(), optim.SGD(momentum=0.9), optim.SGD(momentum=0.6, nesterov=True)], ids=repr
)
@pytest.mark.parametrize("schedule", [S.constant(0.02), S.exponential(0.05, 300, 0.5)], ids=lambda s: s.name)
def test_monte_carlo_mean_matches_exact_expectation_within_five_standard_errors(optimizer, schedule):
    res = lrcore.simulate(P, optimizer, schedule, 1500, runs=4000, seed=123)
    exact = theory.expected_loss(P, optimizer, schedule, 1500)
    z = (res.mean_loss()[CHECKPOINTS] - exact[CHECKPOINTS]) / res.standard_error()[CHECKPOINTS]
    assert np.all(np.abs(z) < 5), z


@pytest.mark.parametrize("optimizer", [optim.SGD(), optim.SGD(momentum=0.9)], ids=repr)
def test_constant_rate_runs_settle_on_the_predicted_noise_floor(optimizer):
    lr = 0.02
    floor = theory.noise_floor(P, lr, optimizer)
    res = lrcore.simulate(P, optimizer, S.constant(lr), 3000, runs=4000, seed=7)
    final = res.loss[:, -1]
    assert abs(final.mean() - floor) < 5 * final.std() / np.sqrt(len(final))
    np.testing.assert_allclose(theory.expected_loss(P, optimizer, S.constant(lr), 3000)[-1], floor, rtol=1e-9)


@pytest.mark.parametrize("noise", ["isotropic", "curvature"])
@pytest.mark.parametrize("lr", [0.01, 0.1, 0.19])
def test_sgd_noise_floor_is_the_closed_form(noise, lr):
    p = NoisyQuadratic(h=(0.5, 10.0), angle=33, sigma=1.7, batch_size=8, noise=noise)
    c = p.noise_variances
    expected = np.sum(lr * c / (2 * 8 * (2 - lr * p.eigenvalues)))
    assert theory.noise_floor(p, lr) == pytest.approx(expected, rel=1e-12)


def test_noise_floor_grows_with_the_rate_and_shrinks_with_the_batch():
    floors = [theory.noise_floor(NoisyQuadratic(batch_size=b), 0.1) for b in (1, 4, 16)]
    np.testing.assert_allclose(floors[0] / np.array(floors), [1, 4, 16])
    assert theory.noise_floor(P, 0.05) < theory.noise_floor(P, 0.1) < theory.noise_floor(P, 0.19)
    assert theory.noise_floor(P, 0.2) == np.inf


def _sequential(problem, optimizer, lr):
    """The moment recursion written out step by step (no scan), with 2x2 covariances."""
    mu, tau, nesterov = optimizer.momentum, optimizer.dampening, optimizer.nesterov
    x0 = problem.eigenvectors.T @ (problem.start_point - problem.minimizer)
    v = problem.noise_variances / problem.batch_size
    out = [0.5 * (x0**2) @ problem.eigenvalues]
    mean = [np.array([x0[i], 0.0]) for i in range(2)]
    cov = [np.zeros((2, 2)) for _ in range(2)]
    for t, eta in enumerate(lr):
        total = 0.0
        for i, h in enumerate(problem.eigenvalues):
            if mu == 0:
                A, q = np.array([[1 - eta * h, 0.0], [0.0, 0.0]]), np.array([-eta, 0.0])
            else:
                kappa = 1.0 if t == 0 else 1 - tau
                gain = 1 + mu * kappa if nesterov else kappa
                A = np.array([[1 - eta * gain * h, -eta * (mu * mu if nesterov else mu)], [kappa * h, mu]])
                q = np.array([-eta * gain, kappa])
            mean[i] = A @ mean[i]
            cov[i] = A @ cov[i] @ A.T + v[i] * np.outer(q, q)
            total += 0.5 * h * (mean[i][0] ** 2 + cov[i][0, 0])
        out.append(total)
    return np.array(out)


@pytest.mark.parametrize(
    "optimizer",
    [optim.SGD(), optim.SGD(momentum=0.9), optim.SGD(momentum=0.5, nesterov=True), optim.SGD(momentum=0.7, dampening=0.4)],
    ids=repr,
)
@pytest.mark.parametrize("steps", [1, 2, 17, 1000])
def test_scan_equals_the_step_by_step_recursion(optimizer, steps):
    p = NoisyQuadratic(h=(0.7, 8.0), angle=-20, sigma=1.3, batch_size=2, noise="curvature")
    lr = S.warmup(S.cosine(0.1, 800), 50)(np.arange(steps))
    np.testing.assert_allclose(theory.expected_loss(p, optimizer, lr, steps), _sequential(p, optimizer, lr), rtol=1e-12)


@pytest.mark.parametrize(
    "optimizer",
    [optim.SGD(), optim.SGD(momentum=0.9), optim.SGD(momentum=0.5, nesterov=True),
     optim.SGD(momentum=0.7, dampening=0.4), optim.SGD(momentum=0.3, weight_decay=0.5)],
    ids=repr,
)  # fmt: skip
def test_stability_bound_is_where_the_update_stops_contracting(optimizer):
    bound = theory.stability_bound(P, optimizer)
    for factor, stable in [(0.999, True), (1.001, False)]:
        mean, cov = theory.stationary_covariance(P, bound * factor, optimizer)
        assert np.all(np.isfinite(cov)) == stable
    # and the simulator agrees: just above the bound every run diverges, just below none does
    above = lrcore.simulate(P, optimizer, S.constant(1.02 * bound), 4000, 20, seed=0)
    below = lrcore.simulate(P, optimizer, S.constant(0.9 * bound), 4000, 20, seed=0)
    assert above.diverged.all() and not below.diverged.any()


def test_sgd_stability_bound_and_optimal_rate_are_the_textbook_ones():
    p = NoisyQuadratic(h=(0.5, 8.0))
    assert theory.stability_bound(p) == pytest.approx(2 / 8.0)
    assert theory.optimal_constant_lr(p) == pytest.approx(2 / 8.5)
    # the optimal rate equalises the contraction |1 - eta h| of both directions
    eta = theory.optimal_constant_lr(p)
    rates = np.abs(1 - eta * p.eigenvalues)
    assert rates[0] == pytest.approx(rates[1])
    for other in (0.95 * eta, 1.05 * eta):
        assert np.max(np.abs(1 - other * p.eigenvalues)) > rates.max()


def test_stationary_ellipse_holds_the_expected_share_of_the_cloud():
    lr = 0.1
    p = NoisyQuadratic(angle=30)
    res = lrcore.simulate(p, optim.SGD(), S.constant(lr), 400, runs=20000, seed=1)
    pts = res.w[:, -1]
    mean, cov = theory.stationary_covariance(p, lr)
    d = pts - mean
    mahalanobis2 = np.einsum("ri,ij,rj->r", d, np.linalg.inv(cov), d)
    assert np.mean(mahalanobis2 <= 4.0) == pytest.approx(1 - np.exp(-2), abs=0.01)  # 2-sigma in 2-D
    ellipse = theory.stationary_ellipse(p, lr)
    e = ellipse - mean
    np.testing.assert_allclose(np.einsum("ri,ij,rj->r", e, np.linalg.inv(cov), e), 4.0, rtol=1e-9)


def test_the_decay_articles_story_holds_under_the_dashboard_defaults():
    constant, decayed = run_race(RaceConfig()).lanes
    # Constant rate: the loss plateaus at the noise floor (theory and Monte Carlo).
    assert constant.final_expected == pytest.approx(constant.floor, rel=1e-6)
    assert constant.loss[:, -100:].mean() == pytest.approx(constant.floor, rel=0.1)
    # Decay: the final expected loss falls well below the floor.
    assert constant.floor / decayed.final_expected > 20
    assert constant.floor / decayed.loss[:, -100:].mean() > 20
    assert not constant.diverged.any() and not decayed.diverged.any()


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: theory.expected_loss(LeastSquares(), optim.SGD(), S.constant(0.1), 10), "problem"),
        (lambda: theory.expected_loss(P, optim.Adam(), S.constant(0.1), 10), "optimizer"),
        (lambda: theory.expected_loss(P, optim.SGD(), S.reduce_on_plateau(0.1), 10), "schedule"),
        (lambda: theory.expected_loss(P, optim.SGD(), S.constant(0.1), -1), "steps"),
        (lambda: theory.noise_floor(P, 0.0), "lr"),
    ],
)
def test_theory_refuses_what_it_does_not_cover_by_name(call, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        call()


# --------------------------------------------------------------------------- per-optimizer theory

MOMENTA = [optim.SGD(momentum=0.9), optim.SGD(momentum=0.5, dampening=0.3), optim.SGD(momentum=0.9, nesterov=True)]


@pytest.mark.parametrize("opt", [optim.SGD(momentum=0.9), optim.SGD(momentum=0.6, dampening=0.25)], ids=repr)
@pytest.mark.parametrize("lr", [0.01, 0.1, 0.3])
def test_heavy_ball_noise_floor_is_its_closed_form(opt, lr):
    p = NoisyQuadratic(h=(0.5, 10.0), angle=20, sigma=1.3, batch_size=4)
    mu, e = opt.momentum, (1 - opt.dampening) * lr
    c, h = p.noise_variances / p.batch_size, p.eigenvalues
    closed = np.sum(e * (1 + mu) * c / (2 * (1 - mu) * (2 * (1 + mu) - e * h)))
    assert theory.noise_floor(p, lr, opt) == pytest.approx(closed, rel=1e-12)


def test_heavy_ball_has_an_interval_of_fastest_rates_with_radius_root_mu():
    opt = optim.SGD(momentum=0.9)
    fast = theory.fastest_rates(P, opt)
    assert not fast.single and fast.radius == pytest.approx(np.sqrt(0.9))
    inside = np.linspace(fast.low, fast.high, 50)
    np.testing.assert_allclose(theory._radius(P, opt, inside), np.sqrt(0.9), rtol=1e-9)
    outside = np.array([0.9 * fast.low, 1.02 * fast.high])
    assert np.all(theory._radius(P, opt, outside) > np.sqrt(0.9) + 1e-6)


@pytest.mark.parametrize("opt", [optim.SGD(), optim.SGD(momentum=0.9, nesterov=True), optim.SGD(momentum=0.3)], ids=repr)
def test_a_single_fastest_rate_beats_every_other_rate(opt):
    p = NoisyQuadratic(h=(0.05, 10.0))  # long enough that momentum 0.3 has no interval
    fast = theory.fastest_rates(p, opt)
    assert fast.single
    grid = np.linspace(1e-4, theory.stability_bound(p, opt) * 0.999, 20001)
    assert theory._radius(p, opt, grid).min() >= fast.radius - 1e-7
    if opt.momentum == 0:
        assert fast.low == pytest.approx(2 / (0.05 + 10.0))


@pytest.mark.parametrize("opt", [optim.SGD(), *MOMENTA], ids=repr)
def test_best_constant_rate_minimises_the_exact_final_loss(opt):
    steps = 400
    best = theory.best_constant_rate(P, steps, opt)
    final = lambda lr: theory.expected_loss(P, opt, S.constant(lr), steps)[-1]  # noqa: E731
    grid = np.geomspace(theory.stability_bound(P, opt) * 1e-4, theory.stability_bound(P, opt) * 0.999, 300)
    assert final(best) <= min(final(lr) for lr in grid) * (1 + 1e-9)
    assert final(best) <= min(final(best * 0.98), final(best * 1.02))


@pytest.mark.parametrize("opt", [optim.SGD(), *MOMENTA], ids=repr)
def test_distance_part_is_the_noise_free_run_and_the_parts_add_up(opt):
    sched = S.exponential(0.1, 100, 0.5)
    parts = theory.expected_loss_parts(P, opt, sched, 300)
    quiet = NoisyQuadratic(sigma=0.0)
    run = lrcore.simulate(quiet, opt, sched, 300, 1)
    np.testing.assert_allclose(parts.distance, run.loss[0], rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(parts.total, theory.expected_loss(P, opt, sched, 300), rtol=1e-12)
    assert np.all(parts.noise >= 0)


@pytest.mark.parametrize("fn", [theory.expected_loss, theory.noise_floor, theory.stability_bound, theory.fastest_rates, theory.best_constant_rate])
def test_each_formula_is_the_optimizers_own(fn):
    sgd, heavy, nesterov = fn.formula(optim.SGD()), fn.formula(optim.SGD(momentum=0.9)), fn.formula(optim.SGD(momentum=0.9, nesterov=True))
    assert sgd.latex and sgd.sentence.endswith(".")
    if fn is not theory.best_constant_rate:  # one definition for all
        assert heavy.latex != sgd.latex and nesterov.latex != heavy.latex
    assert r"\mu" not in sgd.latex and "momentum" not in sgd.sentence.lower()
    assert r"\tau" not in heavy.latex  # no dampening, no (1 - τ)
    with pytest.raises(ValueError, match="^optimizer must be SGD"):
        fn.formula(optim.Adam())


def test_covers_says_where_the_theory_is_exact():
    assert theory.covers(P, optim.SGD(momentum=0.9)) and not theory.covers(P, optim.Adam())
    assert not theory.covers(LeastSquares(), optim.SGD())
