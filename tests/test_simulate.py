"""The simulator: shapes, common random numbers, divergence, feedback, finite data."""

import math

import numpy as np
import pytest

import lrcore
from lrcore import optim
from lrcore import schedules as S
from lrcore.problems import LeastSquares, NoisyQuadratic

P = NoisyQuadratic()


def test_result_has_the_documented_shapes():
    res = lrcore.simulate(P, optim.SGD(), S.constant(0.05), steps=50, runs=7, seed=3)
    assert res.w.shape == (7, 51, 2)
    assert res.loss.shape == (7, 51)
    assert res.lr.shape == (50,)
    assert res.diverged_at.shape == (7,) and np.all(res.diverged_at == -1)
    np.testing.assert_array_equal(res.w[:, 0], np.broadcast_to(P.start, (7, 2)))
    np.testing.assert_allclose(res.loss, P.loss(res.w), rtol=1e-12)
    np.testing.assert_array_equal(res.steps, np.arange(51))


def test_one_update_is_the_sgd_formula_with_the_documented_noise():
    runs, lr = 5, 0.05
    p = NoisyQuadratic(angle=30, minimum=(1, -2), sigma=2.0, batch_size=4)
    z = np.random.default_rng(1).standard_normal((runs, 1, 2))
    res = lrcore.simulate(p, optim.SGD(), S.constant(lr), 1, runs, noise=z)
    grad = p.hessian @ (p.start_point - p.minimizer) + 2.0 / math.sqrt(4) * z[:, 0]
    np.testing.assert_allclose(res.w[:, 1], p.start_point - lr * grad, rtol=1e-14)


def test_seed_equals_its_documented_noise_draw():
    steps, runs = 40, 6
    draw = np.random.default_rng(11).standard_normal((steps, 2, runs)).transpose(2, 0, 1)
    by_seed = lrcore.simulate(P, optim.Adam(), S.cosine(0.1, 40), steps, runs, seed=11)
    by_noise = lrcore.simulate(P, optim.Adam(), S.cosine(0.1, 40), steps, runs, noise=draw)
    np.testing.assert_array_equal(by_seed.w, by_noise.w)


def test_noise_of_a_step_does_not_depend_on_how_many_steps_run():
    short = lrcore.simulate(P, optim.SGD(), S.constant(0.05), 100, 4, seed=2)
    long = lrcore.simulate(P, optim.SGD(), S.constant(0.05), 1500, 4, seed=2)  # crosses noise chunks
    np.testing.assert_array_equal(short.w, long.w[:, :101])


def test_common_random_numbers_across_schedules_and_optimizers():
    # Same seed, same noise: equal first rates give the same first step whatever comes after,
    # and SGD with momentum takes the same first step as plain SGD (torch's buffer starts at g).
    a = lrcore.simulate(P, optim.SGD(), S.constant(0.05), 30, 8, seed=5)
    b = lrcore.simulate(P, optim.SGD(), S.exponential(0.05, 5, 0.5), 30, 8, seed=5)
    c = lrcore.simulate(P, optim.SGD(momentum=0.9), S.constant(0.05), 30, 8, seed=5)
    np.testing.assert_array_equal(a.w[:, 1], b.w[:, 1])
    np.testing.assert_array_equal(a.w[:, 1], c.w[:, 1])
    assert not np.allclose(a.w[:, 5], b.w[:, 5])


def test_simulate_many_equals_separate_runs_on_the_same_seed():
    schedules = [S.constant(0.05), S.inverse_time(0.05, 10, 1.0), S.reduce_on_plateau(0.05, patience=1)]
    together = lrcore.simulate_many(P, optim.RMSprop(), schedules, 120, 16, seed=9, steps_per_epoch=10)
    for sched, res in zip(schedules, together):
        alone = lrcore.simulate(P, optim.RMSprop(), sched, 120, 16, seed=9, steps_per_epoch=10)
        np.testing.assert_allclose(res.w, alone.w, rtol=1e-15, atol=1e-15)
        np.testing.assert_array_equal(res.lr, alone.lr)


def test_curvature_noise_has_covariance_sigma2_h_over_b():
    runs, lr = 200_000, 0.1
    p = NoisyQuadratic(h=(1.0, 9.0), angle=25, start=(0.0, 0.0), sigma=1.5, batch_size=3, noise="curvature")
    res = lrcore.simulate(p, optim.SGD(), S.constant(lr), 1, runs, seed=0)
    cov = np.cov(res.w[:, 1].T)
    np.testing.assert_allclose(cov, lr**2 * 1.5**2 * p.hessian / 3, rtol=0.02, atol=2e-5)


# --------------------------------------------------------------------------- divergence


def test_a_rate_above_the_stability_bound_diverges_and_is_frozen_without_warnings():
    res = lrcore.simulate(P, optim.SGD(), S.constant(0.25), 300, 5, seed=0)  # bound is 0.2
    assert np.all(res.diverged)
    k = res.diverged_at
    bound = 1e6 * P.loss(P.start_point)
    for r in range(5):
        assert res.loss[r, k[r] - 1] <= bound  # still inside the bound one step before
        assert np.all(np.isinf(res.loss[r, k[r] :]))
        np.testing.assert_array_equal(res.w[r, k[r] :], np.broadcast_to(res.w[r, k[r]], res.w[r, k[r] :].shape))
    assert np.all(np.isfinite(res.w))
    assert res.first_divergence == k.min()


def test_an_enormous_rate_that_overflows_in_one_step_is_caught():
    res = lrcore.simulate(P, optim.SGD(), S.constant(1e300), 10, 3, seed=0)
    assert np.all(res.diverged_at == 1)
    assert np.all(np.isfinite(res.w))  # frozen at the last finite point


def test_only_the_runs_that_diverge_are_marked():
    # Runs 3 and 7 get an enormous noise kick at update 5; the others carry on untouched.
    z = np.random.default_rng(1).standard_normal((10, 100, 2))
    z[[3, 7], 5] = 1e8
    res = lrcore.simulate(P, optim.SGD(), S.constant(0.1), 100, 10, noise=z)
    np.testing.assert_array_equal(np.flatnonzero(res.diverged), [3, 7])
    np.testing.assert_array_equal(res.diverged_at[[3, 7]], [6, 6])
    calm = lrcore.simulate(P, optim.SGD(), S.constant(0.1), 100, 10, noise=np.where(z > 1e7, 0.0, z))
    alive = ~res.diverged
    np.testing.assert_array_equal(res.w[alive], calm.w[alive])
    assert np.all(np.isfinite(res.loss[alive]))
    np.testing.assert_allclose(res.loss[alive], P.loss(res.w[alive]), rtol=1e-12)


def test_record_every_keeps_every_kth_step_and_the_exact_divergence_step():
    full = lrcore.simulate(P, optim.SGD(), S.constant(0.21), 997, 4, seed=4)
    thin = lrcore.simulate(P, optim.SGD(), S.constant(0.21), 997, 4, seed=4, record_every=10)
    np.testing.assert_array_equal(thin.steps, np.append(np.arange(0, 997, 10), 997))
    np.testing.assert_array_equal(thin.w, full.w[:, thin.steps])
    np.testing.assert_array_equal(thin.diverged_at, full.diverged_at)


# --------------------------------------------------------------------------- feedback


def test_reduce_on_plateau_runs_in_closed_loop_once_per_epoch_on_each_runs_loss():
    spe, steps, runs = 20, 600, 6
    sched = S.reduce_on_plateau(0.15, factor=0.5, patience=2)
    res = lrcore.simulate(P, optim.SGD(), sched, steps, runs, seed=3, steps_per_epoch=spe)
    assert res.lr.shape == (runs, steps)
    # Constant within an epoch, never increasing, and each run its own.
    epochs = res.lr.reshape(runs, steps // spe, spe)
    assert np.all(epochs == epochs[:, :, :1])
    assert np.all(np.diff(res.lr, axis=1) <= 0)
    assert len({tuple(row) for row in res.lr}) > 1
    # Replaying each run's epoch-end losses through a fresh object gives the same rates.
    for r in range(runs):
        replay = sched.fresh()
        rates = [0.15] + [replay.step(res.loss[r, (e + 1) * spe]) for e in range(steps // spe - 1)]
        np.testing.assert_array_equal(epochs[r, :, 0], rates)
    assert sched.current_lr == 0.15  # the caller's object is untouched


# --------------------------------------------------------------------------- finite data


@pytest.mark.parametrize("n, b, drop_last, spe", [(1200, 100, False, 12), (1250, 100, False, 13), (1250, 100, True, 12)])
def test_least_squares_epochs_use_every_example_once(n, b, drop_last, spe):
    ls = LeastSquares(n_examples=n, batch_size=b, drop_last=drop_last)
    assert ls.steps_per_epoch == spe == lrcore.steps_per_epoch(n, b, drop_last)
    batches = list(ls.batches(runs=3, epochs=2, seed=0))
    assert len(batches) == 2 * spe
    for epoch in range(2):
        seen = np.concatenate(batches[epoch * spe : (epoch + 1) * spe], axis=1)  # (runs, examples)
        for row in seen:
            assert len(row) == len(set(row))  # without replacement
            assert len(row) == (n // b) * b if drop_last else len(row) == n
    assert not np.array_equal(batches[0], batches[spe])  # reshuffled each epoch


def test_least_squares_simulation_takes_exactly_those_minibatch_steps():
    ls = LeastSquares(n_examples=250, batch_size=40, angle=20, minimum=(1.0, 0.5))
    lr, steps = 0.1, 20  # 7 steps per epoch, the last batch holds 10 examples
    res = lrcore.simulate(ls, optim.SGD(), S.constant(lr), steps, runs=2, seed=8)
    w = np.broadcast_to(ls.start_point, (2, 2)).copy()
    for t, idx in enumerate(ls.batches(runs=2, epochs=3, seed=8)):
        if t == steps:
            break
        Xb, yb = ls.X[idx], ls.y[idx]
        residual = np.einsum("rmi,ri->rm", Xb, w) - yb
        w = w - lr * (2 / idx.shape[1]) * np.einsum("rmi,rm->ri", Xb, residual)
        np.testing.assert_allclose(res.w[:, t + 1], w, rtol=1e-12)


def test_least_squares_loss_is_the_full_data_mse_minimised_by_least_squares():
    ls = LeastSquares(n_examples=300, h=(2.0, 5.0), angle=40, minimum=(1.0, -1.0), label_noise=0.7)
    pts = np.random.default_rng(0).standard_normal((50, 2)) * 3
    np.testing.assert_allclose(ls.loss(pts), ls.full_loss(pts), rtol=1e-12)
    w_ls = np.linalg.lstsq(ls.X, ls.y, rcond=None)[0]
    np.testing.assert_allclose(ls.minimizer, w_ls, rtol=1e-10)
    assert not np.allclose(ls.minimizer, ls.minimum)  # noisy labels move the minimum
    np.testing.assert_allclose(2 * ls.X.T @ ls.X / 300, ls.hessian, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.linalg.eigvalsh(ls.hessian), [2.0, 5.0], rtol=1e-12)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: NoisyQuadratic(h=(0.0, 1.0)), r"h\[0\]"),
        (lambda: NoisyQuadratic(h=(1.0, -2.0)), r"h\[1\]"),
        (lambda: NoisyQuadratic(batch_size=0), "batch_size"),
        (lambda: NoisyQuadratic(noise="pink"), "noise"),
        (lambda: NoisyQuadratic(sigma=-1), "sigma"),
        (lambda: NoisyQuadratic(start=(1.0,)), "start"),
        (lambda: NoisyQuadratic.from_condition(0.5), "condition_number"),
        (lambda: LeastSquares(batch_size=0), "batch_size"),
        (lambda: LeastSquares(h=(1.0, 0.0)), r"h\[1\]"),
        (lambda: lrcore.simulate(P, optim.SGD(), S.constant(0.1), steps=0), "steps"),
        (lambda: lrcore.simulate(P, optim.SGD(), S.constant(0.1), steps=10, runs=0), "runs"),
        (lambda: lrcore.simulate(P, optim.SGD(), S.constant(0.1), 10, 2, noise=np.zeros((2, 9, 2))), "noise"),
        (lambda: lrcore.simulate(LeastSquares(), optim.SGD(), S.constant(0.1), 10, 2, noise=np.zeros((2, 10, 2))), "noise"),
        (lambda: lrcore.simulate(P, "sgd", S.constant(0.1), 10), "optimizer"),
        (lambda: lrcore.simulate(P, optim.SGD(), lambda t: 0.1, 10), r"schedules\[0\]"),
        (lambda: lrcore.simulate(P, optim.SGD(), S.constant(0.1), 10**6, 10**3), "record_every"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter(make, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        make()


def test_least_squares_accepts_integral_floats_for_counts():
    ls = LeastSquares(n_examples=1200.0, batch_size=100.0)
    assert ls.n_examples == 1200 and isinstance(ls.batch_size, int)
    assert lrcore.simulate(ls, optim.SGD(), S.constant(0.01), 20).loss.shape == (1, 21)


def test_an_optimizer_spec_refuses_unknown_hyper_parameters_by_name():
    from lrcore.optim import OptimizerSpec

    with pytest.raises(ValueError, match="^lr is not a hyper-parameter of Adam") as err:
        OptimizerSpec("Adam", (("lr", 0.1),))
    assert err.value.param == "lr" and "betas" in err.value.choices
    with pytest.raises(ValueError, match="^optimizer must be one of SGD, momentum") as err:
        OptimizerSpec("SGDX")
    assert err.value.param == "optimizer"
    assert OptimizerSpec("ADAM").token == "Adam"  # tokens are case-insensitive
