"""A decay function that does not read ``lr``, run over an array of epochs at once.

:func:`vector_rates` runs a function checked by :func:`lrcore.schedules.decay_function.parse`
on every epoch together: each statement acts on the epochs still running, a branch on the
epochs whose condition holds (``if``/``elif``/``else`` and ``a if c else b`` become masks and
``np.where``), a ``return`` retires its epochs. There is no Python loop over epochs. Python's
exceptions become per-epoch errors with their line, so the first failing epoch and its
reason are those of Keras calling the function once per epoch; ``tests/test_decay_function.py``
checks this, bit for bit, against the plain Python function with Hypothesis.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_, Message

from lrcore.schedules.decay_function import (
    _COMPARE,
    FLOAT32_MAX,
    MATH,
    MATH_CONSTANTS,
    RETURNS_INT,
    RETURNS_NONE,
    Function,
    _failed,
)

__all__ = ["vector_rates"]


@dataclass
class _Value:
    value: np.ndarray  # float64
    real: np.ndarray  # bool: a Python float here (else an int or a bool)


class _Vector:
    """Run a function that does not read ``lr`` over an array of epochs at once.

    Each statement acts on the epochs still running (``live``); a branch on the epochs
    whose condition holds; a ``return`` retires its epochs. Python's exceptions become a
    per-epoch error with its line, so the first failing epoch and its reason are Keras'.
    """

    def __init__(self, fn: Function, lr0: float, epochs: np.ndarray):
        n = epochs.shape[0]
        self.fn = fn
        self.n = n
        self.returned = np.zeros(n, bool)
        self.result = np.zeros(n)
        self.result_real = np.zeros(n, bool)
        self.error = np.zeros(n, bool)
        self.error_line = np.zeros(n, np.int64)
        self.error_what = np.full(n, -1, np.int64)
        self.reasons: list[str | Message] = []  # templates (marked N_), or messages with their fields
        e = epochs.astype(np.float64)
        self.env: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {
            fn.epoch: (e, np.zeros(n, bool), np.ones(n, bool)),
        }
        for name, default in fn.defaults:
            self.env[name] = (np.full(n, float(default)), np.full(n, type(default) is float), np.ones(n, bool))
        for name in fn.locals_ - set(self.env):  # assigned somewhere: unset until then (UnboundLocalError)
            self.env[name] = (np.zeros(n), np.zeros(n, bool), np.zeros(n, bool))
        self.globals = {"lr0": (np.full(n, float(lr0)), np.ones(n, bool))}

    # -- bookkeeping

    def fail(self, where: np.ndarray, reason: str | Message, node: ast.AST | None) -> None:
        new = where & ~self.error
        if new.any():
            if reason not in self.reasons:
                self.reasons.append(reason)
            self.error |= new
            self.error_line[new] = 0 if node is None else node.lineno
            self.error_what[new] = self.reasons.index(reason)

    def run(self) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(all="ignore"):
            self.block(self.fn.tree.body, np.ones(self.n, bool))
            missing = ~self.returned & ~self.error
            if missing.any():
                self.fail(missing, RETURNS_NONE, None)
            ints = self.returned & ~self.result_real & ~self.error
            if ints.any():
                self.fail(ints, RETURNS_INT, None)
        return self.result, self.error

    def block(self, statements: list[ast.stmt], live: np.ndarray) -> None:
        for s in statements:
            now = live & ~self.returned
            if not now.any():
                return
            self.statement(s, now)

    def statement(self, node: ast.stmt, live: np.ndarray) -> None:
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            if isinstance(node, ast.AugAssign):
                got = self.binary(node.op, self.name(node.target.id, live, node), self.expr(node.value, live), live, node)
            else:
                got = self.expr(node.value, live)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                old = self.env[t.id]
                self.env[t.id] = (
                    np.where(live, got.value, old[0]),
                    np.where(live, got.real, old[1]),
                    old[2] | live,
                )
        elif isinstance(node, ast.If):
            test = self.truth(self.expr(node.test, live))
            self.block(node.body, live & test)
            self.block(node.orelse, live & ~test)
        elif isinstance(node, ast.Return):
            got = self.expr(node.value, live)
            self.result = np.where(live, got.value, self.result)
            self.result_real = np.where(live, got.real, self.result_real)
            self.returned |= live
        # pass and docstrings do nothing

    # -- expressions

    @staticmethod
    def truth(v: _Value) -> np.ndarray:
        return v.value != 0  # NaN is truthy in Python too

    def name(self, name: str, live: np.ndarray, node: ast.AST) -> _Value:
        if name in self.env:
            value, real, defined = self.env[name]
            unset = live & ~defined
            if unset.any():
                self.fail(unset, Message(N_("{variable} is read before it is given a value"), variable=name), node)
            return _Value(value, real)
        value, real = self.globals[name]
        return _Value(value, real)

    def expr(self, node: ast.expr, live: np.ndarray) -> _Value:
        n = self.n
        if isinstance(node, ast.Constant):
            return _Value(np.full(n, float(node.value)), np.full(n, type(node.value) is float))
        if isinstance(node, ast.Name):
            return self.name(node.id, live, node)
        if isinstance(node, ast.Attribute):
            return _Value(np.full(n, MATH_CONSTANTS[node.attr]), np.ones(n, bool))
        if isinstance(node, ast.BinOp):
            return self.binary(node.op, self.expr(node.left, live), self.expr(node.right, live), live, node)
        if isinstance(node, ast.UnaryOp):
            v = self.expr(node.operand, live)
            if isinstance(node.op, ast.Not):
                return _Value((~self.truth(v)).astype(np.float64), np.zeros(n, bool))
            return _Value(-v.value if isinstance(node.op, ast.USub) else v.value, v.real)
        if isinstance(node, ast.BoolOp):
            out = self.expr(node.values[0], live)
            going = live.copy()
            for nxt in node.values[1:]:
                truth = self.truth(out)
                # `a and b` is b where a is true, a elsewhere; `a or b` the reverse
                take = truth if isinstance(node.op, ast.And) else ~truth
                going = going & take
                b = self.expr(nxt, going)
                out = _Value(np.where(take, b.value, out.value), np.where(take, b.real, out.real))
            return out
        if isinstance(node, ast.Compare):
            left = self.expr(node.left, live)
            result = np.ones(n, bool)
            going = live.copy()
            for op, comp in zip(node.ops, node.comparators):
                right = self.expr(comp, going)
                result = result & _COMPARE[type(op)](left.value, right.value)
                going = going & result
                left = right
            return _Value(result.astype(np.float64), np.zeros(n, bool))
        if isinstance(node, ast.IfExp):
            test = self.truth(self.expr(node.test, live))
            a = self.expr(node.body, live & test)
            b = self.expr(node.orelse, live & ~test)
            return _Value(np.where(test, a.value, b.value), np.where(test, a.real, b.real))
        assert isinstance(node, ast.Call)
        args = [self.expr(a, live) for a in node.args]
        if isinstance(node.func, ast.Attribute):
            return self.math_call(node.func.attr, args, live, node)
        return self.builtin(node.func.id, args, live, node)

    def binary(self, op: ast.operator, a: _Value, b: _Value, live: np.ndarray, node: ast.AST) -> _Value:
        x, y = a.value, b.value
        real = a.real | b.real
        kind = type(op)
        if kind in (ast.Div, ast.FloorDiv, ast.Mod):
            self.fail(live & (y == 0), N_("division by zero"), node)
            out = {ast.Div: np.true_divide, ast.FloorDiv: np.floor_divide, ast.Mod: np.mod}[kind](x, y)
            return _Value(out, np.ones(self.n, bool) if kind is ast.Div else real)
        if kind is ast.Pow:
            out = np.power(x, y)
            finite = np.isfinite(x) & np.isfinite(y)
            bad = live & finite & ~np.isfinite(out)
            out = np.where(live & ~bad, _libm(math.pow, [x, y], live & ~bad), out)
            self.fail(bad & (x == 0), N_("division by zero"), node)  # 0 ** negative
            self.fail(bad & np.isnan(out), N_("a negative number to a fractional power (Python would make it complex)"), node)
            self.fail(bad, N_("a number too large (overflow)"), node)
            return _Value(out, real | (~a.real & ~b.real & (y < 0)))  # int ** negative int is a float
        out = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply}[kind](x, y)
        if kind is ast.Mult:  # an int product past float range is refused, as _mul refuses it
            self.fail(live & ~real & np.isfinite(x) & np.isfinite(y) & ~np.isfinite(out), N_("a number too large (overflow)"), node)
        return _Value(out, real)

    def math_call(self, name: str, args: list[_Value], live: np.ndarray, node: ast.AST) -> _Value:
        _, np_fn, _, gives_int = MATH[name]
        values = [a.value for a in args]
        if gives_int:  # math.floor(inf) and math.floor(nan) raise
            x = values[0]
            self.fail(live & np.isinf(x), N_("a number too large (overflow)"), node)
            self.fail(live & np.isnan(x), N_("a math domain error (e.g. log of a number <= 0, sqrt of a negative)"), node)
            return _Value(np_fn(x), np.zeros(self.n, bool))
        if name == "log" and len(values) == 2:
            num, den = self._math(np.log, values[:1], live, node), self._math(np.log, values[1:], live, node)
            self.fail(live & (den == 0), N_("division by zero"), node)
            return _Value(num / den, np.ones(self.n, bool))
        return _Value(self._math(np_fn, values, live, node), np.ones(self.n, bool))

    def _math(self, np_fn, values: list[np.ndarray], live: np.ndarray, node: ast.AST) -> np.ndarray:
        """A math function: like CPython's, a NaN from no NaN is a domain error, an inf from finite inputs an overflow
        (or, for log(0), a domain error)."""
        out = np_fn(*values)
        no_nan = np.logical_and.reduce([~np.isnan(v) for v in values])
        finite = np.logical_and.reduce([np.isfinite(v) for v in values])
        domain = live & no_nan & np.isnan(out)
        infinite = live & finite & np.isinf(out)
        if np_fn in (np.log, np.log2, np.log10, np.log1p):
            domain = domain | infinite
        elif np_fn is np.power:
            domain = domain | (infinite & np.logical_or.reduce([v == 0 for v in values]))
        self.fail(domain, N_("a math domain error (e.g. log of a number <= 0, sqrt of a negative)"), node)
        self.fail(infinite, N_("a number too large (overflow)"), node)
        if np_fn in _EXACT:
            return out
        good = live & finite & np.isfinite(out)
        return np.where(good, _libm(_BY_NUMPY[np_fn], values, good), out)

    def builtin(self, name: str, args: list[_Value], live: np.ndarray, node: ast.AST) -> _Value:
        n = self.n
        if name == "abs":
            return _Value(np.abs(args[0].value), args[0].real)
        if name in ("min", "max"):
            # Python keeps the first of equal values and replaces only on a strict < (or >)
            out = args[0]
            for b in args[1:]:
                take = (b.value < out.value) if name == "min" else (b.value > out.value)
                out = _Value(np.where(take, b.value, out.value), np.where(take, b.real, out.real))
            return out
        if name == "float":
            return _Value(args[0].value, np.ones(n, bool))
        if name in ("int", "round"):
            x = args[0].value
            self.fail(live & np.isinf(x) & args[0].real, N_("a number too large (overflow)"), node)
            self.fail(live & np.isnan(x) & args[0].real, N_("a math domain error (a NaN is not a whole number)"), node)
            return _Value(np.trunc(x) if name == "int" else np.round(x), np.zeros(n, bool))
        assert name == "pow"
        return self.binary(ast.Pow(), args[0], args[1], live, node)


# IEEE-exact in NumPy as in C: no need for libm's copy.
_EXACT = {np.sqrt, np.fabs, np.floor, np.ceil, np.trunc}
_BY_NUMPY = {m[1]: m[0] for m in MATH.values()}


def _libm(py_fn: Callable[..., float], values: list[np.ndarray], where: np.ndarray) -> np.ndarray:
    """``py_fn`` (a function of Python's math) at each distinct argument where ``where``; NaN elsewhere.

    NumPy's SIMD exp, log, pow, tan, ... differ from the C library's (which Python's math and
    ``**`` call) in the last bit for a few per cent of arguments, and a ``math.floor`` can turn
    that bit into a whole step of the schedule. So the vectorised path takes its values
    from the same library Keras' Python call does: one call per distinct argument (a
    schedule has few: the epochs, or the few values of a floor), through ``np.frompyfunc``.
    """
    out = np.full(values[0].shape, np.nan)
    if not where.any():
        return out

    def safe(*args):
        try:
            return py_fn(*args)
        except (ValueError, ArithmeticError):  # ComplexResult, OverflowError, ZeroDivisionError  # at a boundary where NumPy's mask said fine
            return math.nan

    ufunc = np.frompyfunc(safe, len(values), 1)
    if len(values) == 1:
        distinct, back = np.unique(values[0][where], return_inverse=True)
        out[where] = ufunc(distinct).astype(np.float64)[back]
    else:
        x, y = (v[where] for v in values)  # a pair as one complex number: np.unique sorts those fast
        distinct, back = np.unique(x + 1j * y, return_inverse=True)
        out[where] = ufunc(distinct.real, distinct.imag).astype(np.float64)[back]
    return out


def vector_rates(fn: Function, lr0: float, epochs: np.ndarray) -> np.ndarray:
    """The rates of ``epochs`` (any order), for a function that does not read ``lr``; raises at the first failing epoch."""
    if fn.reads_lr:
        raise check.fail("expression", N_("expression: vector_rates is for functions that do not read lr; use Recurrence"))
    run = _Vector(fn, lr0, epochs)
    rates, error = run.run()
    bad = error | ~np.isfinite(rates) | (rates < 0) | (rates > FLOAT32_MAX)
    if bad.any():
        k = int(np.argmin(np.where(bad, epochs, np.iinfo(np.int64).max)))
        if error[k]:
            reason = run.reasons[run.error_what[k]]
            if not isinstance(reason, Message):  # a template; RETURNS_INT shows the integer returned
                reason = Message(reason, value=int(rates[k]) if np.isfinite(rates[k]) else rates[k])
            raise _failed(reason, int(epochs[k]), int(run.error_line[k]) or None)
        rate = Message(N_("the function gives the rate {rate:g}; a learning rate must be finite and >= 0"), rate=float(rates[k]))
        raise _failed(rate, int(epochs[k]), None)
    return rates
