r"""Bring your own function: a Keras ``LearningRateScheduler`` function, pasted as Python.

The decay article hands Keras a Python function, ``LearningRateScheduler(DecayFunction)``.
A teacher pastes such a function as it stands::

    def step_decay(epoch):
        initial_lrate = 0.1
        drop = 0.5
        epochs_drop = 10.0
        return initial_lrate * math.pow(drop, math.floor((1 + epoch) / epochs_drop))

and :func:`lrcore.schedules.formula` (which hands a ``def`` to this module) reproduces what
Keras 3 does with it
(``keras/src/callbacks/learning_rate_scheduler.py``): at the start of epoch ``e`` (from 0)
it calls ``schedule(e, lr)`` with ``lr = float(optimizer.learning_rate)``, falling back to
``schedule(e)`` when that raises ``TypeError`` (a one-argument function); it refuses a
result that is not a ``float`` (``return 1`` is an int: Keras raises), and stores the
result in the optimizer's float32 variable, where it holds for every step of the epoch.
So a function that reads ``lr`` is a recurrence whose fed-back rate is float32-rounded,
starting from ``float32(lr0)``.

**The sandbox.** The source is parsed with :mod:`ast` and every node is checked against a
whitelist before anything runs: one ``def`` with one or two parameters (more only with
number defaults), whose body is assignments, ``if``/``elif``/``else``, ``return`` and
``pass``; numbers, arithmetic, comparisons, ``and``/``or``/``not``, conditional
expressions, the built-ins in :data:`BUILTINS` and ``math.<name>`` for the names in
:data:`MATH`. No loops, imports, other attribute access, indexing, strings, lambdas,
comprehensions, ``global``/``nonlocal``, ``try``, ``with``, nested ``def``/``class``,
decorators or calls to anything else (so no recursion: the function cannot call itself).
The source is at most :data:`MAX_SOURCE` characters and :data:`MAX_NODES` syntax nodes,
so one call does a bounded amount of work; integer powers are capped so ``9**9**9``
cannot stall the server.

**Two ways to run it.**

* If the body never reads ``lr``, the rates of all epochs are independent and are computed
  at once over an array of epochs (:class:`_Vector`): each branch runs on the epochs that
  take it (``if``/``elif``/``else`` and ``a if c else b`` become masks and ``np.where``),
  with no Python loop over epochs. Python's exceptions (division by zero, a math domain
  error, an overflow in ``**`` or ``math.exp``, an int returned) are tracked per epoch, so
  the first failing epoch is the one Keras would stop at.
* If it reads ``lr``, it is run once per epoch in order (:func:`_recurrence`), as Keras
  does: the checked tree is compiled and called with no built-ins but the whitelisted ones
  and a ``math`` holding only the whitelisted functions. At most :data:`MAX_EPOCHS` epochs,
  and at most :data:`TIME_LIMIT` seconds.

``tests/test_decay_function.py`` checks both against the real Python function (Hypothesis)
and against Keras 3's callback driving ``model.fit``.
"""

from __future__ import annotations

import ast
import math
import re
import struct
import threading
import time
import types
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from lrcore import _checks as check

__all__ = ["MAX_SOURCE", "MAX_NODES", "MAX_EPOCHS", "TIME_LIMIT", "MATH", "BUILTINS", "Function", "parse", "is_function"]

MAX_SOURCE = 2000  # characters: a pasted function, not a program
MAX_NODES = 600  # syntax nodes, so one call is a bounded amount of work
MAX_EPOCHS = 100_000  # a recurrence runs once per epoch, in Python
TIME_LIMIT = 5.0  # seconds for a whole recurrence, a guard on top of the two bounds above
MAX_INT = 2**53  # integer literals beyond this are not exact as float64

# math.<name>: (math function, NumPy function, number of arguments, returns an int)
MATH: dict[str, tuple[Callable[..., Any], Callable[..., Any], tuple[int, ...], bool]] = {
    "floor": (math.floor, np.floor, (1,), True),
    "ceil": (math.ceil, np.ceil, (1,), True),
    "trunc": (math.trunc, np.trunc, (1,), True),
    "exp": (math.exp, np.exp, (1,), False),
    "expm1": (math.expm1, np.expm1, (1,), False),
    "log": (math.log, np.log, (1, 2), False),
    "log2": (math.log2, np.log2, (1,), False),
    "log10": (math.log10, np.log10, (1,), False),
    "log1p": (math.log1p, np.log1p, (1,), False),
    "sqrt": (math.sqrt, np.sqrt, (1,), False),
    "pow": (math.pow, np.power, (2,), False),
    "cos": (math.cos, np.cos, (1,), False),
    "sin": (math.sin, np.sin, (1,), False),
    "tan": (math.tan, np.tan, (1,), False),
    "tanh": (math.tanh, np.tanh, (1,), False),
    "atan": (math.atan, np.arctan, (1,), False),
    "fabs": (math.fabs, np.fabs, (1,), False),
}
MATH_CONSTANTS = {"pi": math.pi, "e": math.e, "tau": math.tau}
# Built-ins a decay function uses: name -> number of arguments (min, max).
BUILTINS = {"abs": (1, 1), "min": (2, 8), "max": (2, 8), "float": (1, 1), "int": (1, 1), "round": (1, 1), "pow": (2, 2)}
GLOBALS = ("lr0",)  # the lab's initial rate, readable inside the function

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}
_COMPARE = {ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater, ast.GtE: np.greater_equal,
            ast.Eq: np.equal, ast.NotEq: np.not_equal}  # fmt: skip

# What a refused construct is called in a message.
_NAMES = {
    ast.For: "a for loop (no loops: write the rule for one epoch; Keras calls it every epoch)",
    ast.AsyncFor: "a for loop",
    ast.While: "a while loop (no loops: write the rule for one epoch; Keras calls it every epoch)",
    ast.Import: "an import (math is already there: write math.floor, math.exp, ...)",
    ast.ImportFrom: "an import (math is already there: write math.floor, math.exp, ...)",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Global: "global",
    ast.Nonlocal: "nonlocal",
    ast.Try: "try",
    ast.With: "with",
    ast.AsyncWith: "with",
    ast.FunctionDef: "a nested def",
    ast.AsyncFunctionDef: "a nested def",
    ast.ClassDef: "a class",
    ast.Subscript: "indexing",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.Starred: "*arguments",
    ast.Raise: "raise",
    ast.Assert: "assert",
    ast.Delete: "del",
    ast.NamedExpr: "the := operator",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.JoinedStr: "a string",
    ast.Break: "break",
    ast.Continue: "continue",
}
if hasattr(ast, "TryStar"):
    _NAMES[ast.TryStar] = "try"
if hasattr(ast, "Match"):
    _NAMES[ast.Match] = "match"


_CODE = re.compile(r"\s*(def|class|import|from|async)\b|\s*@")


def is_function(text: Any) -> bool:
    """Whether a formula box holds a ``def`` (a function) rather than an expression."""
    return isinstance(text, str) and (_CODE.match(text) is not None or "\n" in text.strip())


def _refused(message: str, node: ast.AST | None = None) -> check.ParameterError:
    where = f", line {node.lineno}" if node is not None and hasattr(node, "lineno") else ""
    return check.fail("expression", f"expression{where}: {message}")


# --------------------------------------------------------------------------- parse and check


@dataclass(frozen=True)
class Function:
    """A checked decay function: its tree, its parameters and how Keras calls it."""

    source: str
    name: str
    tree: ast.FunctionDef
    epoch: str  # the first parameter's name
    lr: str | None  # the second's, when Keras passes the rate (two-parameter functions)
    defaults: tuple[tuple[str, float], ...]  # later parameters, at their number defaults
    reads_lr: bool
    locals_: frozenset[str] = field(default=frozenset())

    @property
    def recurrence(self) -> bool:
        return self.reads_lr


def parse(source: str) -> Function:
    """Check ``source`` against the whitelist; raise :class:`ParameterError` naming what and where."""
    if not isinstance(source, str) or not source.strip():
        raise _refused("must be a Python function, e.g. def decay(epoch, lr): return lr * 0.9")
    if len(source) > MAX_SOURCE:
        raise _refused(f"a function must be at most {MAX_SOURCE} characters; got {len(source)}")
    text = source.expandtabs(4)
    try:
        module = ast.parse(text, mode="exec")
    except SyntaxError as err:
        raise check.fail(
            "expression", f"expression, line {err.lineno}: not valid Python: {err.msg} (column {err.offset})"
        ) from None
    except (RecursionError, MemoryError):
        raise _refused("nested too deeply") from None
    nodes = sum(1 for _ in ast.walk(module))
    if nodes > MAX_NODES:
        raise _refused(f"a function may have at most {MAX_NODES} syntax nodes; this one has {nodes}")
    body = module.body
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            raise _refused("may not contain " + _NAMES[type(node)], node)
    if len(body) != 1 or not isinstance(body[0], ast.FunctionDef):
        where = body[1] if len(body) > 1 and isinstance(body[0], ast.FunctionDef) else body[0] if body else None
        raise _refused("must be exactly one def and nothing else, e.g. def decay(epoch, lr): ...", where)
    fn = body[0]
    if fn.decorator_list:
        raise _refused("may not have a decorator", fn.decorator_list[0])
    args = fn.args
    if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
        raise _refused("takes plain parameters only: def name(epoch) or def name(epoch, lr)", fn)
    names = [a.arg for a in args.args]
    if not names:
        raise _refused("must take the epoch: def name(epoch) or def name(epoch, lr)", fn)
    for default in args.defaults:
        if _number(default) is None:
            raise _refused("a parameter's default must be a plain number", default)
    required = len(names) - len(args.defaults)
    if required > 2:
        raise _refused(f"Keras passes two arguments (epoch, lr); {fn.name} needs {required}", fn)
    # Keras calls schedule(epoch, lr); a function that cannot take two is called schedule(epoch).
    given = names[:2] if len(names) >= 2 else names[:1]
    first_default = len(names) - len(args.defaults)
    defaults = tuple((n, _number(args.defaults[i - first_default])) for i, n in enumerate(names) if i >= len(given))
    if len(set(names)) != len(names):
        raise _refused("has two parameters of the same name", fn)
    for name in names:
        if name in GLOBALS or name in BUILTINS or name == "math" or name.startswith("_"):
            raise _refused(f"may not use {name!r} as a parameter name", fn)
    assigned = {t.id for node in ast.walk(fn) for t in _targets(node)}
    checker = _Checker(fn.name, set(names) | assigned)
    if not fn.body or all(_is_docstring(s) for s in fn.body):
        raise _refused("has no body", fn)
    for statement in fn.body:
        checker.statement(statement)
    lr = given[1] if len(given) == 2 else None
    reads_lr = lr is not None and any(isinstance(n, ast.Name) and n.id == lr and isinstance(n.ctx, ast.Load) for n in ast.walk(fn))
    return Function(source, fn.name, fn, given[0], lr, defaults, reads_lr, frozenset(assigned))


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str)


def _number(node: ast.AST) -> float | int | None:
    """A number literal (with an optional sign), or None."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -1 if isinstance(node.op, ast.USub) else 1
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return sign * node.value
    return None


def _targets(node: ast.AST) -> list[ast.Name]:
    if isinstance(node, ast.Assign):
        return [t for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)) and isinstance(node.target, ast.Name):
        return [node.target]
    return []


class _Checker:
    def __init__(self, function_name: str, local_names: set[str]):
        self.function_name = function_name
        self.local_names = local_names

    def refuse(self, node: ast.AST) -> check.ParameterError:
        what = _NAMES.get(type(node))
        if what is None:
            try:
                what = repr(ast.unparse(node))[:60]
            except Exception:  # pragma: no cover - unparse handles every node the parser makes
                what = type(node).__name__
        return _refused(f"may not contain {what}", node)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self.target(target)
            self.expr(node.value)
        elif isinstance(node, ast.AugAssign):
            self.target(node.target)
            if type(node.op) not in _BINARY:
                raise _refused(f"may not use the operator in {ast.unparse(node)!r}", node)
            self.expr(node.value)
        elif isinstance(node, ast.AnnAssign):
            self.target(node.target)
            if node.value is None:
                raise _refused("an annotation needs a value: x: float = 0.1", node)
            self.expr(node.value)
        elif isinstance(node, ast.If):
            self.expr(node.test)
            for s in node.body + node.orelse:
                self.statement(s)
        elif isinstance(node, ast.Return):
            if node.value is None:
                raise _refused("return needs a value: Keras needs a float learning rate", node)
            self.expr(node.value)
        elif isinstance(node, ast.Pass) or _is_docstring(node):
            pass
        elif isinstance(node, ast.Expr):
            raise _refused(f"a line that only computes {ast.unparse(node.value)!r} does nothing; assign or return it", node)
        else:
            raise self.refuse(node)

    def target(self, node: ast.AST) -> None:
        if not isinstance(node, ast.Name):
            raise _refused(f"may only assign to a plain name; got {ast.unparse(node)!r}", node)
        if node.id in GLOBALS or node.id in BUILTINS or node.id == "math" or node.id.startswith("_"):
            raise _refused(f"may not assign to {node.id!r}", node)

    def expr(self, node: ast.expr) -> None:
        if isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                raise _refused(f"may only contain numbers; got {node.value!r}", node)
            if type(node.value) is int and abs(node.value) > MAX_INT:
                raise _refused("has an integer beyond 2**53, too large to be exact as a float", node)
        elif isinstance(node, ast.Name):
            if node.id == "math":
                raise _refused("uses math on its own; write math.<name>, e.g. math.exp(x)", node)
            if node.id in BUILTINS:
                raise _refused(f"uses {node.id} without calling it", node)
            if node.id == self.function_name:
                raise _refused(f"may not use its own name {node.id!r} (no recursion)", node)
            if node.id not in self.local_names and node.id not in GLOBALS:
                raise _refused(
                    f"uses unknown name {node.id!r}; a function sees its parameters, its own variables, "
                    "lr0 and math.<name>", node,
                )  # fmt: skip
        elif isinstance(node, ast.Attribute):
            self.math_name(node, constant=True)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise _refused(f"may not use the operator in {ast.unparse(node)!r}", node)
            self.expr(node.left)
            self.expr(node.right)
        elif isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Invert):
                raise _refused(f"may not use ~ in {ast.unparse(node)!r}", node)
            self.expr(node.operand)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self.expr(value)
        elif isinstance(node, ast.Compare):
            for op in node.ops:
                if type(op) not in _COMPARE:
                    raise _refused(f"may only compare with < <= > >= == !=; got {ast.unparse(node)!r}", node)
            self.expr(node.left)
            for c in node.comparators:
                self.expr(c)
        elif isinstance(node, ast.IfExp):
            self.expr(node.test)
            self.expr(node.body)
            self.expr(node.orelse)
        elif isinstance(node, ast.Call):
            self.call(node)
        else:
            raise self.refuse(node)

    def math_name(self, node: ast.Attribute, constant: bool) -> None:
        if not (isinstance(node.value, ast.Name) and node.value.id == "math"):
            raise _refused(
                f"may not use {ast.unparse(node)!r}: the only attributes allowed are math.<name> "
                "(write math.exp, not np.exp or ops.exp)", node,
            )  # fmt: skip
        known = MATH_CONSTANTS if constant else MATH
        if node.attr not in known:
            if constant and node.attr in MATH:
                raise _refused(f"uses math.{node.attr} without calling it", node)
            allowed = ", ".join(f"math.{n}" for n in known)
            raise _refused(f"uses math.{node.attr}, which is not allowed; allowed: {allowed}", node)

    def call(self, node: ast.Call) -> None:
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise _refused(f"calls with keywords or *args: {ast.unparse(node)!r}", node)
        func = node.func
        if isinstance(func, ast.Attribute):
            self.math_name(func, constant=False)
            arities = MATH[func.attr][2]
            label = f"math.{func.attr}()"
        elif isinstance(func, ast.Name):
            if func.id == self.function_name:
                raise _refused(f"calls itself ({func.id}): no recursion", node)
            if func.id not in BUILTINS:
                allowed = ", ".join(BUILTINS) + ", math." + ", math.".join(MATH)
                raise _refused(f"calls unknown function {func.id!r}; allowed: {allowed}", node)
            low, high = BUILTINS[func.id]
            arities = tuple(range(low, high + 1))
            label = f"{func.id}()"
        else:
            raise _refused(f"may only call a named function; got {ast.unparse(node)!r}", node)
        if len(node.args) not in arities:
            wanted = " or ".join(map(str, arities)) if len(arities) <= 2 else f"{arities[0]} to {arities[-1]}"
            raise _refused(f"{label} takes {wanted} argument(s); got {len(node.args)}", node)
        for arg in node.args:
            self.expr(arg)


# --------------------------------------------------------------------------- one call at a time, as Keras calls it


def _pow(a, b):
    """Python's ``a ** b``, refusing what Python would make complex or what would not fit a float."""
    if type(a) is int and type(b) is int and b > 0 and a not in (0, 1, -1):
        if b * math.log2(abs(a)) >= 1024:
            raise OverflowError("integer power too large for a float")
    result = a**b
    if isinstance(result, complex):
        raise ValueError("a negative number to a fractional power (Python would make it complex)")
    return result


def _mul(a, b):
    """Python's ``a * b``, refusing an integer product that would not fit a float (so ints cannot grow without end)."""
    if type(a) is int and type(b) is int and a and b and a.bit_length() + b.bit_length() > 1025:
        raise OverflowError("integer product too large for a float")
    return a * b


_GUARDED = {ast.Pow: "_pow", ast.Mult: "_mul"}


class _Guard(ast.NodeTransformer):
    """``a ** b``, ``pow(a, b)`` and ``a * b`` call :func:`_pow` and :func:`_mul`."""

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if type(node.op) in _GUARDED:
            call = ast.Call(ast.Name(_GUARDED[type(node.op)], ast.Load()), [node.left, node.right], [])
            return ast.copy_location(call, node)
        return node

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        if type(node.op) in _GUARDED:
            load = ast.Name(node.target.id, ast.Load())
            call = ast.Call(ast.Name(_GUARDED[type(node.op)], ast.Load()), [load, node.value], [])
            return ast.copy_location(ast.Assign([node.target], ast.copy_location(call, node)), node)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "pow":
            node.func = ast.copy_location(ast.Name("_pow", ast.Load()), node.func)
        return node

    def visit_AnnAssign(self, node):
        self.generic_visit(node)
        return ast.copy_location(ast.Assign([node.target], node.value), node)


_FILENAME = "<your function>"
_SAFE_BUILTINS = {"abs": abs, "min": min, "max": max, "float": float, "int": int, "round": round}


def compiled(fn: Function, lr0: float) -> Callable[..., Any]:
    """The checked function as Python, as Keras would call it (no built-ins but the whitelisted ones)."""
    tree = _Guard().visit(ast.fix_missing_locations(ast.Module([_strip_annotations(fn.tree)], type_ignores=[])))
    ast.fix_missing_locations(tree)
    namespace = types.SimpleNamespace(**{n: m[0] for n, m in MATH.items()}, **MATH_CONSTANTS)
    scope = {"__builtins__": dict(_SAFE_BUILTINS), "math": namespace, "lr0": lr0, "_pow": _pow, "_mul": _mul}
    exec(compile(tree, _FILENAME, "exec"), scope)  # the tree passed the whitelist in parse()
    return scope[fn.name]


def _strip_annotations(fn: ast.FunctionDef) -> ast.FunctionDef:
    import copy

    fn = copy.deepcopy(fn)
    fn.returns = None
    for a in fn.args.args:
        a.annotation = None
    return fn


def _error_line(err: BaseException) -> int | None:
    tb, line = err.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _why(err: BaseException) -> str:
    if isinstance(err, ZeroDivisionError):
        return "division by zero"
    if isinstance(err, OverflowError):
        return "a number too large (overflow)"
    if isinstance(err, ValueError) and "complex" in str(err):
        return str(err)
    if isinstance(err, ValueError):
        return "a math domain error (e.g. log of a number <= 0, sqrt of a negative)"
    if isinstance(err, UnboundLocalError):
        return str(err)
    return f"{type(err).__name__}: {err}"


def _failed(what: str, epoch: int, line: int | None) -> check.ParameterError:
    where = f", line {line}" if line else ""
    return check.fail("expression", f"expression{where}: {what} at epoch {epoch}")


def _float32(x: float) -> float:
    """The rate as Keras stores it (a float32 variable), read back as a Python float."""
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:  # beyond float32's range: the variable holds inf
        return math.copysign(math.inf, x)


FLOAT32_MAX = float(np.finfo(np.float32).max)


RETURNS_INT = "the function returns the integer {value}; Keras needs a float (write {value}.0 or float(...))"
RETURNS_NONE = "the function returns None (no return reached); Keras needs a float"


def _checked_rate(value: Any, epoch: int) -> float:
    if isinstance(value, (bool, int)):
        raise _failed(RETURNS_INT.format(value=int(value)), epoch, None)
    if value is None:
        raise _failed(RETURNS_NONE, epoch, None)
    if not isinstance(value, float):
        raise _failed(f"the function returns {value!r}; Keras needs a float", epoch, None)
    if not (math.isfinite(value) and 0 <= value <= FLOAT32_MAX):
        raise _failed(f"the function gives the rate {value:g}; a learning rate must be finite and >= 0", epoch, None)
    return value


def call(python: Callable[..., Any], fn: Function, epoch: int, lr: float) -> float:
    """One Keras call: ``schedule(epoch, lr)``, or ``schedule(epoch)`` for a one-parameter function."""
    try:
        value = python(epoch, lr) if fn.lr is not None else python(epoch)
    except Exception as err:  # noqa: BLE001 - the sandbox allows only arithmetic: these are its failures
        raise _failed(_why(err), epoch, _error_line(err)) from None
    return _checked_rate(value, epoch)


class Recurrence:
    """Rates epoch by epoch, each call fed the previous (float32) rate; computed once, extended on demand."""

    def __init__(self, fn: Function, lr0: float):
        self.fn = fn
        self.python = compiled(fn, lr0)
        self.rates: list[float] = []
        self.feed = _float32(lr0)  # what optimizer.learning_rate holds before the first epoch
        self.lock = threading.Lock()

    def upto(self, last_epoch: int) -> np.ndarray:
        if last_epoch >= MAX_EPOCHS:
            raise check.fail(
                "expression",
                f"expression: a function that reads {self.fn.lr} runs once per epoch, for at most {MAX_EPOCHS:,} "
                f"epochs; this plot needs {last_epoch + 1:,}. Show fewer steps or more steps per epoch.",
            )
        with self.lock:
            start = time.perf_counter()
            python, fn, rates = self.python, self.fn, self.rates
            for epoch in range(len(rates), last_epoch + 1):
                rate = call(python, fn, epoch, self.feed)
                rates.append(rate)
                self.feed = _float32(rate)
                if epoch % 1024 == 0 and time.perf_counter() - start > TIME_LIMIT:
                    raise check.fail("expression", f"expression: the function took over {TIME_LIMIT:g} s by epoch {epoch}")
            return np.asarray(rates[: last_epoch + 1], dtype=np.float64)


# --------------------------------------------------------------------------- all epochs at once


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
        self.reasons: list[str] = []
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

    def fail(self, where: np.ndarray, reason: str, node: ast.AST | None) -> None:
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
                self.fail(unset, f"{name} is read before it is given a value", node)
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
            self.fail(live & (y == 0), "division by zero", node)
            out = {ast.Div: np.true_divide, ast.FloorDiv: np.floor_divide, ast.Mod: np.mod}[kind](x, y)
            return _Value(out, np.ones(self.n, bool) if kind is ast.Div else real)
        if kind is ast.Pow:
            out = np.power(x, y)
            finite = np.isfinite(x) & np.isfinite(y)
            bad = live & finite & ~np.isfinite(out)
            out = np.where(live & ~bad, _libm(math.pow, [x, y], live & ~bad), out)
            self.fail(bad & (x == 0), "division by zero", node)  # 0 ** negative
            self.fail(bad & np.isnan(out), "a negative number to a fractional power (Python would make it complex)", node)
            self.fail(bad, "a number too large (overflow)", node)
            return _Value(out, real | (~a.real & ~b.real & (y < 0)))  # int ** negative int is a float
        out = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply}[kind](x, y)
        if kind is ast.Mult:  # an int product past float range is refused, as _mul refuses it
            self.fail(live & ~real & np.isfinite(x) & np.isfinite(y) & ~np.isfinite(out), "a number too large (overflow)", node)
        return _Value(out, real)

    def math_call(self, name: str, args: list[_Value], live: np.ndarray, node: ast.AST) -> _Value:
        _, np_fn, _, gives_int = MATH[name]
        values = [a.value for a in args]
        if gives_int:  # math.floor(inf) and math.floor(nan) raise
            x = values[0]
            self.fail(live & np.isinf(x), "a number too large (overflow)", node)
            self.fail(live & np.isnan(x), "a math domain error (e.g. log of a number <= 0, sqrt of a negative)", node)
            return _Value(np_fn(x), np.zeros(self.n, bool))
        if name == "log" and len(values) == 2:
            num, den = self._math(np.log, values[:1], live, node), self._math(np.log, values[1:], live, node)
            self.fail(live & (den == 0), "division by zero", node)
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
        self.fail(domain, "a math domain error (e.g. log of a number <= 0, sqrt of a negative)", node)
        self.fail(infinite, "a number too large (overflow)", node)
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
            self.fail(live & np.isinf(x) & args[0].real, "a number too large (overflow)", node)
            self.fail(live & np.isnan(x) & args[0].real, "a math domain error (a NaN is not a whole number)", node)
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
        except (ValueError, OverflowError, ZeroDivisionError):  # at a boundary where NumPy's mask said fine
            return math.nan

    ufunc = np.frompyfunc(safe, len(values), 1)
    if len(values) == 1:
        distinct, back = np.unique(values[0][where], return_inverse=True)
        out[where] = ufunc(distinct).astype(np.float64)[back]
    else:
        distinct, back = np.unique(np.stack([v[where] for v in values], axis=1), axis=0, return_inverse=True)
        out[where] = ufunc(*distinct.T).astype(np.float64)[back.reshape(-1)]
    return out


def vector_rates(fn: Function, lr0: float, epochs: np.ndarray) -> np.ndarray:
    """The rates of ``epochs`` (any order), for a function that does not read ``lr``; raises at the first failing epoch."""
    if fn.reads_lr:
        raise ValueError("vector_rates is for functions that do not read lr; use Recurrence")
    run = _Vector(fn, lr0, epochs)
    rates, error = run.run()
    bad = error | ~np.isfinite(rates) | (rates < 0) | (rates > FLOAT32_MAX)
    if bad.any():
        k = int(np.argmin(np.where(bad, epochs, np.iinfo(np.int64).max)))
        if error[k]:
            reason = run.reasons[run.error_what[k]].format(value=int(rates[k]) if np.isfinite(rates[k]) else rates[k])
            raise _failed(reason, int(epochs[k]), int(run.error_line[k]) or None)
        raise _failed(f"the function gives the rate {float(rates[k]):g}; a learning rate must be finite and >= 0", int(epochs[k]), None)
    return rates


def tex_call(fn: Function, epoch: str, numeric_lr0: str) -> str:
    """``decay(e)``, or for a recurrence ``decay(e, η_{e-1})`` with η_{-1} the initial rate."""
    name = r"\mathrm{" + fn.name.replace("_", r"\_") + "}"
    if not fn.reads_lr:
        return rf"{name}\left({epoch}\right)"
    return rf"{name}\left(e,\ \eta_{{e-1}}\right),\quad e = {epoch},\ \eta_{{-1}} = {numeric_lr0}"
