"""Keras 3: ``keras.optimizers.schedules.*`` where one matches, else a ``LearningRateSchedule``
subclass with the formula in ``keras.ops``; a per-epoch schedule is the decay article's
``LearningRateScheduler(fn)`` callback with ``fn`` a function of the epoch.
"""

from __future__ import annotations

from dataclasses import dataclass

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.export.formula import KERAS, PYTHON, Functions, formula_source, formula_uses_step, function_name, lit, pasted_function, steps_lit
from lrcore.schedules import ReduceLROnPlateau, Schedule

__all__ = ["Plan", "plan", "snippet"]

_S = "keras.optimizers.schedules"


@dataclass(frozen=True)
class Plan:
    per_epoch: bool
    source: str  # defines `lr_schedule`
    imports: tuple[str, ...]
    steps_per_epoch: int | None = None
    why: str = ""
    initial: str = "lr_schedule(0)"  # the optimizer's first rate, for a per-epoch schedule


def _builtin(s: Schedule) -> tuple[str, str] | None:
    p, n = s.params, s.name
    if n in ("exponential", "inverse_time"):
        cls = "ExponentialDecay" if n == "exponential" else "InverseTimeDecay"
        return cls, (
            f"{_S}.{cls}(\n    initial_learning_rate={lit(p['initial_learning_rate'])},\n"
            f"    decay_steps={steps_lit(p['decay_steps'])},\n    decay_rate={lit(p['decay_rate'])},\n"
            f"    staircase={lit(p['staircase'])},\n)"
        )
    if n == "piecewise_constant" and p["inclusive"]:
        bounds = "[" + ", ".join(steps_lit(b) for b in p["boundaries"]) + "]"
        return "PiecewiseConstantDecay", f"{_S}.PiecewiseConstantDecay(boundaries={bounds}, values={lit(list(p['values']))})"
    if n == "polynomial":
        return "PolynomialDecay", (
            f"{_S}.PolynomialDecay(\n    initial_learning_rate={lit(p['initial_learning_rate'])},\n"
            f"    decay_steps={steps_lit(p['decay_steps'])},\n    end_learning_rate={lit(p['end_learning_rate'])},\n"
            f"    power={lit(p['power'])},\n    cycle={lit(p['cycle'])},\n)"
        )
    if n == "cosine":
        warm = ""
        if p["warmup_target"] is not None:
            warm = f"    warmup_target={lit(p['warmup_target'])},\n    warmup_steps={p['warmup_steps']},\n"
        return "CosineDecay", (
            f"{_S}.CosineDecay(\n    initial_learning_rate={lit(p['initial_learning_rate'])},\n"
            f"    decay_steps={steps_lit(p['decay_steps'])},\n    alpha={lit(p['alpha'])},\n{warm})"
        )
    if n == "cosine_restarts":
        return "CosineDecayRestarts", (
            f"{_S}.CosineDecayRestarts(\n    initial_learning_rate={lit(p['initial_learning_rate'])},\n"
            f"    first_decay_steps={steps_lit(p['first_decay_steps'])},\n    t_mul={lit(p['t_mul'])},\n"
            f"    m_mul={lit(p['m_mul'])},\n    alpha={lit(p['alpha'])},\n)"
        )
    if n == "step":
        return "ExponentialDecay", (
            f"{_S}.ExponentialDecay(  # StepLR is a staircase exponential decay\n    initial_learning_rate={lit(p['lr'])},\n"
            f"    decay_steps={p['step_size']},\n    decay_rate={lit(p['gamma'])},\n    staircase=True,\n)"
        )
    if n == "warmup":
        inner, ws = p["schedule"], p["warmup_steps"]
        if ws == 0:
            return _builtin(inner)
        q = inner.params
        if inner.name == "cosine" and q["warmup_target"] is None:
            return "CosineDecay", (
                f"{_S}.CosineDecay(  # Keras' own warmup: from initial_learning_rate up to warmup_target\n"
                f"    initial_learning_rate={lit(p['start_lr'])},\n    decay_steps={steps_lit(q['decay_steps'])},\n"
                f"    alpha={lit(q['alpha'])},\n    warmup_target={lit(q['initial_learning_rate'])},\n    warmup_steps={ws},\n)"
            )
    return None


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_")) + "Schedule"


def plan(s: Schedule | ReduceLROnPlateau) -> Plan:
    if isinstance(s, ReduceLROnPlateau):
        args = (
            f'monitor="loss", factor={lit(s.factor)}, patience={s.patience}, min_delta={lit(s.threshold)}, '
            f"cooldown={s.cooldown}, min_lr={lit(s.min_lr)}"
        )
        raise check.fail(
            "schedule",
            N_("Keras has no schedule object for reduce-on-plateau: it is a feedback rule that needs the loss, so in Keras "
               "it is the callback keras.callbacks.ReduceLROnPlateau({args}) passed to fit(callbacks=[...])")
            if s.convention == "keras"
            else N_("Keras has no schedule object for reduce-on-plateau: it is a feedback rule that needs the loss, so in Keras "
                    "it is the callback keras.callbacks.ReduceLROnPlateau({args}) passed to fit(callbacks=[...]), "
                    "which follows the Keras convention (cut at `patience`), not torch's"),
            args=args,
        )
    if pasted_function(s):  # the teacher's function is already what LearningRateScheduler takes
        src = s.params["expression"].strip("\n") + f"\n\n\nLR0 = {lit(s.params['lr0'])}  # Keras hands the optimizer's rate to the first call\n"
        src += f"lr_schedule = {function_name(s.params['expression'])}\n"
        return Plan(True, src, ("import math",), s.params["steps_per_epoch"], "your function, for the decay article's callback", initial="LR0")
    if s.name == "per_epoch" or (s.name == "formula" and not formula_uses_step(s.params["expression"])):
        F = Functions(PYTHON)
        if s.name == "per_epoch":
            inner = F.define(s.params["schedule"], "rate_of_epoch", arg="epoch")
            body = f"{inner}(epoch)"
        else:
            body = formula_source(F, s.params["expression"], s.params["lr0"], None, "float(epoch)")
        src = (F.source + "\n\n" if F.defs else "") + (
            "def lr_schedule(epoch, lr=None):\n"
            f'    """{s.description}\n\n'
            "    Keras' LearningRateScheduler calls this at the start of every epoch, epoch = 0, 1, 2, ...,\n"
            "    and the rate it returns holds for that whole epoch (lr, the current rate, is not needed).\n"
            '    """\n'
            f"    return float({body})\n"
        )
        return Plan(True, src, ("import math",), s.params["steps_per_epoch"], "a function of the epoch, for the callback")
    found = _builtin(s)
    if found is not None:
        return Plan(False, f"lr_schedule = {found[1]}\n", (), why=f"Keras' own {found[0]}")
    F = Functions(KERAS)
    fn = F.define(s, f"{s.name}_rate")
    cls = _class_name(s.name)
    src = F.source + (
        f"\n\nclass {cls}({_S}.LearningRateSchedule):\n"
        f'    """The formula written out in keras.ops; Keras calls it with optimizer.iterations (0 for the first update)."""\n\n'
        "    def __call__(self, step):\n"
        f"        return {fn}(step)\n\n"
        "    def get_config(self):\n"
        "        return {}\n\n\n"
        f"lr_schedule = {cls}()\n"
    )
    return Plan(False, src, KERAS.imports, why="no Keras schedule computes this exactly: a LearningRateSchedule subclass")


def snippet(s: Schedule | ReduceLROnPlateau, title: str, steps: int, steps_per_epoch: int = 12) -> str:
    pl = plan(s)
    spe = pl.steps_per_epoch or steps_per_epoch
    epochs = max(1, -(-steps // spe))
    lines = [f'"""{title}', "", "Keras 3 (any backend), exported by the Learning-Rate Decay Lab. Run it: python this_file.py", '"""', ""]
    lines += sorted(set(pl.imports) - {"from keras import ops"}) + ["", "import keras", "import numpy as np"]
    if "from keras import ops" in pl.imports:
        lines.append("from keras import ops")
    lines += ["", "", f"# {pl.why}" if pl.why else "", pl.source.rstrip("\n"), "", ""]
    lines += [
        f"STEPS_PER_EPOCH = {spe}  # batches per epoch: ceil(examples / batch size)",
        "BATCH_SIZE = 32",
        f"EPOCHS = {epochs}",
        "",
        "model = keras.Sequential([keras.Input(shape=(10,)), keras.layers.Dense(1)])  # a placeholder: your model",
    ]
    if pl.per_epoch:
        lines += [
            f"optimizer = keras.optimizers.SGD(learning_rate={pl.initial})",
            "# The decay article's way: a function of the epoch, applied once per epoch (not per batch)",
            "callbacks = [keras.callbacks.LearningRateScheduler(lr_schedule)]",
        ]
    else:
        lines += [
            "# Keras evaluates lr_schedule(optimizer.iterations) at every update: one step = one batch",
            "optimizer = keras.optimizers.SGD(learning_rate=lr_schedule)",
            "callbacks = []",
        ]
    lines += [
        'model.compile(optimizer=optimizer, loss="mse")',
        "",
        "rng = np.random.default_rng(0)  # placeholder data: STEPS_PER_EPOCH full batches",
        'x = rng.normal(size=(STEPS_PER_EPOCH * BATCH_SIZE, 10)).astype("float32")',
        'y = rng.normal(size=(STEPS_PER_EPOCH * BATCH_SIZE, 1)).astype("float32")',
        "",
        'if __name__ == "__main__":',
        "    model.fit(x, y, batch_size=BATCH_SIZE, epochs=EPOCHS, callbacks=callbacks, verbose=2)",
    ]
    return "\n".join(lines) + "\n"
