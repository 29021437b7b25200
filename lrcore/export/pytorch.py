"""PyTorch: the ``torch.optim.lr_scheduler`` class that matches exactly, else ``LambdaLR``.

One :class:`Plan` describes the scheduler: the class and its arguments as source text, the
helper functions it needs, whether ``scheduler.step()`` runs once per update or once per
epoch. :func:`snippet` writes it into a script; :func:`build` executes the very same text
against a live optimizer, so the object a page drives is the object the snippet makes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.export.formula import PYTHON, Functions, formula_source, formula_uses_step, keras_recurrence, lit, pasted_function, steps_lit
from lrcore.schedules import ReduceLROnPlateau, Schedule

__all__ = ["Plan", "plan", "snippet", "build"]

# Schedulers that read the optimizer's rate as their base and may sit inside SequentialLR
# (OneCycleLR and CyclicLR overwrite the rate themselves, so they may not).
_CHAINABLE = {"StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "PolynomialLR"}


@dataclass(frozen=True)
class Plan:
    base_lr: float  # the optimizer's lr=
    construct: str  # the expression that makes the scheduler, in terms of `optimizer`
    helpers: str = ""  # functions and constants defined before it
    imports: tuple[str, ...] = ()
    per_epoch: bool = False
    steps_per_epoch: int | None = None
    closed_loop: bool = False  # ReduceLROnPlateau: step(loss)
    max_steps: int | None = None  # scheduler.step() may not be called more often (OneCycleLR)
    why: str = ""  # one comment line: why this scheduler
    cls: str = ""  # the built-in class, or "" for LambdaLR
    uses_base: bool = field(default=True)

    @property
    def source(self) -> str:
        """The lines that define the scheduler (after `optimizer` exists)."""
        head = (self.helpers + "\n\n") if self.helpers else ""
        return head + f"scheduler = {self.construct}\n"


def _call(cls: str, **kwargs: Any) -> str:
    args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    return f"lr_scheduler.{cls}(optimizer, {args})"


def _builtin(s: Schedule) -> tuple[str, float, str, str] | None:
    """(class, base rate, construct text, why) where a torch class computes ``s`` exactly."""
    p, n = s.params, s.name
    if n == "step":
        return "StepLR", p["lr"], _call("StepLR", step_size=p["step_size"], gamma=lit(p["gamma"])), ""
    if n == "multi_step":
        return "MultiStepLR", p["lr"], _call("MultiStepLR", milestones=lit(list(p["milestones"])), gamma=lit(p["gamma"])), ""
    if n == "linear":
        args = dict(start_factor=lit(p["start_factor"]), end_factor=lit(p["end_factor"]), total_iters=p["total_iters"])
        return "LinearLR", p["lr"], _call("LinearLR", **args), ""
    if n == "cosine_annealing":
        return "CosineAnnealingLR", p["lr"], _call("CosineAnnealingLR", T_max=p["T_max"], eta_min=lit(p["eta_min"])), ""
    if n == "cosine_warm_restarts":
        args = dict(T_0=p["T_0"], T_mult=p["T_mult"], eta_min=lit(p["eta_min"]))
        return "CosineAnnealingWarmRestarts", p["lr"], _call("CosineAnnealingWarmRestarts", **args), ""
    if n == "one_cycle":
        args = dict(
            max_lr=lit(p["max_lr"]), total_steps=p["total_steps"], pct_start=lit(p["pct_start"]),
            anneal_strategy=lit(p["anneal_strategy"]), div_factor=lit(p["div_factor"]),
            final_div_factor=lit(p["final_div_factor"]), three_phase=lit(p["three_phase"]), cycle_momentum="False",
        )  # fmt: skip
        why = "OneCycleLR sets the rate itself (max_lr / div_factor first); cycle_momentum=False: the rate only"
        return "OneCycleLR", p["max_lr"] / p["div_factor"], _call("OneCycleLR", **args), why
    if n == "cyclic":
        args = dict(
            base_lr=lit(p["base_lr"]), max_lr=lit(p["max_lr"]), step_size_up=p["step_size_up"],
            step_size_down=lit(p["step_size_down"]), mode=lit(p["mode"]), gamma=lit(p["gamma"]), cycle_momentum="False",
        )  # fmt: skip
        return "CyclicLR", p["base_lr"], _call("CyclicLR", **args), "cycle_momentum=False: the rate only"
    if n == "exponential":
        ds, rate = p["decay_steps"], p["decay_rate"]
        if ds == 1:
            return "ExponentialLR", p["initial_learning_rate"], _call("ExponentialLR", gamma=lit(rate)), "decay_steps = 1: gamma every step"
        if p["staircase"] and float(ds).is_integer():
            why = "a staircase exponential decay is StepLR: gamma = decay_rate every decay_steps"
            return "StepLR", p["initial_learning_rate"], _call("StepLR", step_size=steps_lit(ds), gamma=lit(rate)), why
        return None
    if n == "polynomial":
        if p["end_learning_rate"] == 0 and not p["cycle"] and float(p["decay_steps"]).is_integer():
            args = dict(total_iters=steps_lit(p["decay_steps"]), power=lit(p["power"]))
            return "PolynomialLR", p["initial_learning_rate"], _call("PolynomialLR", **args), "end_learning_rate = 0: PolynomialLR"
        return None
    if n == "cosine_restarts":
        if p["m_mul"] == 1 and float(p["t_mul"]).is_integer() and float(p["first_decay_steps"]).is_integer():
            lr0 = p["initial_learning_rate"]
            args = dict(T_0=steps_lit(p["first_decay_steps"]), T_mult=int(p["t_mul"]), eta_min=f"{lit(p['alpha'])} * {lit(lr0)}")
            why = "m_mul = 1 and whole periods: Keras' CosineDecayRestarts is CosineAnnealingWarmRestarts, eta_min = alpha * lr"
            return "CosineAnnealingWarmRestarts", lr0, _call("CosineAnnealingWarmRestarts", **args), why
        return None
    if n == "warmup":
        inner = _builtin(p["schedule"])
        ws, start = p["warmup_steps"], p["start_lr"]
        if ws == 0:
            return inner
        peak = float(p["schedule"](0))
        if inner is None or inner[0] not in _CHAINABLE or inner[1] != peak or not 0 < start <= peak:
            return None  # LinearLR's start_factor must lie in (0, 1]: no ramp from 0, none down to the peak
        ramp = _call("LinearLR", start_factor=f"{lit(start)} / {lit(peak)}", end_factor="1.0", total_iters=ws)
        construct = f"lr_scheduler.SequentialLR(\n    optimizer,\n    schedulers=[\n        {ramp},\n        {inner[2]},\n    ],\n    milestones=[{ws}],\n)"
        return "SequentialLR", peak, construct, "a linear warmup, then the schedule on its own clock: SequentialLR"
    if n == "join":
        pieces = [_builtin(x) for x in p["schedules"]]
        if any(x is None or x[0] not in _CHAINABLE for x in pieces) or len({x[1] for x in pieces}) != 1:
            return None  # every piece must be a built-in on the same base rate
        inner = ",\n        ".join(x[2] for x in pieces)
        construct = f"lr_scheduler.SequentialLR(\n    optimizer,\n    schedulers=[\n        {inner},\n    ],\n    milestones={lit(list(p['boundaries']))},\n)"
        return "SequentialLR", pieces[0][1], construct, "one schedule after another, each on its own clock: SequentialLR"
    return None


def _base_rate(s: Schedule) -> float:
    """LambdaLR multiplies the optimizer's rate by lr_lambda: a positive rate to divide by."""
    first = float(s(0))
    if first > 0:
        return first
    peak = float(np.max(s(np.arange(10_000))))
    return peak if peak > 0 else 1.0


def _lambda(s: Schedule, clock: str, formula_epoch_only: bool = False) -> tuple[str, float, str, str, str]:
    F = Functions(PYTHON)
    if formula_epoch_only:  # the student's formula of the epoch alone
        body = formula_source(F, s.params["expression"], s.params["lr0"], None, "epoch")
        F.defs.append(f'def lr_at(epoch):\n    """{s.description}"""\n    epoch = float(epoch)\n    return {body}\n')
        F._names.add("lr_at")
    else:
        F.define(s, "lr_at", arg=clock)
    base = _base_rate(s)
    helpers = F.source + f"\n\nBASE_LR = {lit(base)}  # the optimizer's rate; LambdaLR multiplies it by lr_lambda({clock})"
    construct = _call("LambdaLR", lr_lambda=f"lambda {clock}: lr_at({clock}) / BASE_LR")
    why = "no torch class computes this schedule exactly: LambdaLR with its formula written out"
    return "", base, construct, why, helpers


def plan(s: Schedule | ReduceLROnPlateau) -> Plan:
    """How PyTorch runs ``s``: the scheduler, and when ``scheduler.step()`` is called."""
    if isinstance(s, ReduceLROnPlateau):
        p = s.params
        if s.convention != "torch":
            raise check.fail(
                "convention",
                N_("PyTorch cannot run the Keras convention of reduce-on-plateau: torch's ReduceLROnPlateau cuts after "
                   "more than `patience` bad epochs and counts cooldown after judging the epoch; choose convention='torch'"),
            )
        args = dict(
            mode=lit(s.mode), factor=lit(s.factor), patience=s.patience, threshold=lit(s.threshold),
            threshold_mode=lit(s.threshold_mode), cooldown=s.cooldown, min_lr=lit(s.min_lr), eps=lit(s.eps),
        )  # fmt: skip
        del p
        return Plan(s.lr, _call("ReduceLROnPlateau", **args), per_epoch=True, closed_loop=True,
                    why="a feedback rule: scheduler.step(loss) once per epoch", cls="ReduceLROnPlateau")  # fmt: skip
    if s.name == "per_epoch":
        inner, spe = s.params["schedule"], s.params["steps_per_epoch"]
        return _make(inner, per_epoch=True, spe=spe)
    if pasted_function(s):  # the teacher's Keras function: its recurrence, once per epoch
        helpers = keras_recurrence(s.params["expression"], s.params["lr0"])
        base = _base_rate(s)
        helpers += f"\n\nBASE_LR = {lit(base)}  # the optimizer's rate; LambdaLR multiplies it by lr_lambda(epoch)"
        construct = _call("LambdaLR", lr_lambda="lambda epoch: lr_at(epoch) / BASE_LR")
        why = "your Keras function, called once per epoch as LearningRateScheduler calls it: LambdaLR over its rates"
        return Plan(base, construct, helpers, ("import math", "import struct"), True, s.params["steps_per_epoch"], why=why)
    if s.name == "formula" and not formula_uses_step(s.params["expression"]):
        cls, base, construct, why, helpers = _lambda(s, "epoch", formula_epoch_only=True)
        return Plan(base, construct, helpers, ("import math",), True, s.params["steps_per_epoch"], why=why)
    return _make(s, per_epoch=False, spe=None)


def _make(s: Schedule, per_epoch: bool, spe: int | None) -> Plan:
    found = _builtin(s)
    max_steps = None
    if found is not None:
        cls, base, construct, why = found
        helpers = ""
        if cls == "OneCycleLR":
            max_steps = s.params["total_steps"]
        imports: tuple[str, ...] = ()
    else:
        cls, base, construct, why, helpers = _lambda(s, "epoch" if per_epoch else "step")
        imports = ("import math",)
    return Plan(base, construct, helpers, imports, per_epoch, spe, False, max_steps, why, cls)


# --------------------------------------------------------------------------- the script


def snippet(s: Schedule | ReduceLROnPlateau, title: str, steps: int) -> str:
    pl = plan(s)
    lines = [f'"""{title}', "", "PyTorch, exported by the Learning-Rate Decay Lab. Run it: python this_file.py", '"""', ""]
    lines += sorted(set(pl.imports)) + ["", "import torch", "from torch.optim import lr_scheduler", ""]
    lines += [
        "torch.manual_seed(0)",
        "model = torch.nn.Linear(10, 1)  # a placeholder: put your model here",
        f"optimizer = torch.optim.SGD(model.parameters(), lr={'BASE_LR' if not pl.cls else lit(pl.base_lr)})",
        "",
    ]
    if pl.why:
        lines.append(f"# {pl.why}")
    src = pl.source
    if pl.helpers:  # BASE_LR must exist before the optimizer: helpers go above it
        top = lines.index("torch.manual_seed(0)")
        lines[top:top] = ["", pl.helpers, "", ""]
        src = f"scheduler = {pl.construct}\n"
    lines.append(src.rstrip("\n"))
    lines += [
        "",
        "",
        "def train_step():",
        '    """One update on a random minibatch (a placeholder for your data)."""',
        "    x, y = torch.randn(32, 10), torch.randn(32, 1)",
        "    loss = torch.nn.functional.mse_loss(model(x), y)",
        "    optimizer.zero_grad()",
        "    loss.backward()",
        "    optimizer.step()",
        "    return loss.item()",
        "",
        "",
    ]
    if pl.per_epoch:
        spe = pl.steps_per_epoch or 12  # reduce-on-plateau has no epoch length of its own: the lab's default
        epochs = max(1, -(-steps // spe))
        if pl.max_steps is not None:
            epochs = min(epochs, pl.max_steps)
        lines += [f"STEPS_PER_EPOCH = {spe}  # updates per epoch: ceil(examples / batch size)", f"EPOCHS = {epochs}", "", 'if __name__ == "__main__":']
        lines += ["    for epoch in range(EPOCHS):", "        losses = [train_step() for _ in range(STEPS_PER_EPOCH)]"]
        if pl.closed_loop:
            lines += ["        # once per epoch, fed the epoch's loss (use your validation loss)", "        scheduler.step(sum(losses) / len(losses))"]
        else:
            lines += ["        # once per epoch: the rate of epoch e is the schedule at e", "        scheduler.step()"]
        lines.append('        print(f"epoch {epoch}: loss {losses[-1]:.4f}, next rate {scheduler.get_last_lr()[0]:.6g}")')
    else:
        total = steps if pl.max_steps is None else pl.max_steps
        note = "  # OneCycleLR may be stepped total_steps times, no more" if pl.max_steps is not None else ""
        lines += [f"TOTAL_STEPS = {total}{note}", "", 'if __name__ == "__main__":']
        lines += [
            "    for step in range(TOTAL_STEPS):",
            "        loss = train_step()  # uses the rate of update `step`",
            "        scheduler.step()  # step the scheduler after every optimizer.step()",
            "        if step % 100 == 0:",
            '            print(f"step {step}: loss {loss:.4f}, next rate {scheduler.get_last_lr()[0]:.6g}")',
        ]
    return "\n".join(lines) + "\n"


def build(s: Schedule | ReduceLROnPlateau, optimizer: Any) -> tuple[Any, Plan]:
    """Make the plan's scheduler on ``optimizer`` by executing the snippet's own lines.

    The optimizer's rate is first set to the plan's base rate (the snippet's ``lr=``).
    """
    from torch.optim import lr_scheduler  # lazily: lrcore never imports torch at import time

    pl = plan(s)
    for group in optimizer.param_groups:
        group["lr"] = pl.base_lr
        group.pop("initial_lr", None)
    namespace: dict[str, Any] = {"optimizer": optimizer, "lr_scheduler": lr_scheduler, "math": math}
    exec(compile(pl.source, "<lrcore.export.pytorch>", "exec"), namespace)  # noqa: S102  our own generated text
    return namespace["scheduler"], pl
