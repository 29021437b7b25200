"""Optimizers as torch computes them, vectorised over any leading axes (runs, schedules).

Each optimizer is a frozen dataclass of torch's hyper-parameters, named and defaulted as
in ``torch.optim``; the learning rate is not among them, because it always comes from a
schedule. ``init(params)`` makes the state, ``update(state, params, grad, lr, t)`` returns
the new parameters (into ``out`` when given, as NumPy ufuncs do) and updates the state in
place. ``t`` counts updates from 0 and ``lr`` may be a scalar or an array broadcasting
against ``params`` (one rate per run).

Every line repeats torch's single-tensor arithmetic in the same order (``torch.lerp``'s
two-sided formula included), so a trajectory fed the same gradients agrees with
``torch.optim`` to float64 round-off. (Torch's ``p.add_(g, alpha=-lr)`` is written
``p - lr * g``: negation is exact, so the two are the same float.) The strategies note's adaptive optimizers are
:class:`SGD` with ``momentum`` (TensorFlow's ``MomentumOptimizer``), :class:`Adagrad`,
:class:`RMSprop` and :class:`Adam`; TensorFlow's defaults differ from torch's (for example
RMSprop's decay 0.9 vs ``alpha=0.99``), and these follow torch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_

__all__ = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Optimizer", "CLASSES", "PRESETS", "OptimizerSpec"]

State = dict[str, np.ndarray]


def _lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """torch.lerp: two formulas, chosen by the weight, for accuracy at both ends."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


class Optimizer:
    """Shared behaviour: a readable name and the hyper-parameters as a dict."""

    name = "optimizer"
    mirrors = ""

    @property
    def params(self) -> dict[str, Any]:
        return asdict(self)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"


@dataclass(frozen=True, repr=False)
class SGD(Optimizer):
    """Minibatch SGD; with ``momentum`` the heavy ball, with ``nesterov`` Nesterov's variant."""

    momentum: float = 0.0
    dampening: float = 0.0
    weight_decay: float = 0.0
    nesterov: bool = False

    name = "SGD"
    mirrors = "torch.optim.SGD"

    def __post_init__(self):
        check.in_range("momentum", self.momentum, 0.0, 1.0, high_open=True)
        check.in_range("dampening", self.dampening, 0.0, 1.0)
        check.in_range("weight_decay", self.weight_decay, 0.0)
        if self.momentum > 0 and self.dampening >= 1:
            # torch accepts it, but then no gradient enters the buffer after the first step:
            # the run neither converges nor diverges, and the theory has no stability bound.
            raise check.fail(
                "dampening", check.N_("{name} must be < 1 when momentum > 0; got {value}"), value=self.dampening, high=1.0
            )
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise check.fail(
                "nesterov",
                check.N_("{name} must be False unless momentum > 0 and dampening == 0 (as torch); got momentum={momentum}, dampening={dampening}"),
                value=self.nesterov, momentum=self.momentum, dampening=self.dampening,
            )

    def init(self, params: np.ndarray) -> State:
        return {"momentum_buffer": np.zeros_like(params)} if self.momentum else {}

    def update(
        self, state: State, params: np.ndarray, grad: np.ndarray, lr: Any, t: int, out: np.ndarray | None = None
    ) -> np.ndarray:
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * params
        if self.momentum != 0:
            buf = state["momentum_buffer"]
            if t == 0:
                buf[...] = grad
            else:
                buf *= self.momentum
                buf += (1 - self.dampening) * grad
            grad = grad + self.momentum * buf if self.nesterov else buf
        return np.subtract(params, lr * grad, out=out)


@dataclass(frozen=True, repr=False)
class Adagrad(Optimizer):
    lr_decay: float = 0.0
    weight_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    eps: float = 1e-10

    name = "Adagrad"
    mirrors = "torch.optim.Adagrad"

    def __post_init__(self):
        check.in_range("lr_decay", self.lr_decay, 0.0)
        check.in_range("weight_decay", self.weight_decay, 0.0)
        check.in_range("initial_accumulator_value", self.initial_accumulator_value, 0.0)
        check.in_range("eps", self.eps, 0.0)

    def init(self, params: np.ndarray) -> State:
        return {"sum": np.full_like(params, self.initial_accumulator_value)}

    def update(
        self, state: State, params: np.ndarray, grad: np.ndarray, lr: Any, t: int, out: np.ndarray | None = None
    ) -> np.ndarray:
        step = t + 1
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * params
        clr = lr / (1 + (step - 1) * self.lr_decay)
        state["sum"] += 1 * grad * grad
        std = np.sqrt(state["sum"]) + self.eps
        return np.subtract(params, clr * (grad / std), out=out)


@dataclass(frozen=True, repr=False)
class RMSprop(Optimizer):
    alpha: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum: float = 0.0
    centered: bool = False

    name = "RMSprop"
    mirrors = "torch.optim.RMSprop"

    def __post_init__(self):
        check.in_range("alpha", self.alpha, 0.0, 1.0)
        check.in_range("eps", self.eps, 0.0)
        check.in_range("weight_decay", self.weight_decay, 0.0)
        check.in_range("momentum", self.momentum, 0.0, 1.0, high_open=True)

    def init(self, params: np.ndarray) -> State:
        state = {"square_avg": np.zeros_like(params)}
        if self.momentum > 0:
            state["momentum_buffer"] = np.zeros_like(params)
        if self.centered:
            state["grad_avg"] = np.zeros_like(params)
        return state

    def update(
        self, state: State, params: np.ndarray, grad: np.ndarray, lr: Any, t: int, out: np.ndarray | None = None
    ) -> np.ndarray:
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * params
        square_avg = state["square_avg"]
        square_avg *= self.alpha
        square_avg += (1 - self.alpha) * grad * grad
        if self.centered:
            state["grad_avg"][...] = _lerp(state["grad_avg"], grad, 1 - self.alpha)
            avg = np.sqrt(square_avg + (-1) * state["grad_avg"] * state["grad_avg"])
        else:
            avg = np.sqrt(square_avg)
        avg = avg + self.eps
        if self.momentum > 0:
            buf = state["momentum_buffer"]
            buf *= self.momentum
            buf += grad / avg
            return np.subtract(params, lr * buf, out=out)
        return np.subtract(params, lr * (grad / avg), out=out)


@dataclass(frozen=True, repr=False)
class Adam(Optimizer):
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False

    name = "Adam"
    mirrors = "torch.optim.Adam"
    decoupled_weight_decay = False

    def __post_init__(self):
        if not isinstance(self.betas, (tuple, list)) or len(self.betas) != 2:
            raise check.fail("betas", check.N_("{name} must be a pair (beta1, beta2); got {value!r}"), code="sequence", value=self.betas)
        check.in_range("betas[0]", self.betas[0], 0.0, 1.0, high_open=True)
        check.in_range("betas[1]", self.betas[1], 0.0, 1.0, high_open=True)
        object.__setattr__(self, "betas", (float(self.betas[0]), float(self.betas[1])))
        check.in_range("eps", self.eps, 0.0)
        check.in_range("weight_decay", self.weight_decay, 0.0)

    def init(self, params: np.ndarray) -> State:
        state = {"exp_avg": np.zeros_like(params), "exp_avg_sq": np.zeros_like(params)}
        if self.amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(params)
        return state

    def update(
        self, state: State, params: np.ndarray, grad: np.ndarray, lr: Any, t: int, out: np.ndarray | None = None
    ) -> np.ndarray:
        beta1, beta2 = self.betas
        step = t + 1
        if self.weight_decay != 0:
            if self.decoupled_weight_decay:
                params = params * (1 - lr * self.weight_decay)
            else:
                grad = grad + self.weight_decay * params
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg[...] = _lerp(exp_avg, grad, 1 - beta1)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        if self.amsgrad:
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            denom = np.sqrt(state["max_exp_avg_sq"]) / bias_correction2_sqrt + self.eps
        else:
            denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + self.eps
        return np.subtract(params, step_size * (exp_avg / denom), out=out)


@dataclass(frozen=True, repr=False)
class AdamW(Adam):
    """Adam with decoupled weight decay: ``params *= 1 - lr * weight_decay`` before the step."""

    weight_decay: float = 0.01

    name = "AdamW"
    mirrors = "torch.optim.AdamW"
    decoupled_weight_decay = True


CLASSES: dict[str, type[Optimizer]] = {cls.name: cls for cls in (SGD, Adagrad, RMSprop, Adam, AdamW)}


@dataclass(frozen=True)
class Preset:
    """An optimizer as a student meets it: a name, torch's class and its usual settings."""

    token: str  # the URL-safe name, e.g. "momentum"
    name: str  # how it is written on screen, e.g. "Momentum" (English source: the UI translates it)
    cls: type[Optimizer]
    settings: tuple[tuple[str, Any], ...] = ()


# The strategies note's optimizers, with torch's defaults (momentum 0.9 where it has one).
# Names that are words are marked for the catalog; the others are the classes' own names.
PRESETS: dict[str, Preset] = {
    p.token.lower(): p
    for p in (
        Preset("SGD", "SGD", SGD),
        Preset("momentum", N_("Momentum"), SGD, (("momentum", 0.9),)),
        Preset("nesterov", N_("Nesterov"), SGD, (("momentum", 0.9), ("nesterov", True))),
        Preset("Adagrad", "Adagrad", Adagrad),
        Preset("RMSprop", "RMSprop", RMSprop),
        Preset("Adam", "Adam", Adam),
        Preset("AdamW", "AdamW", AdamW),
    )
}


def preset(token: str) -> Preset:
    """The preset for a token, case-insensitively (``"adam"``, ``"Adam"`` and ``"ADAM"`` alike)."""
    key = token.lower() if isinstance(token, str) else token
    if key not in PRESETS:
        raise check.ParameterError(
            "optimizer",
            check.N_("{name} must be one of {allowed}; got {value!r}"),
            code="choice",
            value=token,
            choices=[p.token for p in PRESETS.values()],
            allowed=", ".join(p.token for p in PRESETS.values()),
        )
    return PRESETS[key]


@dataclass(frozen=True)
class OptimizerSpec:
    """An optimizer as data: a preset token and torch-named hyper-parameters that differ.

    Frozen and hashable, so a race config that holds it is a cache key. ``build()`` makes
    the optimizer (its own checks raise :class:`ParameterError` on a bad value).
    """

    token: str = "SGD"
    params: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self):
        p = preset(self.token)
        object.__setattr__(self, "token", p.token)
        names = [f.name for f in fields(p.cls)]
        items = tuple(sorted((str(k), tuple(v) if isinstance(v, list) else v) for k, v in dict(self.params).items()))
        for key, _ in items:
            if key not in names:
                raise check.ParameterError(
                    key, check.N_("{name} is not a hyper-parameter of {optimizer}; its hyper-parameters are {known}"),
                    choices=names, optimizer=p.name, known=", ".join(names),
                )  # fmt: skip
        object.__setattr__(self, "params", items)

    @property
    def preset(self) -> Preset:
        return preset(self.token)

    @property
    def name(self) -> str:
        return self.preset.name

    @property
    def settings(self) -> dict[str, Any]:
        """The preset's settings with this spec's overrides."""
        return dict(self.preset.settings) | dict(self.params)

    def build(self) -> Optimizer:
        return self.preset.cls(**self.settings)
