"""Each torch-mirroring schedule against the real torch scheduler, step by step.

The torch side is driven the way a training loop drives it: ``optimizer.step();
scheduler.step()``, reading ``param_groups[0]["lr"]`` before each update. That is the rate
of update ``t``, which must equal ``schedule(t)`` to within 1e-12 of the peak rate over
1,000 updates (torch's recursive forms drift from any closed form by round-off only).
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch parity tests need torch==2.13.0 (requirements.txt)")
from torch.optim import lr_scheduler as T  # noqa: E402

from lrcore import schedules as S  # noqa: E402

N = 1000


def torch_rates(make, lr, n=N, optimizer=torch.optim.SGD, **opt_kwargs):
    param = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = optimizer([param], lr=lr, **opt_kwargs)
    sched = make(opt)
    rates = []
    for _ in range(n):
        rates.append(opt.param_groups[0]["lr"])
        param.grad = torch.ones_like(param)
        opt.step()
        sched.step()
    return np.array(rates)


def assert_parity(ours, theirs):
    peak = np.max(np.abs(theirs))
    err = np.max(np.abs(ours - theirs))
    assert err <= 1e-12 * peak, f"max error {err:.3e} > 1e-12 x peak {peak:.3e}"


CASES = [
    # (id, our schedule, torch scheduler factory, base lr)
    ("StepLR-halve", S.step(0.1, 30, 0.5), lambda o: T.StepLR(o, 30, 0.5), 0.1),
    ("StepLR-default", S.step(1.0, 7), lambda o: T.StepLR(o, 7), 1.0),
    ("StepLR-1", S.step(0.3, 1, 0.99), lambda o: T.StepLR(o, 1, 0.99), 0.3),
    ("MultiStepLR", S.multi_step(0.1, [100, 300, 301]), lambda o: T.MultiStepLR(o, [100, 300, 301]), 0.1),
    ("MultiStepLR-0.5", S.multi_step(2.0, [1, 999], 0.5), lambda o: T.MultiStepLR(o, [1, 999], 0.5), 2.0),
    ("LinearLR-default", S.linear(0.1), lambda o: T.LinearLR(o), 0.1),
    ("LinearLR-decay", S.linear(0.1, 1.0, 0.0, 800), lambda o: T.LinearLR(o, 1.0, 0.0, 800), 0.1),
    ("LinearLR-warm", S.linear(0.5, 0.01, 1.0, 250), lambda o: T.LinearLR(o, 0.01, 1.0, 250), 0.5),
    ("LinearLR-0", S.linear(0.5, 0.25, 1.0, 0), lambda o: T.LinearLR(o, 0.25, 1.0, 0), 0.5),
    ("CosineAnnealingLR", S.cosine_annealing(0.1, 1000), lambda o: T.CosineAnnealingLR(o, 1000), 0.1),
    ("CosineAnnealingLR-periodic", S.cosine_annealing(0.1, 70, 0.001), lambda o: T.CosineAnnealingLR(o, 70, 0.001), 0.1),
    ("CosineAnnealingLR-short", S.cosine_annealing(1.0, 3), lambda o: T.CosineAnnealingLR(o, 3), 1.0),
    ("WarmRestarts-1", S.cosine_warm_restarts(0.1, 50), lambda o: T.CosineAnnealingWarmRestarts(o, 50), 0.1),
    ("WarmRestarts-2", S.cosine_warm_restarts(0.1, 10, 2, 0.001), lambda o: T.CosineAnnealingWarmRestarts(o, 10, 2, 0.001), 0.1),
    ("WarmRestarts-3", S.cosine_warm_restarts(1.0, 1, 3), lambda o: T.CosineAnnealingWarmRestarts(o, 1, 3), 1.0),
    ("OneCycleLR", S.one_cycle(0.1, N), lambda o: T.OneCycleLR(o, 0.1, N), 0.1),
    ("OneCycleLR-linear", S.one_cycle(1.0, N, 0.25, "linear", 10.0, 100.0),
     lambda o: T.OneCycleLR(o, 1.0, N, pct_start=0.25, anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0), 1.0),
    ("OneCycleLR-3phase", S.one_cycle(0.5, N, 0.3, three_phase=True),
     lambda o: T.OneCycleLR(o, 0.5, N, pct_start=0.3, three_phase=True), 0.5),
    ("OneCycleLR-odd", S.one_cycle(0.5, N, 0.123), lambda o: T.OneCycleLR(o, 0.5, N, pct_start=0.123), 0.5),
    ("CyclicLR", S.cyclic(0.001, 0.1, 100), lambda o: T.CyclicLR(o, 0.001, 0.1, 100, cycle_momentum=False), 0.1),
    ("CyclicLR-asym", S.cyclic(0.01, 0.1, 30, 70), lambda o: T.CyclicLR(o, 0.01, 0.1, 30, 70, cycle_momentum=False), 0.1),
    ("CyclicLR-tri2", S.cyclic(0.01, 0.1, 50, mode="triangular2"),
     lambda o: T.CyclicLR(o, 0.01, 0.1, 50, mode="triangular2", cycle_momentum=False), 0.1),
    ("CyclicLR-exp", S.cyclic(0.01, 0.1, 50, mode="exp_range", gamma=0.998),
     lambda o: T.CyclicLR(o, 0.01, 0.1, 50, mode="exp_range", gamma=0.998, cycle_momentum=False), 0.1),
]  # fmt: skip


@pytest.mark.parametrize("ours, make, lr", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_schedule_equals_torch_scheduler_every_step(ours, make, lr):
    assert_parity(ours(np.arange(N)), torch_rates(make, lr))


def test_one_cycle_holds_its_final_value_where_torch_extrapolates_then_raises():
    total = 100
    ours = S.one_cycle(0.1, total)
    theirs = torch_rates(lambda o: T.OneCycleLR(o, 0.1, total), 0.1, n=total)
    assert_parity(ours(np.arange(total)), theirs)
    assert np.all(ours(np.arange(total - 1, 10 * total)) == ours(total - 1))
    with pytest.raises(ValueError, match="Tried to step"):
        torch_rates(lambda o: T.OneCycleLR(o, 0.1, total), 0.1, n=total + 2)


def test_one_cycle_peak_is_torchs_not_optaxs():
    # torch's rise ends at float(0.3 * 100) - 1 = 29.000000000000004: step 29 is the top
    # of the rise; optax's cosine_onecycle_schedule peaks at int(0.3 * 100) = 30.
    rates = S.one_cycle(1.0, 100)(np.arange(100))
    assert int(np.argmax(rates)) == 29


def test_cosine_annealing_rises_again_where_keras_cosine_holds():
    t = np.arange(0, 2001, 250)
    torch_like = S.cosine_annealing(0.1, 1000)(t)
    keras_like = S.cosine(0.1, 1000)(t)
    assert torch_like[-1] == pytest.approx(0.1) and keras_like[-1] == 0.0
    np.testing.assert_allclose(torch_like[:5], keras_like[:5], atol=1e-17)
