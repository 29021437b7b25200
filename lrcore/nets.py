r"""The global_step answer's network, trained for real with PyTorch: a constant rate against a decayed one.

The answer's Keras model is 5 inputs → ``Dense(6, relu)`` → ``Dense(2, softmax)``, trained
by SGD on sparse categorical cross-entropy with ``batch_size=100`` for 100 epochs on 1,200
examples (12 steps per epoch), under
``ExponentialDecay(0.01, decay_steps=100000, decay_rate=0.96, staircase=True)``, which in
those 1,200 steps never decays. :func:`train` trains exactly that model, twice on the same
initial weights (Keras' Glorot-uniform kernels, zero biases) and the same batch order: once
at a constant rate, once under a decayed schedule, on a synthetic data set drawn from
:attr:`NetConfig.seed` (:func:`make_data`). Several seeds train in one pass: the weights
carry a leading dimension (lane × seed) and every product is a batched ``bmm``, so there
is a Python loop over steps and none over seeds or lanes.

**The schedule is PyTorch's.** Each lane has its own ``torch.optim.SGD`` and the scheduler
that ``make_scheduler(schedule, optimizer) -> (scheduler, per_epoch)`` builds; by default
:func:`lrcore.export.torch_scheduler` (the exported snippet's scheduler) when that module
exists, else :func:`lambda_scheduler`, an exact stand-in. The rate every update used is
read from the optimizer's ``param_groups[0]["lr"]`` and kept beside lrcore's own
``schedule(t)``, so :attr:`NetResult.rate_gap` checks the scheduler against lrcore at
every step, whichever factory ran.

**Chunks.** Training runs a few epochs at a time (:func:`start`, :func:`advance`,
:func:`finish`): the state between chunks is plain data (NumPy weights, the optimizers'
and schedulers' ``state_dict``), so a page can cache each chunk, show progress between
them and stop when its settings change. Chunked or not, the numbers are the same.

torch is imported inside the functions that train, so ``import lrcore`` stays light.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_
from lrcore import registry
from lrcore.registry import Spec
from lrcore.schedules import Schedule, steps_per_epoch

__all__ = [
    "NetConfig",
    "NetData",
    "NetState",
    "NetResult",
    "Outcome",
    "make_data",
    "train",
    "start",
    "advance",
    "finish",
    "chunk_epochs",
    "lambda_scheduler",
    "default_scheduler_factory",
    "outcome",
    "RULE_LATEX",
    "INPUTS",
    "HIDDEN",
    "CLASSES",
    "MAX_STEPS",
    "RATE_AGREES",
]

INPUTS, HIDDEN, CLASSES = 5, 6, 2  # the answer's Input(shape=(5,)), Dense(6, relu), Dense(2, softmax)
MAX_STEPS = 20_000  # updates per run: about 30 s on a 2-core machine at 8 seeds
MAX_SEEDS = 32
CHUNKS = 20  # a run is trained in about this many pieces (each a whole number of epochs)
# The label rule, written once beside the code that draws it (make_data).
RULE_LATEX = r"y = \mathbb{1}\left[\,x_1 x_2 + \tfrac{1}{2}\,x_3 - \tfrac{1}{4}\,x_4 > 0\,\right]"  # x ~ N(0, I_5)
# torch's rate and lrcore's agree when within this relative difference at every update: a
# recursive scheduler (StepLR: lr *= gamma) drifts by round-off, an off-by-one step by 4%.
RATE_AGREES = 1e-9
ANSWER = Spec("exponential", (("initial_learning_rate", 0.01), ("decay_steps", 100000), ("decay_rate", 0.96), ("staircase", True)))

MakeScheduler = Callable[[Schedule, Any], Any]


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class NetConfig:
    """Every setting of the training; the defaults are the page's.

    ``constant`` and ``decayed`` are the two lanes' schedules (registry specs). The default
    decay is the answer's ``ExponentialDecay`` with ``staircase=True`` and ``decay_rate=0.96``,
    but with ``decay_steps`` counted in steps so that it drops once per epoch (12 steps), at
    a rate large enough for a constant one to rattle; :meth:`answer` gives the answer's own.
    """

    n_examples: int = 1200
    label_noise: float = 0.1  # share of training labels flipped
    batch_size: int = 100
    epochs: int = 100
    seeds: int = 8
    seed: int = 0  # the data set's; seed r of the runs draws its weights and order from (seed, r)
    constant: Spec = Spec("constant", (("learning_rate", 2.0),))
    decayed: Spec = Spec("exponential", (("initial_learning_rate", 2.0), ("decay_steps", 12), ("decay_rate", 0.96), ("staircase", True)))

    def __post_init__(self):
        for name in ("constant", "decayed"):
            value = getattr(self, name)
            if not isinstance(value, Spec):
                object.__setattr__(self, name, Spec.from_dict(value))

    @classmethod
    def answer(cls, right_units: bool = False, **overrides) -> NetConfig:
        """The answer's own settings: rate 0.01, ``decay_steps=100000`` (never reached).

        ``right_units``: the same schedule with ``decay_steps`` one epoch, in steps
        (⌈N/B⌉ = 12), so it multiplies the rate by 0.96 every epoch as the answer meant.
        """
        cfg = cls(constant=Spec("constant", (("learning_rate", 0.01),)), decayed=ANSWER, **overrides)
        if right_units:
            cfg = replace(cfg, decayed=ANSWER.replace(decay_steps=cfg.steps_per_epoch))
        return cfg

    @property
    def steps_per_epoch(self) -> int:
        return steps_per_epoch(self.n_examples, self.batch_size)

    @property
    def steps(self) -> int:
        return self.epochs * self.steps_per_epoch

    def schedules(self) -> tuple[Schedule, Schedule]:
        """The two lanes' schedules, built (a bad spec raises the factory's ParameterError)."""
        out = []
        for name in ("constant", "decayed"):
            spec = getattr(self, name)
            if registry.closed_loop(spec):
                raise check.fail(name, N_("{name} must be a schedule of the step; reduce_on_plateau needs a validation loss"))
            out.append(registry.build(spec))
        return tuple(out)

    def check(self) -> NetConfig:
        """Raise ParameterError (naming the setting and its range) for anything out of range."""
        check.integer("n_examples", self.n_examples, 10, 100_000)
        check.in_range("label_noise", self.label_noise, 0.0, 0.5)
        check.integer("batch_size", self.batch_size, 1, self.n_examples)
        check.integer("epochs", self.epochs, 1, MAX_STEPS)
        check.integer("seeds", self.seeds, 1, MAX_SEEDS)
        check.integer("seed", self.seed, 0, 2**32 - 1)
        if self.steps > MAX_STEPS:
            raise check.fail(
                "epochs",
                N_("epochs must be at most {most} at {spe} steps per epoch ({updates} updates in all); got {epochs}"),
                value=self.epochs,
                high=MAX_STEPS // self.steps_per_epoch,
                most=MAX_STEPS // self.steps_per_epoch, spe=self.steps_per_epoch, updates=f"{MAX_STEPS:,}", epochs=self.epochs,
            )
        self.schedules()
        return self


# --------------------------------------------------------------------------- the data


@dataclass(frozen=True, eq=False)
class NetData:
    x: np.ndarray  # (N, 5) float64
    y: np.ndarray  # (N,) int64, the labels trained on (some flipped)
    clean: np.ndarray  # (N,) the rule's labels before flipping
    flipped: np.ndarray  # (N,) bool

    @property
    def positive_share(self) -> float:
        return float(self.y.mean())


def make_data(n_examples: int, label_noise: float, seed: int) -> NetData:
    """``n`` standard-normal 5-d inputs labelled by :data:`RULE_LATEX`, then a share ``label_noise`` flipped.

    Exactly ``round(label_noise * n)`` labels are flipped (chosen at random), so the share
    on screen is the share trained on.
    """
    rng = np.random.default_rng([seed, 0])
    x = rng.standard_normal((n_examples, INPUTS))
    clean = (x[:, 0] * x[:, 1] + 0.5 * x[:, 2] - 0.25 * x[:, 3] > 0).astype(np.int64)
    flipped = np.zeros(n_examples, dtype=bool)
    flipped[rng.permutation(n_examples)[: round(label_noise * n_examples)]] = True
    return NetData(x, np.where(flipped, 1 - clean, clean), clean, flipped)


def _glorot(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Keras' default kernel initialiser: U(±√(6 / (fan_in + fan_out)))."""
    limit = math.sqrt(6.0 / (shape[-2] + shape[-1]))
    return rng.uniform(-limit, limit, shape)


def initial_weights(seed: int, seeds: int) -> dict[str, np.ndarray]:
    """Each seed's initial weights, ``(seeds, ...)``; seed r's are the same whatever ``seeds`` is."""
    return {
        "w1": _glorot(np.random.default_rng([seed, 1, 0]), (seeds, INPUTS, HIDDEN)),
        "b1": np.zeros((seeds, 1, HIDDEN)),
        "w2": _glorot(np.random.default_rng([seed, 1, 1]), (seeds, HIDDEN, CLASSES)),
        "b2": np.zeros((seeds, 1, CLASSES)),
    }


def batch_order(seed: int, epoch: int, seeds: int, n_examples: int) -> np.ndarray:
    """Each seed's shuffle of the examples in ``epoch``, ``(seeds, N)``: Keras' ``shuffle=True``.

    Drawn from (seed, epoch) alone, so a chunk starting at any epoch draws the same order,
    and seed r's order does not depend on how many seeds train.
    """
    keys = np.random.default_rng([seed, 2, epoch]).random((seeds, n_examples))
    return np.argsort(keys, axis=1, kind="stable")


# --------------------------------------------------------------------------- schedulers


def lambda_scheduler(schedule: Schedule, optimizer, horizon: int = MAX_STEPS + 1):
    """The exact fallback: ``LambdaLR`` whose factor is lrcore's ``schedule(step) / base_lr``.

    ``base_lr`` is the optimizer's rate when the scheduler is made (:func:`_base_rate`).
    Stepped after every ``optimizer.step()``, so update t uses ``base_lr · schedule(t) /
    base_lr``: ``schedule(t)`` to within one rounding. Returns ``(scheduler, per_epoch=False)``.
    """
    import torch

    base = optimizer.param_groups[0]["lr"]
    rates = schedule(np.arange(horizon))  # vectorised once; the lambda only looks up

    def factor(step: int) -> float:
        return float(rates[min(step, horizon - 1)]) / base

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor), False


def default_scheduler_factory() -> tuple[MakeScheduler, str]:
    """``lrcore.export.torch_scheduler`` when it exists (the exported snippet's scheduler), else :func:`lambda_scheduler`."""
    try:
        from lrcore.export import torch_scheduler  # noqa: PLC0415 (optional, written in parallel)
    except ImportError:
        return lambda_scheduler, N_("LambdaLR(schedule(t) / base_lr), lrcore's fallback")
    return torch_scheduler, N_("lrcore.export.torch_scheduler, the exported snippet's")  # shown: the UI translates it


def _base_rate(schedule: Schedule, steps: int) -> float:
    """The optimizer's ``lr`` before its scheduler: the rate of step 0, or the largest if that is 0 (a warmup)."""
    first = float(schedule(0))
    return first if first > 0 else float(np.max(schedule(np.arange(steps)))) or 1.0


def _scheduler(make: MakeScheduler, schedule: Schedule, optimizer, steps_per_epoch: int) -> tuple[Any, int, int | None]:
    """The factory's scheduler, the updates between two ``scheduler.step()`` calls, and how many calls it allows.

    A factory returns ``(scheduler, per_epoch)``, a bare scheduler, or an object that unpacks
    to the pair and may say ``steps_per_epoch`` (its epoch, in updates) and ``max_steps``
    (``OneCycleLR`` refuses to step past its total), as ``lrcore.export.TorchScheduler`` does.
    """
    made = make(schedule, optimizer)
    if isinstance(made, tuple) or hasattr(made, "per_epoch"):
        scheduler, per_epoch = made
    else:
        scheduler, per_epoch = made, False
    every = (getattr(made, "steps_per_epoch", None) or steps_per_epoch) if per_epoch else 1
    return scheduler, int(every), getattr(made, "max_steps", None)


# --------------------------------------------------------------------------- training


@dataclass(frozen=True, eq=False)
class NetState:
    """Training between chunks, as plain data: after ``epoch`` epochs."""

    config: NetConfig
    epoch: int
    weights: dict  # name -> (2, seeds, ...) float32 arrays
    torch_state: tuple  # per lane: (optimizer state_dict, scheduler state_dict or None)
    loss: np.ndarray  # (2, seeds, steps this chunk) full-data loss after each update (start: before any)
    accuracy: np.ndarray
    rate_used: np.ndarray  # (2, steps this chunk): param_groups[0]["lr"] of each update
    per_epoch: tuple[bool, bool] = (False, False)
    factory: str = ""


def chunk_epochs(config: NetConfig) -> list[tuple[int, int]]:
    """The chunks' epoch ranges ``[(first, end), ...]``: about :data:`CHUNKS`, each whole epochs."""
    size = max(1, math.ceil(config.epochs / CHUNKS))
    return [(e, min(e + size, config.epochs)) for e in range(0, config.epochs, size)]


class _Data:
    """The data set as tensors, with what the full-data evaluation reuses every step."""

    def __init__(self, torch, data: NetData, models: int):
        self.x = torch.from_numpy(data.x.astype(np.float32))
        self.y = torch.from_numpy(data.y)
        # A column of ones folds the first bias into the product; one view for every model.
        self.x1 = torch.cat([self.x, torch.ones(len(self.x), 1)], dim=1).expand(models, -1, -1)
        self.sign = (2 * self.y - 1).to(torch.float32)  # +1 for class 1, -1 for class 0
        self.positive = self.y.bool()
        # The hidden layer of every model on every example, reused: a fresh one per step is
        # a large allocation, which costs more than the arithmetic (65 µs against 24 µs).
        self.hidden = torch.empty(models, len(self.x), HIDDEN)

    def evaluate(self, torch, w1, b1, w2, b2):
        """Full-data loss and accuracy of every (lane, seed) model, ``(2·seeds,)`` each.

        For two classes the softmax cross-entropy is ``softplus(-s·d)`` with ``d = z₁ - z₀``
        and ``s = ±1``: the same number as log_softmax + NLL, without reductions over a
        dimension of size 2 (slow in torch on CPU). Keras' accuracy: argmax, ties to class 0.
        """
        h = torch.bmm(self.x1, torch.cat([w1, b1], dim=1), out=self.hidden).clamp_min_(0)
        d = (torch.bmm(h, w2[:, :, 1:] - w2[:, :, :1]) + (b2[:, :, 1:] - b2[:, :, :1])).squeeze(-1)
        loss = torch.nn.functional.softplus(-self.sign * d).mean(dim=1)
        accuracy = ((d > 0) == self.positive).to(torch.float32).mean(dim=1)
        return loss, accuracy


def start(config: NetConfig) -> NetState:
    """The state before any update: initial weights, and the loss and accuracy they give."""
    import torch

    config.check()
    data = make_data(config.n_examples, config.label_noise, config.seed)
    w = initial_weights(config.seed, config.seeds)
    weights = {k: np.stack([v, v]).astype(np.float32) for k, v in w.items()}  # both lanes start alike
    with _threads(torch):
        t = {k: torch.from_numpy(v.reshape(2 * config.seeds, *v.shape[2:])) for k, v in weights.items()}
        loss, acc = _Data(torch, data, 2 * config.seeds).evaluate(torch, t["w1"], t["b1"], t["w2"], t["b2"])
    shape = (2, config.seeds, 1)
    return NetState(config, 0, weights, (None, None), loss.numpy().reshape(shape).astype(np.float64), acc.numpy().reshape(shape).astype(np.float64), np.zeros((2, 0)))


# Intra-op threads while training: the model is tiny, so more threads only contend
# (benchmarks/bench_nets.py measures 1 against 2 on the 2-core machine).
THREADS = 1


class _threads:
    """:data:`THREADS` intra-op threads while training, restored after."""

    def __init__(self, torch):
        self.torch = torch

    def __enter__(self):
        self.before = self.torch.get_num_threads()
        self.torch.set_num_threads(THREADS)

    def __exit__(self, *exc):
        self.torch.set_num_threads(self.before)


NAMES = ("w1", "b1", "w2", "b2")


def advance(state: NetState, end_epoch: int, make_scheduler: MakeScheduler | None = None) -> NetState:
    """Train from ``state.epoch`` to ``end_epoch``; the new state records only these epochs' steps.

    Per step: each seed's next minibatch (its own shuffle, the same in both lanes), a
    batched forward and backward pass of all 2·seeds models, ``optimizer.step()`` for
    each lane, then ``scheduler.step()`` (once per epoch instead if the factory says so),
    and the full-data loss and accuracy of the updated weights.

    Each weight is one tensor for all models, ``(2·seeds, ...)``, which autograd
    differentiates; each lane's optimizer holds its half as a leaf that shares the storage
    (so its in-place update is the big tensor's) and receives its half of the gradient.
    """
    import torch

    cfg = state.config
    make, factory = (make_scheduler, getattr(make_scheduler, "__name__", "custom")) if make_scheduler else default_scheduler_factory()
    spe, batch, seeds = cfg.steps_per_epoch, cfg.batch_size, cfg.seeds
    models = 2 * seeds
    with _threads(torch):
        data = _Data(torch, make_data(cfg.n_examples, cfg.label_noise, cfg.seed), models)
        big = {n: torch.tensor(state.weights[n].reshape(models, *state.weights[n].shape[2:]), requires_grad=True) for n in NAMES}
        halves = [{n: big[n].detach()[lane * seeds : (lane + 1) * seeds].requires_grad_() for n in NAMES} for lane in range(2)]
        optimizers, schedulers, every, limit = [], [], [], []
        for lane, schedule in enumerate(cfg.schedules()):
            opt = torch.optim.SGD([halves[lane][n] for n in NAMES], lr=_base_rate(schedule, cfg.steps), foreach=True)
            scheduler, interval, max_steps = _scheduler(make, schedule, opt, spe)
            saved = state.torch_state[lane]
            if saved is not None:  # continue where the last chunk stopped
                opt.load_state_dict(saved[0])
                if scheduler is not None:
                    scheduler.load_state_dict(saved[1])
            optimizers.append(opt)
            schedulers.append(scheduler)
            every.append(interval)
            limit.append(max_steps)
        w1, b1, w2, b2 = (big[n] for n in NAMES)
        frozen = [big[n].detach() for n in NAMES]  # the same storage, for evaluating without a graph
        n_steps = (end_epoch - state.epoch) * spe
        loss = torch.empty(n_steps, models)
        acc = torch.empty(n_steps, models)
        rate_used = np.empty((2, n_steps))
        t = 0
        for epoch in range(state.epoch, end_epoch):
            order = torch.from_numpy(np.tile(batch_order(cfg.seed, epoch, seeds, cfg.n_examples), (2, 1))).reshape(-1)
            # The epoch's examples in each model's order, gathered once (one index_select, not one per batch).
            xs = data.x.index_select(0, order).view(models, cfg.n_examples, INPUTS)
            ys = data.y.index_select(0, order).view(models, cfg.n_examples)
            for k in range(spe):
                batch_of = slice(k * batch, (k + 1) * batch)  # the last batch may be partial, as Keras'
                h = torch.relu(torch.bmm(xs[:, batch_of], w1) + b1)  # (baddbmm with a broadcast bias is 5x slower)
                z = torch.bmm(h, w2) + b2  # logits; softmax + sparse categorical cross-entropy below
                per_model = torch.nn.functional.cross_entropy(z.transpose(1, 2), ys[:, batch_of], reduction="none").mean(dim=1)
                grads = torch.autograd.grad(per_model.sum(), (w1, b1, w2, b2))  # each model's is its own mean loss's
                done = state.epoch * spe + t + 1  # updates made, this one included
                for lane in range(2):
                    for n, g in zip(NAMES, grads):
                        halves[lane][n].grad = g[lane * seeds : (lane + 1) * seeds]
                    rate_used[lane, t] = optimizers[lane].param_groups[0]["lr"]
                    optimizers[lane].step()
                    # After every update, or once per epoch; never past what the scheduler allows.
                    if schedulers[lane] is not None and done % every[lane] == 0 and (limit[lane] is None or done // every[lane] < limit[lane]):
                        schedulers[lane].step()
                with torch.no_grad():
                    loss[t], acc[t] = data.evaluate(torch, *frozen)
                t += 1
        weights = {n: big[n].detach().numpy().reshape(2, seeds, *big[n].shape[1:]).copy() for n in NAMES}
        saved = tuple((optimizers[lane].state_dict(), None if schedulers[lane] is None else schedulers[lane].state_dict()) for lane in range(2))
    shape = (n_steps, 2, seeds)
    return NetState(
        cfg,
        end_epoch,
        weights,
        saved,
        loss.numpy().reshape(shape).transpose(1, 2, 0).astype(np.float64),
        acc.numpy().reshape(shape).transpose(1, 2, 0).astype(np.float64),
        rate_used,
        tuple(e > 1 for e in every),
        factory,
    )


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True, eq=False)
class NetResult:
    """Both lanes' training, step by step. Lane 0 is the constant rate, lane 1 the decayed one.

    ``loss`` and ``accuracy`` are ``(2, seeds, steps + 1)``: on the whole (noisy-label)
    training set, before any update and after each. ``rate`` is lrcore's schedule at each
    update, ``rate_used`` the rate the torch optimizer actually applied, ``(2, steps)``.
    """

    config: NetConfig
    labels: tuple[str, str]
    loss: np.ndarray
    accuracy: np.ndarray
    rate: np.ndarray
    rate_used: np.ndarray
    per_epoch: tuple[bool, bool]
    factory: str
    data: NetData = field(repr=False)

    @property
    def steps(self) -> np.ndarray:
        return np.arange(self.loss.shape[-1])

    @property
    def rate_gap(self) -> float:
        """Largest relative difference between torch's rate and lrcore's, over every update of both lanes."""
        scale = np.maximum(np.abs(self.rate), np.finfo(float).tiny)
        return float(np.max(np.abs(self.rate_used - self.rate) / scale)) if self.rate.size else 0.0

    def band(self, what: str = "loss") -> np.ndarray:
        """``(2, 3, steps + 1)``: each lane's lowest seed, mean over seeds, highest seed."""
        a = getattr(self, what)
        return np.stack([a.min(axis=1), a.mean(axis=1), a.max(axis=1)], axis=1)


def finish(states: list[NetState]) -> NetResult:
    """Join the chunks (``start``'s state first) into the result."""
    cfg = states[0].config
    constant, decayed = cfg.schedules()
    last = states[-1]
    return NetResult(
        config=cfg,
        labels=(cfg.constant.label, cfg.decayed.label),
        loss=np.concatenate([s.loss for s in states], axis=-1),
        accuracy=np.concatenate([s.accuracy for s in states], axis=-1),
        rate=np.stack([constant(np.arange(cfg.steps)), decayed(np.arange(cfg.steps))]),
        rate_used=np.concatenate([s.rate_used for s in states], axis=-1),
        per_epoch=last.per_epoch,
        factory=last.factory,
        data=make_data(cfg.n_examples, cfg.label_noise, cfg.seed),
    )


def train(config: NetConfig, make_scheduler: MakeScheduler | None = None, progress: Callable[[float], None] | None = None) -> NetResult:
    """Train both lanes for ``config.epochs`` epochs, in chunks; ``progress`` hears the share done after each."""
    states = [start(config)]
    for _, end in chunk_epochs(config):
        states.append(advance(states[-1], end, make_scheduler))
        if progress is not None:
            progress(end / config.epochs)
    return finish(states)


# --------------------------------------------------------------------------- what it shows


@dataclass(frozen=True)
class Outcome:
    """What the training shows, as facts (ui.words says them).

    ``direction`` compares the final training losses over seeds: ``"lower"`` when every
    decayed seed ends below every constant seed (the bands do not overlap), ``"higher"``
    the other way, ``"identical"`` when both lanes' losses are equal at every step (the
    rates were), else ``"overlap"``. ``first_change`` is the first update whose decayed
    rate differs from its first rate (None: it never changed during training).
    """

    direction: str
    constant_final: tuple[float, float, float]  # lowest seed, mean, highest seed
    decayed_final: tuple[float, float, float]
    constant_accuracy: float  # mean final accuracy
    decayed_accuracy: float
    first_change: int | None
    last_rate: float  # the decayed lane's rate at its last update
    first_rate: float
    steps: int
    rate_gap: float
    wins: int  # seeds whose decayed run ends lower than its constant twin
    seeds: int
    start_loss: float


def outcome(result: NetResult) -> Outcome:
    final = result.loss[:, :, -1]
    c, d = final[0], final[1]
    if np.array_equal(result.loss[0], result.loss[1]):
        direction = "identical"
    elif d.max() < c.min():
        direction = "lower"
    elif d.min() > c.max():
        direction = "higher"
    else:
        direction = "overlap"
    decayed = result.rate[1]
    changed = np.flatnonzero(decayed != decayed[0])
    band = lambda a: (float(a.min()), float(a.mean()), float(a.max()))  # noqa: E731
    return Outcome(
        direction=direction,
        constant_final=band(c),
        decayed_final=band(d),
        constant_accuracy=float(result.accuracy[0, :, -1].mean()),
        decayed_accuracy=float(result.accuracy[1, :, -1].mean()),
        first_change=int(changed[0]) if changed.size else None,
        last_rate=float(decayed[-1]),
        first_rate=float(decayed[0]),
        steps=int(decayed.size),
        rate_gap=result.rate_gap,
        wins=int(np.sum(d < c)),
        seeds=int(c.size),
        start_loss=float(result.loss[:, :, 0].mean()),
    )
