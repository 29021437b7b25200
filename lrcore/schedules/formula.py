"""User formulas: a schedule typed as text, e.g. ``0.1 / (1 + 0.5 * epoch)``, or a pasted ``def``.

This is the decay article's Keras ``LearningRateScheduler(DecayFunction)`` with the
function written by the student. The text is parsed with :mod:`ast` and only a small,
whitelisted grammar is evaluated, with NumPy, over the whole step array at once: numbers,
the names ``step`` (alias ``t``), ``epoch``, ``lr0``, ``pi`` and ``e``, arithmetic, comparisons and
the functions in :data:`FUNCTIONS`, and ``a if cond else b`` (``np.where``). Nothing is passed
to ``eval`` (sympy's ``parse_expr`` would), so a formula cannot run arbitrary code.

Text that starts with ``def`` is a whole Keras ``LearningRateScheduler`` function (its own
sandbox and its Keras semantics are in :mod:`lrcore.schedules.decay_function`).
"""

from __future__ import annotations

import ast
import math
from typing import Any, Callable

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.schedules import decay_function, decay_vector
from lrcore.schedules.base import Schedule, group, tex_number

__all__ = ["formula", "FUNCTIONS", "MAX_LENGTH"]

FAMILY = "Lab"

FUNCTIONS: dict[str, tuple[Callable[..., Any], int]] = {
    # name: (numpy function, number of arguments)
    "sqrt": (np.sqrt, 1),
    "exp": (np.exp, 1),
    "log": (np.log, 1),
    "log2": (np.log2, 1),
    "log10": (np.log10, 1),
    "cos": (np.cos, 1),
    "sin": (np.sin, 1),
    "floor": (np.floor, 1),
    "ceil": (np.ceil, 1),
    "abs": (np.abs, 1),
    "min": (np.minimum, 2),
    "max": (np.maximum, 2),
    "where": (np.where, 3),
}
CONSTANTS = {"pi": math.pi, "e": math.e}
_VARIABLES = ("step", "t", "epoch", "lr0")
_BINARY = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.true_divide,
    ast.FloorDiv: np.floor_divide,
    ast.Mod: np.mod,
    ast.Pow: np.power,
}
_COMPARE = {
    ast.Lt: (np.less, "<"),
    ast.LtE: (np.less_equal, r"\le"),
    ast.Gt: (np.greater, ">"),
    ast.GtE: (np.greater_equal, r"\ge"),
    ast.Eq: (np.equal, "="),
    ast.NotEq: (np.not_equal, r"\ne"),
}
# Binding strength, for parentheses in LaTeX.
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.FloorDiv: 2, ast.Mod: 2, ast.Pow: 4}


MAX_LENGTH = 500  # a formula, not a program


def _refused(message: str, **fields) -> check.ParameterError:
    """Every problem with a formula is a problem with its ``expression`` (``message`` is a template)."""
    return check.fail("expression", message, **fields)


def _parse(expression: str) -> ast.expr:
    if not isinstance(expression, str) or not expression.strip():
        raise _refused(N_("expression must be a non-empty formula in step or epoch, e.g. 0.1 * 0.5**epoch"))
    if len(expression) > MAX_LENGTH:
        raise _refused(N_("expression must be at most {most} characters; got {count}"), most=MAX_LENGTH, count=len(expression))
    try:
        tree = ast.parse(expression.strip().replace("^", "**"), mode="eval")
        _validate(tree.body)
    except SyntaxError as err:
        raise _refused(N_("expression is not a valid formula: {error} (near column {column})"), error=err.msg, column=err.offset) from None
    except (RecursionError, MemoryError):
        raise _refused(N_("expression is nested too deeply to evaluate")) from None
    return tree.body


def _validate(node: ast.AST) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _refused(N_("expression may only contain numbers; got {got!r}"), got=node.value)
        if isinstance(node.value, int) and node.value.bit_length() > 1023:
            raise _refused(N_("expression has a number too large for a float"))
    elif isinstance(node, ast.Name):
        if node.id not in _VARIABLES and node.id not in CONSTANTS:
            raise _refused(N_("expression uses unknown name {got!r}; allowed: step (or t), epoch, lr0, pi, e"), got=node.id)
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _validate(node.left)
        _validate(node.right)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _validate(node.operand)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _validate(node.operand)
    elif isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        _validate(node.left)
        for comparator in node.comparators:
            _validate(comparator)
    elif isinstance(node, ast.IfExp):
        for part in (node.test, node.body, node.orelse):
            _validate(part)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            _validate(value)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        if node.func.id not in FUNCTIONS:
            raise _refused(N_("expression calls unknown function {got!r}; allowed: {allowed}"), got=node.func.id, allowed=", ".join(FUNCTIONS))
        arity = FUNCTIONS[node.func.id][1]
        if len(node.args) != arity:
            raise _refused(N_("expression: {function}() takes {arity} argument(s); got {count}"), function=node.func.id, arity=arity, count=len(node.args))
        for arg in node.args:
            _validate(arg)
    else:
        raise _refused(N_("expression may not contain {got!r}"), got=ast.unparse(node))


def _evaluate(node: ast.expr, env: dict[str, np.ndarray]) -> np.ndarray:
    if isinstance(node, ast.Constant):
        return np.float64(node.value)
    if isinstance(node, ast.Name):
        return env[node.id] if node.id in env else np.float64(CONSTANTS[node.id])
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_evaluate(node.left, env), _evaluate(node.right, env))
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, env)
        if isinstance(node.op, ast.Not):
            return np.logical_not(value)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Compare):
        left, result = _evaluate(node.left, env), np.True_
        for op, comparator in zip(node.ops, node.comparators):
            right = _evaluate(comparator, env)
            result = result & _COMPARE[type(op)][0](left, right)
            left = right
        return result
    if isinstance(node, ast.IfExp):
        return np.where(_evaluate(node.test, env) != 0, _evaluate(node.body, env), _evaluate(node.orelse, env))
    if isinstance(node, ast.BoolOp):  # Python's value: `a and b` is b where a holds, else a
        out = _evaluate(node.values[0], env)
        for value in node.values[1:]:
            truth = out != 0
            out = np.where(truth if isinstance(node.op, ast.And) else ~truth, _evaluate(value, env), out)
        return out
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    fn = FUNCTIONS[node.func.id][0]
    return fn(*(_evaluate(arg, env) for arg in node.args))


def _latex(node: ast.expr, names: dict[str, str]) -> str:
    def wrap(child: ast.expr, min_precedence: int) -> str:
        text = _latex(child, names)
        if isinstance(child, ast.BinOp) and _PRECEDENCE[type(child.op)] < min_precedence:
            return rf"\left({text}\right)"
        if isinstance(child, ast.UnaryOp) and min_precedence > 1:
            return rf"\left({text}\right)"
        if isinstance(child, (ast.Compare, ast.BoolOp, ast.IfExp)):  # (t < 5) is 0 or 1: keep it visibly grouped
            return rf"\left({text}\right)"
        return text

    if isinstance(node, ast.Constant):
        return tex_number(node.value)
    if isinstance(node, ast.Name):
        return names.get(node.id, {"pi": r"\pi", "e": "e"}.get(node.id, node.id))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return r"\lnot " + wrap(node.operand, 5)
    if isinstance(node, ast.UnaryOp):
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        return sign + wrap(node.operand, 2)
    if isinstance(node, ast.Compare):
        parts = [_latex(node.left, names)]
        for op, comparator in zip(node.ops, node.comparators):
            parts += [_COMPARE[type(op)][1], _latex(comparator, names)]
        return " ".join(parts)
    if isinstance(node, ast.BoolOp):
        symbol = r" \land " if isinstance(node.op, ast.And) else r" \lor "
        return symbol.join(wrap(v, 5) for v in node.values)
    if isinstance(node, ast.IfExp):
        rows, branch = [], node
        while isinstance(branch, ast.IfExp):  # a if c else (b if d else e): one row a case
            rows.append(rf"{_latex(branch.body, names)} & {_latex(branch.test, names)}")
            branch = branch.orelse
        rows.append(rf"{_latex(branch, names)} & \text{{otherwise}}")
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"
    if isinstance(node, ast.BinOp):
        op = type(node.op)
        if op is ast.Div:
            return rf"\frac{{{_latex(node.left, names)}}}{{{_latex(node.right, names)}}}"
        if op is ast.FloorDiv:
            return rf"\left\lfloor \frac{{{_latex(node.left, names)}}}{{{_latex(node.right, names)}}} \right\rfloor"
        if op is ast.Pow:
            return f"{{{wrap(node.left, 5)}}}^{{{_latex(node.right, names)}}}"
        p = _PRECEDENCE[op]
        symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: r"\cdot", ast.Mod: r"\bmod"}[op]
        right_min = p + 1 if op in (ast.Sub, ast.Mod) else p
        return f"{wrap(node.left, p)} {symbol} {wrap(node.right, right_min)}"
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    args = [_latex(a, names) for a in node.args]
    name = node.func.id
    if name == "sqrt":
        return rf"\sqrt{{{args[0]}}}"
    if name == "exp":
        return rf"e^{{{args[0]}}}"
    if name == "floor":
        return rf"\left\lfloor {args[0]} \right\rfloor"
    if name == "ceil":
        return rf"\left\lceil {args[0]} \right\rceil"
    if name == "abs":
        return rf"\left| {args[0]} \right|"
    if name == "where":
        return rf"\begin{{cases}} {args[1]} & {args[0]} \\ {args[2]} & \text{{otherwise}} \end{{cases}}"
    command = {"log": r"\ln", "log2": r"\log_2", "log10": r"\log_{10}", "min": r"\min", "max": r"\max"}
    return command.get(name, "\\" + name) + r"\left(" + ", ".join(args) + r"\right)"


def formula(expression: str, steps_per_epoch: int = 1, lr0: float = 0.1) -> Schedule:
    """A schedule from a formula in ``step`` (alias ``t``), ``epoch = step // steps_per_epoch``
    and the initial rate ``lr0``.

    ``expression`` may also be a whole Python function, ``def decay(epoch, lr): ...``, run as
    Keras' ``LearningRateScheduler`` runs it: once per epoch (from 0), its rate held for the
    epoch's ``steps_per_epoch`` steps, ``lr`` being the previous epoch's rate as the float32
    optimizer variable holds it (``float32(lr0)`` at epoch 0). See
    :mod:`lrcore.schedules.decay_function` for what it may contain.

    ``formula("lr0 / (1 + 0.5 * epoch)", steps_per_epoch=12)`` is the decay article's
    time-based decay (its ``å = 1 / (1 + decay_rate * epoch) * å0``, å being the rate)
    applied per epoch. The formula is checked when made (it must parse
    and give a finite, non-negative rate at step 0) and every call checks its result: a
    negative or non-finite rate raises a ``ParameterError`` (a ``ValueError``) about ``expression``,
    naming the first offending step.
    """
    if decay_function.is_function(expression):
        return _function(expression, steps_per_epoch, lr0)
    body = _parse(expression)
    spe = check.integer("steps_per_epoch", steps_per_epoch, low=1)
    lr0 = check.in_range("lr0", lr0, 0.0)
    text = expression.strip()

    def fn(s: np.ndarray) -> np.ndarray:
        t = s.astype(np.float64)
        env = {"step": t, "t": t, "epoch": np.floor_divide(s, spe).astype(np.float64), "lr0": np.float64(lr0)}
        with np.errstate(all="ignore"):  # bad values are reported below, by step
            rates = np.broadcast_to(np.asarray(_evaluate(body, env), dtype=np.float64), s.shape)
        bad = ~np.isfinite(rates) | (rates < 0)
        if bad.any():
            k = int(np.argmax(bad))
            raise _refused(
                N_("expression gives the rate {rate:g} at step {step}; a learning rate must be finite and >= 0"),
                rate=float(rates[k]), step=int(s[k]),
            )
        return rates

    def tex(t: str, numeric: bool) -> str:
        n = tex_number(spe)
        epoch = t if spe == 1 else rf"\lfloor {group(t)}/{n} \rfloor"
        return _latex(body, {"step": t, "t": t, "epoch": epoch, "lr0": tex_number(lr0) if numeric else r"\eta_0"})

    schedule = Schedule(
        "formula",
        {"expression": text, "steps_per_epoch": spe, "lr0": lr0},
        fn,
        tex,
        N_("Your own formula, as Keras' LearningRateScheduler(DecayFunction) would call it."),
        "keras.callbacks.LearningRateScheduler",
    )
    schedule(0)  # fail now, not on the first plot, if the start is already invalid
    return schedule


def _function(source: str, steps_per_epoch: int, lr0: float) -> Schedule:
    """A pasted ``def``: Keras' LearningRateScheduler, epoch by epoch (see :func:`formula`)."""
    fn = decay_function.parse(source)
    spe = check.integer("steps_per_epoch", steps_per_epoch, low=1)
    lr0 = check.in_range("lr0", lr0, 0.0)
    recurrence = decay_function.Recurrence(fn, lr0) if fn.reads_lr else None

    def rates(s: np.ndarray) -> np.ndarray:
        if s.size == 0:
            return np.zeros(0)
        epochs = s // spe
        if recurrence is not None:  # once per epoch, in order, fed back its own float32 rate
            return recurrence.upto(int(epochs.max()))[epochs]
        wanted, where = np.unique(epochs, return_inverse=True)
        return decay_vector.vector_rates(fn, lr0, wanted)[where]

    def tex(t: str, numeric: bool) -> str:
        epoch = t if spe == 1 else rf"\lfloor {group(t)}/{tex_number(spe)} \rfloor"
        return decay_function.tex_call(fn, epoch, tex_number(lr0) if numeric else r"\eta_0")

    schedule = Schedule(
        "formula",
        {"expression": source, "steps_per_epoch": spe, "lr0": lr0},
        rates,
        tex,
        N_("Your own Keras function, called once per epoch: fed back the previous epoch's rate {lr} (float32, as Keras does).")
        if fn.reads_lr
        else N_("Your own Keras function, called once per epoch: a function of the epoch."),
        "keras.callbacks.LearningRateScheduler",
        {"lr": fn.lr} if fn.reads_lr else None,
    )
    schedule(0)  # fail now, not on the first plot, if the first epoch already fails
    return schedule
