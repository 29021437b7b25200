"""reduce_on_plateau: torch's and Keras' conventions, and many runs at once."""

import math

import numpy as np
import pytest

from lrcore._checks import ParameterError
from lrcore.schedules import reduce_on_plateau


def metric_stream(seed, n=120):
    """A loss that improves, stalls, wobbles and improves again: every branch gets used."""
    rng = np.random.default_rng(seed)
    trend = np.concatenate([np.linspace(1.0, 0.5, n // 3), np.full(n // 3, 0.5), np.linspace(0.5, 0.2, n - 2 * (n // 3))])
    return trend * (1 + 0.02 * rng.standard_normal(n)) + np.where(rng.random(n) < 0.1, 1e-5, 0.0)


TORCH_CASES = [
    dict(),
    dict(patience=2, factor=0.5),
    dict(patience=0, factor=0.5, cooldown=3),
    dict(patience=3, threshold=0.01, threshold_mode="abs", min_lr=0.01),
    dict(patience=1, factor=0.9, eps=0.05),
    dict(mode="max", patience=2, factor=0.3, cooldown=1),
    dict(mode="max", threshold_mode="abs", threshold=0.001, patience=4),
]


@pytest.mark.parametrize("kwargs", TORCH_CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_torch_convention_equals_torch_reduce_lr_on_plateau(kwargs, seed):
    torch = pytest.importorskip("torch", reason="needs torch==2.13.0")
    metrics = metric_stream(seed)
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=0.1)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    ours = reduce_on_plateau(0.1, **kwargs)
    for m in metrics:
        theirs.step(float(m))
        assert ours.step(m) == opt.param_groups[0]["lr"]


class KerasReference:
    """keras.callbacks.ReduceLROnPlateau.on_epoch_end (Keras 3), transcribed line by line."""

    def __init__(self, lr, factor=0.1, patience=10, min_delta=1e-4, cooldown=0, min_lr=0.0, mode="min"):
        self.lr, self.factor, self.patience, self.min_lr = lr, factor, patience, min_lr
        self.min_delta, self.cooldown = min_delta, cooldown
        self.monitor_op = (lambda a, b: a < b - min_delta) if mode == "min" else (lambda a, b: a > b + min_delta)
        self.best = math.inf if mode == "min" else -math.inf
        self.cooldown_counter = self.wait = 0

    def on_epoch_end(self, current):
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.cooldown_counter > 0:
            self.wait += 1
            if self.wait >= self.patience:
                if self.lr > np.float32(self.min_lr):
                    self.lr = max(self.lr * self.factor, self.min_lr)
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
        return self.lr


KERAS_CASES = [
    dict(),
    dict(patience=2, factor=0.5),
    dict(patience=0, factor=0.5, cooldown=2),
    dict(patience=3, min_delta=0.01, min_lr=0.01, cooldown=1),
    dict(patience=2, mode="max", factor=0.2),
]


@pytest.mark.parametrize("kwargs", KERAS_CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_keras_convention_equals_keras_callback(kwargs, seed):
    ref = KerasReference(0.1, **kwargs)
    ours_kwargs = {("threshold" if k == "min_delta" else k): v for k, v in kwargs.items()}
    ours = reduce_on_plateau(0.1, convention="keras", **ours_kwargs)
    for m in metric_stream(seed):
        assert ours.step(m) == ref.on_epoch_end(m)


def test_conventions_differ_by_one_epoch_of_patience():
    # A flat loss, patience=2: Keras cuts after 2 epochs without improvement, torch after 3.
    flat = [1.0] * 6
    keras = reduce_on_plateau(1.0, factor=0.5, patience=2, convention="keras")
    torch_like = reduce_on_plateau(1.0, factor=0.5, patience=2, convention="torch")
    assert [keras.step(m) for m in flat] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    assert [torch_like.step(m) for m in flat] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5]


def test_keras_convention_stops_at_min_lr_as_float32_does():
    # 0.1 * 0.1 = 0.010000000000000002 is float32(0.01): Keras sees the floor reached.
    sched = reduce_on_plateau(0.1, patience=0, factor=0.1, min_lr=0.01, convention="keras")
    rates = [sched.step(1.0) for _ in range(5)]
    assert rates[1:] == [0.010000000000000002] * 4


def test_threshold_modes_are_each_conventions_own_by_default():
    assert reduce_on_plateau(0.1).threshold_mode == "rel"
    assert reduce_on_plateau(0.1, convention="keras").threshold_mode == "abs"
    assert reduce_on_plateau(0.1, convention="keras", threshold_mode="rel").threshold_mode == "rel"


@pytest.mark.parametrize("convention", ["torch", "keras"])
def test_many_runs_at_once_equal_one_object_per_run(convention):
    runs = np.stack([metric_stream(seed) for seed in range(5)], axis=1)  # (epochs, runs)
    together = reduce_on_plateau(0.1, patience=2, factor=0.5, cooldown=1, convention=convention)
    alone = [reduce_on_plateau(0.1, patience=2, factor=0.5, cooldown=1, convention=convention) for _ in range(5)]
    for row in runs:
        np.testing.assert_array_equal(together.step(row), [a.step(m) for a, m in zip(alone, row)])


def test_fresh_copy_and_reset_forget_history():
    sched = reduce_on_plateau(1.0, patience=0, factor=0.5)
    sched.step(1.0), sched.step(1.0)
    assert sched.current_lr == 0.5
    assert sched.fresh().current_lr == 1.0
    sched.reset()
    assert sched.current_lr == 1.0 and sched.num_bad_epochs == 0


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(factor=1.0), "factor"),
        (dict(factor=0.0), "factor"),
        (dict(patience=-1), "patience"),
        (dict(mode="auto"), "mode"),
        (dict(convention="jax"), "convention"),
        (dict(threshold_mode="relative"), "threshold_mode"),
        (dict(min_lr=-1.0), "min_lr"),
    ],
)
def test_bad_parameters_name_themselves(kwargs, name):
    with pytest.raises(ParameterError, match=f"^{name} must") as err:
        reduce_on_plateau(0.1, **kwargs)
    assert err.value.param == name


def test_latex_names_the_rule():
    assert r"> 10 \text{ bad epochs}" in reduce_on_plateau(0.1).latex  # torch: more than patience
    assert r"\ge 10 \text{ bad epochs}" in reduce_on_plateau(0.1, convention="keras").latex
    assert r"m^\ast - 0.0001" in reduce_on_plateau(0.1, convention="keras").latex
