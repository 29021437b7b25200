"""The best schedule: the greedy closed form, the optimum against everything else, and Monte Carlo."""

import numpy as np
import pytest
import torch
from scipy.optimize import minimize

import lrcore
from lrcore import families, optim, optimal, theory
from lrcore import schedules as S
from lrcore._checks import ParameterError
from lrcore.problems import LeastSquares, NoisyQuadratic

P = NoisyQuadratic()  # h = (1, 10), sigma = 1, B = 1, start (3, 2)
SGD = optim.SGD()
MOMENTA = [optim.SGD(momentum=0.9), optim.SGD(momentum=0.9, nesterov=True)]
ALL = [SGD, *MOMENTA, optim.SGD(momentum=0.5, dampening=0.3), optim.SGD(weight_decay=0.3)]


def final(problem, opt, schedule, steps):
    return float(theory.expected_loss(problem, opt, schedule, steps)[-1])


# --------------------------------------------------------------------------- greedy


@pytest.mark.parametrize("problem", [P, NoisyQuadratic(h=(0.5, 8.0), angle=30, sigma=1.7, batch_size=4, noise="curvature")])
def test_greedy_sgd_rate_is_its_closed_form(problem):
    # s_i = E[x_i^2]; eta = sum h^2 s / sum (h^3 s + h c/B); s' = (1 - eta h)^2 s + eta^2 c/B
    h, c = problem.eigenvalues, problem.noise_variances / problem.batch_size
    s = (problem.eigenvectors.T @ (problem.start_point - problem.minimizer)) ** 2
    expected = []
    for _ in range(300):
        eta = np.sum(h**2 * s) / np.sum(h**3 * s + h * c)
        expected.append(eta)
        s = (1 - eta * h) ** 2 * s + eta**2 * c
    np.testing.assert_allclose(optimal.greedy_schedule(problem, 300)(np.arange(300)), expected, rtol=1e-10)


@pytest.mark.parametrize("opt", ALL, ids=repr)
def test_greedy_rate_minimises_the_next_expected_loss_over_a_fine_grid(opt):
    p = NoisyQuadratic(h=(0.7, 9.0), angle=-25, sigma=1.3, batch_size=2)
    rates = optimal.greedy_schedule(p, 80, opt)(np.arange(80))
    for t in (0, 1, 7, 79):
        grid = np.linspace(0, 3 * max(rates[t], 1e-3), 601)
        next_loss = [final(p, opt, np.append(rates[:t], eta), t + 1) for eta in grid]
        best = int(np.argmin(next_loss))
        assert abs(grid[best] - rates[t]) <= grid[1] - grid[0]
        assert final(p, opt, rates[: t + 1], t + 1) <= min(next_loss) * (1 + 1e-12)


def test_with_one_curvature_greedy_is_inverse_time_decay_and_no_schedule_beats_it():
    # Both directions alike: S = s1 + s2 follows S' = (1 - eta h)^2 S + eta^2 V, whose greedy
    # rate is 1/(h (t + 1 + V/(h^2 S0))) -- and greedy is optimal (S_T is increasing in S_t).
    p = NoisyQuadratic(h=(2.0, 2.0), start=(1.0, -0.5), sigma=0.8, batch_size=2)
    V, S0, h = 2 * 0.8**2 / 2, 1.25, 2.0
    steps = 500
    greedy = optimal.greedy_schedule(p, steps)
    np.testing.assert_allclose(greedy(np.arange(steps)), 1 / (h * (np.arange(steps) + 1 + V / (h**2 * S0))), rtol=1e-10)
    best = optimal.optimal_schedule(p, steps)
    assert final(p, SGD, greedy, steps) <= final(p, SGD, best, steps) <= 1.01 * final(p, SGD, greedy, steps)


# --------------------------------------------------------------------------- the optimum


def test_piece_boundaries_start_with_single_steps_and_cover_the_horizon():
    b = optimal.piece_boundaries(1000, 64)
    assert len(b) == 65 and b[0] == 0 and b[-1] == 1000 and b[1] == 1
    assert np.all(np.diff(b) >= 1) and np.all(np.diff(np.diff(b)) >= -1)  # lengths grow (up to rounding)
    np.testing.assert_array_equal(optimal.piece_boundaries(10, 64), np.arange(11))


@pytest.mark.parametrize("opt", [SGD, MOMENTA[0], optim.SGD(momentum=0.6, weight_decay=0.2)], ids=repr)
def test_final_loss_gradient_is_the_finite_difference_of_the_exact_loss(opt):
    p = NoisyQuadratic(h=(0.8, 6.0), angle=15, sigma=1.2)
    bounds = optimal.piece_boundaries(300, 12)
    model = optimal._model(p, opt)
    theta = np.log(np.random.default_rng(0).uniform(0.02, 0.25, 12))
    loss, grad = optimal._final_loss(model, theta, np.diff(bounds))
    assert loss == pytest.approx(final(p, opt, np.repeat(np.exp(theta), np.diff(bounds)), 300), rel=1e-12)
    eps = 1e-6
    fd = [(optimal._final_loss(model, theta + eps * e, np.diff(bounds))[0]
           - optimal._final_loss(model, theta - eps * e, np.diff(bounds))[0]) / (2 * eps) for e in np.eye(12)]  # fmt: skip
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-9 * abs(loss))


def _tuned_library(problem, opt, steps):
    """Every library family tuned over a grid of its parameters for the exact final loss."""
    bound = theory.stability_bound(problem, opt)
    lr0 = bound * np.geomspace(0.05, 4, 8)
    T = steps
    candidates = (
        [S.exponential(r, d, g) for r in lr0 for d in (T / 20, T / 10, T / 5, T / 2) for g in (0.1, 0.5)]
        + [S.inverse_time(r, 1, k) for r in lr0 for k in np.geomspace(1e-3, 10, 9)]
        + [S.inverse_sqrt(r, 1.0, d) for r in lr0 for d in np.geomspace(0.1, T, 9)]
        + [S.polynomial(r, T, 1e-4 * r, p) for r in lr0 for p in (0.5, 1, 2, 4)]
        + [S.cosine(r, T, a) for r in lr0 for a in (0, 0.01, 0.1)]
        + [S.step(r, int(s), g) for r in lr0 for s in (T / 10, T / 5, T / 2) for g in (0.1, 0.5)]
    )
    best = {}
    for sched in candidates:
        with np.errstate(invalid="ignore"):  # theory adds inf and -inf for a wildly diverging candidate
            loss = final(problem, opt, sched, steps)
        if np.isfinite(loss) and loss < best.get(sched.name, (np.inf,))[0]:
            best[sched.name] = (loss, sched)
    return best


@pytest.mark.parametrize("opt, steps", [(SGD, 1000), (MOMENTA[0], 400), (MOMENTA[1], 400)], ids=["SGD", "momentum", "nesterov"])
def test_optimum_ends_below_greedy_the_best_constant_rate_and_every_tuned_library_schedule(opt, steps):
    best = final(P, opt, optimal.optimal_schedule(P, steps, opt), steps)
    assert best <= final(P, opt, optimal.greedy_schedule(P, steps, opt), steps)
    assert best <= final(P, opt, S.constant(theory.best_constant_rate(P, steps, opt)), steps)
    library = _tuned_library(P, opt, steps)
    assert len(library) == 6
    for name, (loss, sched) in library.items():
        assert best <= loss, (name, sched, loss, best)
    for fit in families.fit_families(optimal.optimal_schedule(P, steps, opt), steps):
        assert best <= final(P, opt, fit.schedule, steps), fit.family


def _free_optimum(problem, opt, steps, starts):
    """Every step's own rate, by L-BFGS on the second-moment recursion written out in torch."""
    torch_dtype = torch.float64
    h = torch.tensor(problem.eigenvalues, dtype=torch_dtype)
    v = torch.tensor(problem.noise_variances / problem.batch_size, dtype=torch_dtype)
    x0 = torch.tensor(problem.eigenvectors.T @ (problem.start_point - problem.minimizer), dtype=torch_dtype)
    mu, kappa = opt.momentum, 1 - opt.dampening

    def loss_of(eta):
        if mu == 0:  # s_T = s0 prod f + sum_t eta_t^2 v prod_{u>t} f_u, f = (1 - eta h)^2
            f = (1 - eta[:, None] * h) ** 2
            suffix = torch.cumprod(f.flip(0), 0).flip(0)
            after = torch.cat([suffix[1:], torch.ones(1, 2, dtype=torch_dtype)])
            return 0.5 * (h * (x0**2 * suffix[0] + (eta[:, None] ** 2 * v * after).sum(0))).sum()
        # (xx, xb, bb, 1) -> next, one 4x4 matrix a step and direction, multiplied as a balanced tree
        k = torch.full((steps, 1), kappa, dtype=torch_dtype)
        m = torch.full((steps, 1), mu, dtype=torch_dtype)
        k[0], m[0] = 1.0, 0.0  # torch: the buffer starts at the gradient
        c_g, c_b = ((1 + mu * k), mu * m) if opt.nesterov else (k, m)
        e = eta[:, None]
        a, d, q = 1 - e * c_g * h, -e * c_b, -e * c_g  # x' = a x + d b + q xi
        bx, bw, bn = k * h, m, k  # b' = bx x + bw b + bn xi
        zero, one = torch.zeros_like(a), torch.ones_like(a)
        rows = [
            [a * a, 2 * a * d, d * d, q * q * v],
            [a * bx, a * bw + d * bx, d * bw, q * bn * v],
            [bx * bx, 2 * bx * bw, bw * bw, bn * bn * v],
            [zero, zero, zero, one],
        ]
        maps = torch.stack([torch.stack(torch.broadcast_tensors(*r), -1) for r in rows], -2)  # (steps, 2, 4, 4)
        while maps.shape[0] > 1:
            if maps.shape[0] % 2:
                maps = torch.cat([maps, torch.eye(4, dtype=torch_dtype).expand(1, 2, 4, 4)])
            maps = maps[1::2] @ maps[0::2]  # later @ earlier
        start = torch.stack([x0**2, torch.zeros(2, dtype=torch_dtype), torch.zeros(2, dtype=torch_dtype), torch.ones(2, dtype=torch_dtype)], -1)
        xx = (maps[0] @ start[..., None])[:, 0, 0]
        return 0.5 * (h * xx).sum()

    at_start = loss_of(torch.tensor(starts[0], dtype=torch_dtype)).item()  # the recursion is the theory's
    assert at_start == pytest.approx(final(problem, opt, starts[0], steps), rel=1e-10)

    def objective(theta):
        th = torch.tensor(theta, dtype=torch_dtype, requires_grad=True)
        value = torch.log(loss_of(torch.exp(th)))
        value.backward()
        return value.item(), th.grad.numpy().copy()

    high = np.log(theory.stability_bound(problem, opt) * problem.h[1] / problem.h[0])  # every direction grows above
    bounds = [(np.log(1e-9), high)] * steps
    results = [minimize(objective, np.clip(np.log(r), -20, high), jac=True, method="L-BFGS-B", bounds=bounds,
                        options={"maxiter": 3000, "ftol": 1e-13}) for r in starts]  # fmt: skip
    return min(float(np.exp(r.fun)) for r in results), [r.nit for r in results]


@pytest.mark.parametrize("opt, steps", [(SGD, 400), (MOMENTA[0], 200), (MOMENTA[1], 200)], ids=["SGD", "momentum", "nesterov"])
def test_optimum_is_within_one_percent_of_a_free_optimisation_of_every_rate(opt, steps):
    ours = optimal.optimal_schedule(P, steps, opt)
    starts = [ours(np.arange(steps)), np.full(steps, theory.best_constant_rate(P, steps, opt))]
    free, _ = _free_optimum(P, opt, steps, starts)
    assert final(P, opt, ours, steps) <= 1.01 * free


@pytest.mark.parametrize("opt", [SGD, MOMENTA[0]], ids=repr)
def test_monte_carlo_mean_final_loss_of_the_optimum_is_its_exact_expectation(opt):
    steps = 1000
    best = optimal.optimal_schedule(P, steps, opt)
    res = lrcore.simulate(P, opt, best, steps, runs=4000, seed=11)
    assert not res.diverged.any()
    last = res.loss[:, -1]
    assert abs(last.mean() - final(P, opt, best, steps)) < 5 * last.std(ddof=1) / np.sqrt(len(last))


def test_the_sgd_optimum_exceeds_the_stability_bound_for_a_few_steps_and_stays_finite():
    best = optimal.optimal_schedule(P, 1000)
    rates = best(np.arange(1000))
    facts = optimal.above_bound(P, best, 1000)
    assert facts.bound == 0.2 and facts.exceeds and facts.finite
    np.testing.assert_array_equal(facts.steps, np.flatnonzero(rates >= 0.2))
    np.testing.assert_allclose(facts.ratios, rates[facts.steps] / 0.2)
    assert facts.steps.max() < 10 and facts.ratios.max() > 2  # a handful of early steps, well above it
    assert facts.peak_loss > 100 * facts.start_loss and facts.final_loss < 1e-3 * facts.start_loss
    # the first rates are the flattest direction's own optimum, 1/(h_min (t + 1 + c/(h_min^2 x0^2)))
    np.testing.assert_allclose(rates[:4], 1 / (np.arange(4) + 1 + 1 / 9), rtol=0.01)


@pytest.mark.parametrize("opt", [SGD, *MOMENTA], ids=repr)
def test_the_middle_of_the_optimum_is_time_based_decay_and_its_end_falls_below_it(opt):
    steps = 1000
    ratio = optimal.inverse_time_ratio(P, optimal.optimal_schedule(P, steps, opt), steps, opt)
    assert ratio.middle == (250, 750)
    middle = ratio.ratio[steps // 10 : steps // 2]
    assert np.all(np.abs(middle - 1) < 0.1), middle
    assert 0.9 < ratio.median < 1.1
    assert ratio.ratio[-1] < 0.6  # the last steps anneal faster than 1/t
    assert families.closest_family(optimal.optimal_schedule(P, steps, opt), steps).family == "inverse_time"


def test_improvement_is_one_for_the_optimum_zero_for_the_best_constant_and_between_for_decay():
    steps = 1000
    best = optimal.optimal_schedule(P, steps)
    ours = optimal.improvement(P, steps, best, optimal=best)
    assert ours.share == pytest.approx(1.0)
    const = optimal.improvement(P, steps, S.constant(ours.constant_rate), optimal=best)
    assert const.share == pytest.approx(0.0, abs=1e-9)
    decay = optimal.improvement(P, steps, S.exponential(0.1, 100, 0.5), optimal=best)
    assert 0 < decay.share < 1
    assert decay.constant_loss > decay.final_loss > decay.optimal_loss
    assert "E_{\\text{opt}}" in optimal.improvement.formula().latex


# --------------------------------------------------------------------------- families


@pytest.mark.parametrize(
    "target",
    [S.inverse_time(0.3, 1, 0.05), S.exponential(0.2, 100, 0.3), S.inverse_sqrt(0.5, 1.0, 20.0),
     S.cosine(0.1, 1000, 0.01), S.polynomial(0.1, 1000, 0.001, 2.0), S.step(0.1, 250, 0.5), S.constant(0.05)],
    ids=lambda s: s.name,
)  # fmt: skip
def test_each_family_recovers_itself(target):
    fits = families.fit_families(target, 1000)
    assert fits[0].family == target.name
    assert fits[0].error < 1e-6
    np.testing.assert_allclose(fits[0].schedule(np.arange(1000)), target(np.arange(1000)), rtol=2e-3)
    assert [f.error for f in fits] == sorted(f.error for f in fits)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: optimal.greedy_schedule(LeastSquares(), 10), "problem"),
        (lambda: optimal.optimal_schedule(P, 10, optim.Adam()), "optimizer"),
        (lambda: optimal.optimal_schedule(P, 0), "steps"),
        (lambda: optimal.optimal_schedule(P, 10, pieces=0), "pieces"),
        (lambda: optimal.improvement(P, 10, S.constant(0.1), optimal="best"), "optimal"),
        (lambda: optimal.above_bound(P, np.ones(3), 10), "schedule"),
        (lambda: families.fit_families(-np.ones(10), 10), "target"),
        (lambda: families.fit_families(S.constant(0.1), 10, families=["zigzag"]), "families"),
    ],
)
def test_bad_parameters_are_refused_by_name(call, name):
    with pytest.raises(ParameterError, match=f"^{name} must") as info:
        call()
    assert info.value.param == name
