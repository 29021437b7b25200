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
    config = RaceConfig()
    race = run_race(config)
    # Constant rate: the loss plateaus at the noise floor (theory and Monte Carlo).
    assert race.expected[0, -1] == pytest.approx(race.noise_floor, rel=1e-6)
    assert race.final_loss()[0] == pytest.approx(race.noise_floor, rel=0.1)
    # Decay: the final expected loss falls well below the floor.
    assert race.noise_floor / race.expected[1, -1] > 20
    assert race.noise_floor / race.final_loss()[1] > 20
    assert (race.diverged_at == -1).all()


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
