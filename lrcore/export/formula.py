"""Every schedule written out as source code, in three dialects: Python floats, ``keras.ops``, ``jnp``.

Where no framework class matches a schedule exactly, the exporter writes the schedule's own
arithmetic as a function: for PyTorch's ``LambdaLR`` and Keras' per-epoch callback in plain
Python (``math``, float64, so it agrees with lrcore to round-off), for a Keras
``LearningRateSchedule`` subclass in ``keras.ops`` and for optax in ``jax.numpy`` (both
on tensors of steps, so ``where`` replaces ``if``). Each rule below repeats the operations
of the factory it writes out (``lrcore/schedules/*``), in the same order, so the written
code computes the same floats; the tests execute it and compare every step.

A composition (warmup, join, per epoch) writes its inner schedules as functions of their
own and calls them at the shifted step, as the factories do.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Callable

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.schedules import Schedule

__all__ = ["Dialect", "PYTHON", "KERAS", "JAX", "Functions", "lit", "steps_lit"]


def lit(x: Any) -> str:
    """A value as a Python literal that reads back as exactly the same value."""
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return repr(x)
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        return repr(x)  # the shortest text that round-trips: the exact float
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(lit(v) for v in x) + "]"
    return repr(x)


def steps_lit(x: float) -> str:
    """A step count: ``100`` rather than ``100.0`` when it is whole (the same number)."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 2**53 else repr(float(x))


@dataclass(frozen=True)
class Dialect:
    """How one language writes the few operations the schedules need."""

    key: str  # "python" | "keras" | "jax"
    lib: str  # the module the functions come from: math, ops, jnp
    imports: tuple[str, ...]

    def f(self, name: str, *args: str) -> str:
        """A math function: sqrt, exp, log, log2, log10, cos, sin, floor, ceil, abs, minimum, maximum."""
        if self.key == "python":
            name = {"minimum": "min", "maximum": "max"}.get(name, name)
            if name in ("min", "max", "abs"):
                return f"{name}({', '.join(args)})"
        return f"{self.lib}.{name}({', '.join(args)})"

    def floordiv(self, a: str, b: str, whole: bool = True) -> str:
        """``floor(a / b)``. JAX's float32 division is not correctly rounded on CPU (220 / 110 gives
        1.9999999), so the tensor dialects floor-divide, which is exact; plain Python divides in
        float64 exactly as lrcore does."""
        if self.key == "python" and not whole:
            return f"math.floor({a} / {b})"
        return f"{a} // {b}"

    def where(self, cond: str, a: str, b: str) -> str:
        if self.key == "python":
            return f"({a} if {cond} else {b})"
        return f"{self.lib}.where({cond}, {a}, {b})"

    def num(self, cond: str) -> str:
        """A comparison as 0 or 1."""
        if self.key == "python":
            return f"int({cond})"
        if self.key == "keras":
            return f'ops.cast({cond}, "float32")'
        return f"jnp.where({cond}, 1.0, 0.0)"

    @property
    def pi(self) -> str:
        return "jnp.pi" if self.key == "jax" else "math.pi"

    @property
    def e(self) -> str:
        return "jnp.e" if self.key == "jax" else "math.e"

    def const(self, value: str, like: str) -> str:
        """A constant rate, shaped like the steps in the tensor dialects."""
        if self.key == "python":
            return value
        if self.key == "keras":
            return f"ops.full_like({like}, {value})"
        return f"jnp.full_like({like}, {value}, dtype=jnp.float32)"

    def cast(self, var: str) -> list[str]:
        """The first line of a function of steps: steps as floats (tensor dialects)."""
        if self.key == "keras":
            return [f'{var} = ops.cast({var}, "float32")']
        if self.key == "jax":
            return [f"{var} = jnp.asarray({var}, dtype=jnp.float32)"]
        return []


PYTHON = Dialect("python", "math", ("import math",))
KERAS = Dialect("keras", "ops", ("import math", "from keras import ops"))
JAX = Dialect("jax", "jnp", ("import jax.numpy as jnp",))


class Functions:
    """Collects the functions that write out a schedule (inner pieces first)."""

    def __init__(self, dialect: Dialect):
        self.d = dialect
        self.defs: list[str] = []
        self.imports: set[str] = set()
        self._names: set[str] = set()

    def fresh(self, stem: str) -> str:
        name, k = stem, 2
        while name in self._names:
            name, k = f"{stem}_{k}", k + 1
        self._names.add(name)
        return name

    def define(self, schedule: Schedule, name: str | None = None, arg: str = "step") -> str:
        """Write ``schedule`` as ``def name(arg): ...``; returns the function's name."""
        if schedule.name not in RULES:
            raise check.fail("schedule", N_("{name} {schedule!r} has no written-out form"), schedule=schedule.name)
        name = self.fresh(name or f"{schedule.name}_rate")
        body, result = RULES[schedule.name](self, dict(schedule.params), arg)
        lines = self.d.cast(arg) + body
        doc = f'    """{schedule.description}"""\n' if schedule.description else ""
        text = f"def {name}({arg}):\n" + doc + "".join(f"    {line}\n" for line in lines) + f"    return {result}\n"
        self.defs.append(text)
        return name

    @property
    def source(self) -> str:
        return "\n\n".join(self.defs)


Rule = Callable[[Functions, dict, str], tuple[list[str], str]]


# --------------------------------------------------------------------------- the rules, one a factory


def _constant(F, p, t):
    return [], F.d.const(lit(p["learning_rate"]), t)


def _exponent(F, t, ds, staircase):
    if staircase:
        return f"({F.d.floordiv(t, steps_lit(ds), float(ds).is_integer())})"
    return f"({t} / {steps_lit(ds)})"


def _exponential(F, p, t):
    e = _exponent(F, t, p["decay_steps"], p["staircase"])
    return [], f"{lit(p['initial_learning_rate'])} * {lit(p['decay_rate'])} ** {e}"


def _inverse_time(F, p, t):
    e = _exponent(F, t, p["decay_steps"], p["staircase"])
    return [], f"{lit(p['initial_learning_rate'])} / (1.0 + {lit(p['decay_rate'])} * {e})"


def _inverse_sqrt(F, p, t):
    root = F.d.f("sqrt", f"{t} / {steps_lit(p['decay_steps'])} + {lit(p['offset'])}")
    return [], f"{lit(p['k'])} * {lit(p['initial_learning_rate'])} / {root}"


def _piecewise_constant(F, p, t):
    b, v = p["boundaries"], p["values"]
    op = "<=" if p["inclusive"] else "<"  # Keras keeps values[i] while t <= b[i]; optax/torch switch at b[i]
    out = F.d.const(lit(v[-1]), t)
    for bound, value in reversed(list(zip(b, v))):
        out = F.d.where(f"{t} {op} {steps_lit(bound)}", F.d.const(lit(value), t), out)
    return [], out


def _polynomial(F, p, t):
    ds, lr0, end = steps_lit(p["decay_steps"]), lit(p["initial_learning_rate"]), lit(p["end_learning_rate"])
    if p["cycle"]:
        body = [
            f"multiplier = {F.d.where(f'{t} == 0', '1.0', F.d.f('ceil', f'{t} / {ds}'))}",
            f"horizon = {ds} * multiplier",
            f"fraction = {F.d.f('minimum', f'{t} / horizon', '1.0')}",
        ]
    elif F.d.key == "python":
        body = [f"fraction = {F.d.f('minimum', F.d.f('minimum', t, ds) + f' / {ds}', '1.0')}"]
    else:  # the end exactly: float32 division need not give ds / ds = 1, and (1 - fraction) ** 0.3 would show it
        body = [f"fraction = {F.d.where(f'{t} >= {ds}', '1.0', f'{t} / {ds}')}"]
    return body, f"({lr0} - {end}) * (1 - fraction) ** {lit(p['power'])} + {end}"


def _cosine(F, p, t):
    ds, alpha, lr0, target, ws = p["decay_steps"], lit(p["alpha"]), lit(p["initial_learning_rate"]), p["warmup_target"], p["warmup_steps"]
    d = F.d
    if target is None:
        body = [
            f"completed_fraction = {d.f('minimum', t, steps_lit(ds))} / {steps_lit(ds)}",
            f"cosine_decayed = 0.5 * (1.0 + {d.f('cos', f'{d.pi} * completed_fraction')})",
        ]
        return body, f"{lr0} * ((1 - {alpha}) * cosine_decayed + {alpha})"
    peak = lit(target)
    body = [f"s = {d.f('minimum', t, steps_lit(ds + ws))}"]
    shift = f"s - {ws}" if ws else "s"
    body.append(f"cosine_decayed = 0.5 * (1.0 + {d.f('cos', f'{d.pi} * (({shift}) / {steps_lit(ds)})')})")
    decayed = f"{peak} * ((1 - {alpha}) * cosine_decayed + {alpha})"
    if ws == 0:
        return body, decayed
    return body, d.where(f"s < {ws}", f"({peak} - {lr0}) * (s / {ws}) + {lr0}", decayed)


def _cosine_restarts(F, p, t):
    d = F.d
    first, t_mul, m_mul, alpha = steps_lit(p["first_decay_steps"]), lit(p["t_mul"]), lit(p["m_mul"]), lit(p["alpha"])
    body = [f"completed_fraction = {t} / {first}"]
    if p["t_mul"] == 1.0:
        body += [
            f"i_restart = {d.floordiv(t, first, float(p['first_decay_steps']).is_integer())}",
            "completed_fraction = completed_fraction - i_restart",
        ]
    else:
        start = lambda i: f"(1.0 - {t_mul} ** {i}) / (1.0 - {t_mul})"  # noqa: E731  completed fraction where period i starts
        guess = d.f("floor", f"{d.f('log', f'1.0 - completed_fraction * (1.0 - {t_mul})')} / {d.f('log', t_mul)}")
        body += [
            f"i_restart = {d.f('maximum', guess, '0.0')}",
            "# the float log can be one off at a boundary: count the period exactly",
            f"i_restart = i_restart - {d.num(start('i_restart') + ' > completed_fraction')}",
            f"i_restart = i_restart + {d.num(start('(i_restart + 1)') + ' <= completed_fraction')}",
            f"completed_fraction = (completed_fraction - {start('i_restart')}) / {t_mul} ** i_restart",
        ]
    body.append(f"cosine_decayed = 0.5 * {m_mul} ** i_restart * (1.0 + {d.f('cos', f'{d.pi} * completed_fraction')})")
    return body, f"{lit(p['initial_learning_rate'])} * ((1 - {alpha}) * cosine_decayed + {alpha})"


def _step(F, p, t):
    return [], f"{lit(p['lr'])} * {lit(p['gamma'])} ** ({t} // {p['step_size']})"


def _multi_step(F, p, t):
    passed = " + ".join(F.d.num(f"{t} >= {m}") for m in p["milestones"])
    return [f"milestones_passed = {passed}"], f"{lit(p['lr'])} * {lit(p['gamma'])} ** milestones_passed"


def _linear(F, p, t):
    lr, start, end, total = lit(p["lr"]), lit(p["start_factor"]), lit(p["end_factor"]), p["total_iters"]
    if total == 0:
        return [], F.d.const(f"{lr} * {start}", t)
    return [], f"{lr} * ({start} + ({end} - {start}) * ({F.d.f('minimum', str(total), t)} / {total}))"


def _cosine_annealing(F, p, t):
    lr, eta_min = lit(p["lr"]), lit(p["eta_min"])
    angle = f"{F.d.pi} * {t} / {p['T_max']}"
    return [], f"{eta_min} + ({lr} - {eta_min}) * (1 + {F.d.f('cos', angle)}) / 2"


def _cosine_warm_restarts(F, p, t):
    d = F.d
    lr, eta_min, T_0, T_mult = lit(p["lr"]), lit(p["eta_min"]), p["T_0"], p["T_mult"]
    if T_mult == 1:
        body = [f"t_cur = {t} % {T_0}", f"period = {T_0}"]
    else:
        start = lambda i: f"{T_0} * ({T_mult} ** {i} - 1) // {T_mult - 1}"  # noqa: E731  step where period i starts
        guess = d.f("floor", f"{d.f('log', f'1 + {t} * {T_mult - 1} / {T_0}')} / {d.f('log', str(T_mult))}")
        body = [
            f"i = {d.f('maximum', guess, '0')}",
            "# the float log can be one off at a boundary: count the period exactly",
            f"i = i - {d.num(start('i') + ' > ' + t)}",
            f"i = i + {d.num(start('(i + 1)') + ' <= ' + t)}",
            f"t_cur = {t} - {start('i')}",
            f"period = {T_0} * {T_mult} ** i",
        ]
    return body, f"{eta_min} + ({lr} - {eta_min}) * (1 + {d.f('cos', f'{d.pi} * t_cur / period')}) / 2"


def _one_cycle(F, p, t):
    d = F.d
    peak, total, pct = lit(p["max_lr"]), p["total_steps"], lit(p["pct_start"])
    body = [
        f"initial_lr = {peak} / {lit(p['div_factor'])}",
        f"min_lr = initial_lr / {lit(p['final_div_factor'])}",
        f"s = {d.f('minimum', t, str(total - 1))}",
    ]
    if p["three_phase"]:
        ends = [f"{pct} * {total} - 1", f"2 * {pct} * {total} - 2", f"{total - 1}"]
        levels = ["initial_lr", peak, "initial_lr", "min_lr"]
    else:
        ends = [f"{pct} * {total} - 1", f"{total - 1}"]
        levels = ["initial_lr", peak, "min_lr"]
    body += [f"end_{k} = {e}" for k, e in enumerate(ends[:-1])]  # torch's phase ends: float(pct * total) - 1, ...
    ends = [f"end_{k}" for k in range(len(ends) - 1)] + [ends[-1]]
    starts = ["0.0"] + ends[:-1]

    for k in range(len(ends)):
        a, b = levels[k], levels[k + 1]
        frac = f"(s - {starts[k]}) / ({ends[k]} - {starts[k]})"
        if p["anneal_strategy"] == "cos":
            body.append(f"phase_{k} = {b} + ({a} - {b}) / 2.0 * ({d.f('cos', f'{d.pi} * {frac}')} + 1)")
        else:
            body.append(f"phase_{k} = ({b} - {a}) * {frac} + {a}")
    out = f"phase_{len(ends) - 1}"
    for k in reversed(range(len(ends) - 1)):
        out = d.where(f"s <= {ends[k]}", f"phase_{k}", out)
    return body, out


def _cyclic(F, p, t):
    d = F.d
    up = p["step_size_up"]
    down = up if p["step_size_down"] is None else p["step_size_down"]
    total, ratio = float(up) + float(down), float(up) / (float(up) + float(down))
    base, peak = lit(p["base_lr"]), lit(p["max_lr"])
    body = [
        f"cycle = 1 + {d.floordiv(t, lit(total))}",
        # where in the cycle, 0 <= x < 1 (torch's 1 + t/total - cycle; in float32 the remainder, without cancellation)
        f"x = 1.0 + {t} / {lit(total)} - cycle" if d.key == "python" else f"x = ({t} % {lit(total)}) / {lit(total)}",
        f"scale_factor = {d.where(f'x <= {lit(ratio)}', f'x / {lit(ratio)}', f'(x - 1) / ({lit(ratio)} - 1)')}",
        f"base_height = ({peak} - {base}) * scale_factor",
    ]
    scale = {"triangular": "1.0", "triangular2": "0.5 ** (cycle - 1)", "exp_range": f"{lit(p['gamma'])} ** {t}"}[p["mode"]]
    return body, f"{base} + base_height * {scale}"


def _warmup(F, p, t):
    inner = F.define(p["schedule"], "after_warmup")
    ws, start = p["warmup_steps"], lit(p["start_lr"])
    if ws == 0:
        return [], f"{inner}({t})"
    peak = lit(float(p["schedule"](0)))
    later = f"{inner}({F.d.f('maximum', f'{t} - {ws}', '0')})" if F.d.key != "python" else f"{inner}({t} - {ws})"
    return [], F.d.where(f"{t} < {ws}", f"{start} + ({t} / {ws}) * ({peak} - {start})", later)


def _join(F, p, t):
    names = [F.define(s, f"piece_{i}") for i, s in enumerate(p["schedules"])]
    bounds = p["boundaries"]

    def at(i):
        if i == 0:
            return f"{names[0]}({t})"
        shifted = f"{t} - {bounds[i - 1]}"
        return f"{names[i]}({F.d.f('maximum', shifted, '0') if F.d.key != 'python' else shifted})"

    out = at(len(names) - 1)
    for i in reversed(range(len(bounds))):
        out = F.d.where(f"{t} < {bounds[i]}", at(i), out)
    return [], out


def _per_epoch(F, p, t):
    inner = F.define(p["schedule"], "epoch_rate", arg="epoch")
    return [], f"{inner}({t} // {p['steps_per_epoch']})"


# ------------------------------------------------------------------ the student's formula


_CALLS = {"sqrt", "exp", "log", "log2", "log10", "cos", "sin", "floor", "ceil", "abs"}


def formula_uses_step(expression: str) -> bool:
    """Whether a formula reads the step (not only the epoch): then it must change every update."""
    tree = ast.parse(expression.replace("^", "**"), mode="eval")
    return any(isinstance(n, ast.Name) and n.id in ("step", "t") for n in ast.walk(tree))


def formula_source(F: Functions, expression: str, lr0: float, step: str | None, epoch: str) -> str:
    """The student's formula (already checked by lrcore.schedules.formula) in the dialect."""
    d = F.d

    class Rewrite(ast.NodeTransformer):
        def visit_Name(self, node):
            names = {"step": step, "t": step, "epoch": epoch, "lr0": lit(lr0), "pi": d.pi, "e": d.e}
            return ast.copy_location(ast.Name(id=names[node.id], ctx=ast.Load()), node)

        def visit_Call(self, node):
            node.args = [self.visit(a) for a in node.args]
            name = node.func.id
            args = [ast.unparse(a) for a in node.args]
            if name == "where":
                text = d.where(*args)
            else:
                text = d.f({"min": "minimum", "max": "maximum"}.get(name, name), *args)
            return ast.copy_location(ast.Name(id=text, ctx=ast.Load()), node)

    tree = ast.parse(expression.replace("^", "**"), mode="eval")
    return ast.unparse(Rewrite().visit(tree))


def _formula(F, p, t):
    spe = p["steps_per_epoch"]
    cast = "float" if F.d.key == "python" else None
    body = [f"{t} = float({t})"] if cast else []
    body.append(f"epoch = {t} // {spe}" if spe != 1 else f"epoch = {t}")
    return body, formula_source(F, p["expression"], p["lr0"], t, "epoch")


RULES: dict[str, Rule] = {
    "constant": _constant,
    "exponential": _exponential,
    "inverse_time": _inverse_time,
    "inverse_sqrt": _inverse_sqrt,
    "piecewise_constant": _piecewise_constant,
    "polynomial": _polynomial,
    "cosine": _cosine,
    "cosine_restarts": _cosine_restarts,
    "step": _step,
    "multi_step": _multi_step,
    "linear": _linear,
    "cosine_annealing": _cosine_annealing,
    "cosine_warm_restarts": _cosine_warm_restarts,
    "one_cycle": _one_cycle,
    "cyclic": _cyclic,
    "warmup": _warmup,
    "join": _join,
    "per_epoch": _per_epoch,
    "formula": _formula,
}


# ------------------------------------------------------------------ a pasted Keras function


def pasted_function(s: Schedule) -> bool:
    """Whether ``s`` is the formula box holding a pasted ``def decay(epoch, lr):``."""
    from lrcore.schedules.decay_function import is_function

    return s.name == "formula" and is_function(s.params["expression"])


def function_name(source: str) -> str:
    return next(n.name for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef))


def keras_recurrence(source: str, lr0: float) -> str:
    """The teacher's function verbatim, and ``lr_at(epoch)``: what Keras' LearningRateScheduler
    makes of it, for a framework that has no such callback.

    Keras calls ``fn(epoch, lr)`` at the start of every epoch, in order, with ``lr`` the
    optimizer's float32 rate (``fn(epoch)`` if the function takes one argument), and the
    optimizer stores the result as float32: the next call sees that, while the rate itself
    is kept as the function returned it (PyTorch's rates are float64).
    """
    name = function_name(source)
    return (
        source.strip("\n")
        + "\n\n\n"
        + f"LR0 = {lit(lr0)}  # the rate the optimizer starts from: Keras hands it to the first call\n"
        + "_RATES = []\n\n\n"
        + "def _float32(x):\n"
        + '    return struct.unpack("f", struct.pack("f", float(x)))[0]\n\n\n'
        + "def lr_at(epoch):\n"
        + f'    """Keras\' LearningRateScheduler semantics: {name}(epoch, lr) once per epoch, in order, fed the previous rate."""\n'
        + "    while len(_RATES) <= epoch:\n"
        + "        lr = _float32(_RATES[-1] if _RATES else LR0)  # what Keras' float32 optimizer hands back\n"
        + "        try:\n"
        + f"            rate = {name}(len(_RATES), lr)\n"
        + "        except TypeError:  # a function of the epoch alone, as Keras allows\n"
        + f"            rate = {name}(len(_RATES))\n"
        + "        _RATES.append(float(rate))\n"
        + "    return _RATES[epoch]\n"
    )
