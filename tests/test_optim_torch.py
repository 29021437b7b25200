"""Every optimizer against torch.optim, fed the same gradients, under a real schedule.

Both sides start at the same point; at each step the noisy-quadratic gradient is computed
at each side's own current point with the same noise draw, and torch's learning rate is
set from the same schedule. Trajectories must agree to relative 1e-10 over 200 steps.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch parity tests need torch==2.13.0 (requirements.txt)")

from lrcore import optim  # noqa: E402
from lrcore import schedules as S  # noqa: E402

STEPS = 200
H = np.array([[2.0, 0.6], [0.6, 1.0]])
W_STAR = np.array([0.5, -1.0])


def run_both(ours, theirs_cls, theirs_kwargs, schedule, runs=3, seed=0):
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((STEPS, runs, 2))
    start = rng.standard_normal((runs, 2)) * 2
    lr = schedule(np.arange(STEPS))

    w = start.copy()
    state = ours.init(w)
    ours_path = [w.copy()]
    for t in range(STEPS):
        g = (w - W_STAR) @ H + noise[t]
        w = ours.update(state, w, g, lr[t], t)
        ours_path.append(w.copy())

    param = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = theirs_cls([param], lr=float(lr[0]), foreach=False, **theirs_kwargs)
    H_t, w_star_t = torch.tensor(H), torch.tensor(W_STAR)
    theirs_path = [start.copy()]
    for t in range(STEPS):
        for group in opt.param_groups:
            group["lr"] = float(lr[t])
        with torch.no_grad():
            param.grad = (param - w_star_t) @ H_t + torch.tensor(noise[t])
        opt.step()
        theirs_path.append(param.detach().numpy().copy())
    return np.array(ours_path), np.array(theirs_path)


SCHEDULE = S.warmup(S.cosine(0.05, 150, alpha=0.1), 20)

CASES = [
    (optim.SGD(), torch.optim.SGD, {}),
    (optim.SGD(momentum=0.9), torch.optim.SGD, dict(momentum=0.9)),
    (optim.SGD(momentum=0.9, nesterov=True), torch.optim.SGD, dict(momentum=0.9, nesterov=True)),
    (optim.SGD(momentum=0.8, dampening=0.3, weight_decay=0.05), torch.optim.SGD, dict(momentum=0.8, dampening=0.3, weight_decay=0.05)),
    (optim.Adagrad(), torch.optim.Adagrad, {}),
    (optim.Adagrad(lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6), torch.optim.Adagrad,
     dict(lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    (optim.RMSprop(), torch.optim.RMSprop, {}),
    (optim.RMSprop(alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01), torch.optim.RMSprop,
     dict(alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01)),
    (optim.RMSprop(alpha=0.3), torch.optim.RMSprop, dict(alpha=0.3)),  # lerp's other branch (centered)
    (optim.Adam(), torch.optim.Adam, {}),
    (optim.Adam(betas=(0.3, 0.9), weight_decay=0.1, amsgrad=True), torch.optim.Adam,
     dict(betas=(0.3, 0.9), weight_decay=0.1, amsgrad=True)),
    (optim.AdamW(), torch.optim.AdamW, {}),
    (optim.AdamW(betas=(0.8, 0.99), weight_decay=0.5, amsgrad=True), torch.optim.AdamW,
     dict(betas=(0.8, 0.99), weight_decay=0.5, amsgrad=True)),
]  # fmt: skip


@pytest.mark.parametrize("ours, theirs, kwargs", CASES, ids=[repr(c[0]) for c in CASES])
def test_trajectory_equals_torch_optim(ours, theirs, kwargs):
    a, b = run_both(ours, theirs, kwargs, SCHEDULE)
    scale = np.maximum(np.abs(b), 1e-3)  # relative, guarded near zero crossings
    assert np.max(np.abs(a - b) / scale) <= 1e-10
    assert np.max(np.abs(a[-1] - a[0])) > 1e-2  # it really moved


def test_centered_rmsprop_with_small_alpha_uses_torch_lerp_other_branch():
    a, b = run_both(optim.RMSprop(alpha=0.3, centered=True), torch.optim.RMSprop, dict(alpha=0.3, centered=True), SCHEDULE)
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (torch.optim.SGD, {}),
        (torch.optim.Adagrad, {}),
        (torch.optim.RMSprop, {}),
        (torch.optim.Adam, {}),
        (torch.optim.AdamW, {}),
    ],
)
def test_defaults_are_torchs(cls, kwargs):
    ours = optim.CLASSES[cls.__name__]()
    theirs = cls([torch.zeros(1, requires_grad=True)], lr=0.1).defaults
    for name, value in ours.params.items():
        expected = theirs[name]
        assert (tuple(expected) if isinstance(expected, tuple) else expected) == value, name


def test_lr_may_differ_per_run():
    w = np.ones((3, 2))
    g = np.ones((3, 2))
    new = optim.SGD().update({}, w, g, np.array([[0.1], [0.2], [0.3]]), 0)
    np.testing.assert_allclose(new[:, 0], [0.9, 0.8, 0.7])


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: optim.SGD(momentum=-0.1), "momentum"),
        (lambda: optim.SGD(nesterov=True), "nesterov"),
        (lambda: optim.SGD(momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
        (lambda: optim.Adam(betas=(1.0, 0.999)), r"betas\[0\]"),
        (lambda: optim.Adam(betas=(0.9,)), "betas"),
        (lambda: optim.RMSprop(alpha=1.5), "alpha"),
        (lambda: optim.Adagrad(eps=-1), "eps"),
    ],
)
def test_bad_hyper_parameters_name_themselves(make, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        make()


def test_full_dampening_is_refused_since_no_gradient_would_reach_the_buffer():
    with pytest.raises(ValueError, match="^dampening must be < 1 when momentum > 0"):
        optim.SGD(momentum=0.9, dampening=1.0)
