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
  at once over an array of epochs (:mod:`lrcore.schedules.decay_vector`): each branch runs on the epochs that
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
import copy
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
from lrcore._text import N_, Message

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

# What a refused construct is called in a message (a template of its own: Python's keywords too,
# which a translation may quote as code).
_NAMES = {
    ast.For: N_("a for loop (no loops: write the rule for one epoch; Keras calls it every epoch)"),
    ast.AsyncFor: N_("a for loop"),
    ast.While: N_("a while loop (no loops: write the rule for one epoch; Keras calls it every epoch)"),
    ast.Import: N_("an import (math is already there: write math.floor, math.exp, ...)"),
    ast.ImportFrom: N_("an import (math is already there: write math.floor, math.exp, ...)"),
    ast.Lambda: N_("a lambda"),
    ast.ListComp: N_("a comprehension"),
    ast.SetComp: N_("a comprehension"),
    ast.DictComp: N_("a comprehension"),
    ast.GeneratorExp: N_("a comprehension"),
    ast.Global: N_("global"),
    ast.Nonlocal: N_("nonlocal"),
    ast.Try: N_("try"),
    ast.With: N_("with"),
    ast.AsyncWith: N_("with"),
    ast.FunctionDef: N_("a nested def"),
    ast.AsyncFunctionDef: N_("a nested def"),
    ast.ClassDef: N_("a class"),
    ast.Subscript: N_("indexing"),
    ast.List: N_("a list"),
    ast.Tuple: N_("a tuple"),
    ast.Dict: N_("a dict"),
    ast.Set: N_("a set"),
    ast.Starred: N_("*arguments"),
    ast.Raise: N_("raise"),
    ast.Assert: N_("assert"),
    ast.Delete: N_("del"),
    ast.NamedExpr: N_("the := operator"),
    ast.Await: N_("await"),
    ast.Yield: N_("yield"),
    ast.YieldFrom: N_("yield"),
    ast.JoinedStr: N_("a string"),
    ast.Break: N_("break"),
    ast.Continue: N_("continue"),
}
if hasattr(ast, "TryStar"):
    _NAMES[ast.TryStar] = N_("try")
if hasattr(ast, "Match"):
    _NAMES[ast.Match] = N_("match")


_CODE = re.compile(r"\s*(def|class|import|from|async)\b|\s*@")


def is_function(text: Any) -> bool:
    """Whether a formula box holds a ``def`` (a function) rather than an expression."""
    return isinstance(text, str) and (_CODE.match(text) is not None or "\n" in text.strip())


def _refused(message: str, node: ast.AST | None = None, **fields) -> check.ParameterError:
    """``expression[, line n]: message``; ``message`` is a template of its own (marked ``N_``)."""
    what = Message(message, **fields)
    if node is not None and hasattr(node, "lineno"):
        return check.fail("expression", N_("expression, line {line}: {what}"), line=node.lineno, what=what)
    return check.fail("expression", N_("expression: {what}"), what=what)


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
        raise _refused(N_("must be a Python function, e.g. def decay(epoch, lr): return lr * 0.9"))
    if len(source) > MAX_SOURCE:
        raise _refused(N_("a function must be at most {most} characters; got {count}"), most=MAX_SOURCE, count=len(source))
    text = source.expandtabs(4)
    try:
        module = ast.parse(text, mode="exec")
    except SyntaxError as err:
        raise check.fail(
            "expression", N_("expression, line {line}: not valid Python: {error} (column {column})"),
            line=err.lineno, error=err.msg, column=err.offset,
        ) from None
    except (RecursionError, MemoryError):
        raise _refused(N_("nested too deeply")) from None
    nodes = sum(1 for _ in ast.walk(module))
    if nodes > MAX_NODES:
        raise _refused(N_("a function may have at most {most} syntax nodes; this one has {count}"), most=MAX_NODES, count=nodes)
    body = module.body
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            raise _refused(N_("may not contain {what}"), node, what=Message(_NAMES[type(node)]))
    if len(body) != 1 or not isinstance(body[0], ast.FunctionDef):
        where = body[1] if len(body) > 1 and isinstance(body[0], ast.FunctionDef) else body[0] if body else None
        raise _refused(N_("must be exactly one def and nothing else, e.g. def decay(epoch, lr): ..."), where)
    fn = body[0]
    if fn.decorator_list:
        raise _refused(N_("may not have a decorator"), fn.decorator_list[0])
    args = fn.args
    if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
        raise _refused(N_("takes plain parameters only: def name(epoch) or def name(epoch, lr)"), fn)
    names = [a.arg for a in args.args]
    if not names:
        raise _refused(N_("must take the epoch: def name(epoch) or def name(epoch, lr)"), fn)
    for default in args.defaults:
        if _number(default) is None:
            raise _refused(N_("a parameter's default must be a plain number"), default)
    required = len(names) - len(args.defaults)
    if required > 2:
        raise _refused(N_("Keras passes two arguments (epoch, lr); {function} needs {count}"), fn, function=fn.name, count=required)
    # Keras calls schedule(epoch, lr); a function that cannot take two is called schedule(epoch).
    given = names[:2] if len(names) >= 2 else names[:1]
    first_default = len(names) - len(args.defaults)
    defaults = tuple((n, _number(args.defaults[i - first_default])) for i, n in enumerate(names) if i >= len(given))
    if len(set(names)) != len(names):
        raise _refused(N_("has two parameters of the same name"), fn)
    for name in names:
        if name in GLOBALS or name in BUILTINS or name == "math" or name.startswith("_"):
            raise _refused(N_("may not use {got!r} as a parameter name"), fn, got=name)
    assigned = {t.id for node in ast.walk(fn) for t in _targets(node)}
    checker = _Checker(fn.name, set(names) | assigned)
    if not fn.body or all(_is_docstring(s) for s in fn.body):
        raise _refused(N_("has no body"), fn)
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
        else:
            what = Message(what)
        return _refused(N_("may not contain {what}"), node, what=what)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self.target(target)
            self.expr(node.value)
        elif isinstance(node, ast.AugAssign):
            self.target(node.target)
            if type(node.op) not in _BINARY:
                raise _refused(N_("may not use the operator in {code!r}"), node, code=ast.unparse(node))
            self.expr(node.value)
        elif isinstance(node, ast.AnnAssign):
            self.target(node.target)
            if node.value is None:
                raise _refused(N_("an annotation needs a value: x: float = 0.1"), node)
            self.expr(node.value)
        elif isinstance(node, ast.If):
            self.expr(node.test)
            for s in node.body + node.orelse:
                self.statement(s)
        elif isinstance(node, ast.Return):
            if node.value is None:
                raise _refused(N_("return needs a value: Keras needs a float learning rate"), node)
            self.expr(node.value)
        elif isinstance(node, ast.Pass) or _is_docstring(node):
            pass
        elif isinstance(node, ast.Expr):
            raise _refused(N_("a line that only computes {code!r} does nothing; assign or return it"), node, code=ast.unparse(node.value))
        else:
            raise self.refuse(node)

    def target(self, node: ast.AST) -> None:
        if not isinstance(node, ast.Name):
            raise _refused(N_("may only assign to a plain name; got {code!r}"), node, code=ast.unparse(node))
        if node.id in GLOBALS or node.id in BUILTINS or node.id == "math" or node.id.startswith("_"):
            raise _refused(N_("may not assign to {got!r}"), node, got=node.id)

    def expr(self, node: ast.expr) -> None:
        if isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                raise _refused(N_("may only contain numbers; got {got!r}"), node, got=node.value)
            if type(node.value) is int and abs(node.value) > MAX_INT:
                raise _refused(N_("has an integer beyond 2**53, too large to be exact as a float"), node)
        elif isinstance(node, ast.Name):
            if node.id == "math":
                raise _refused(N_("uses math on its own; write math.<name>, e.g. math.exp(x)"), node)
            if node.id in BUILTINS:
                raise _refused(N_("uses {got} without calling it"), node, got=node.id)
            if node.id == self.function_name:
                raise _refused(N_("may not use its own name {got!r} (no recursion)"), node, got=node.id)
            if node.id not in self.local_names and node.id not in GLOBALS:
                raise _refused(
                    N_("uses unknown name {got!r}; a function sees its parameters, its own variables, lr0 and math.<name>"),
                    node, got=node.id,
                )  # fmt: skip
        elif isinstance(node, ast.Attribute):
            self.math_name(node, constant=True)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise _refused(N_("may not use the operator in {code!r}"), node, code=ast.unparse(node))
            self.expr(node.left)
            self.expr(node.right)
        elif isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Invert):
                raise _refused(N_("may not use ~ in {code!r}"), node, code=ast.unparse(node))
            self.expr(node.operand)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self.expr(value)
        elif isinstance(node, ast.Compare):
            for op in node.ops:
                if type(op) not in _COMPARE:
                    raise _refused(N_("may only compare with < <= > >= == !=; got {code!r}"), node, code=ast.unparse(node))
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
                N_("may not use {code!r}: the only attributes allowed are math.<name> (write math.exp, not np.exp or ops.exp)"),
                node, code=ast.unparse(node),
            )  # fmt: skip
        known = MATH_CONSTANTS if constant else MATH
        if node.attr not in known:
            if constant and node.attr in MATH:
                raise _refused(N_("uses math.{got} without calling it"), node, got=node.attr)
            allowed = ", ".join(f"math.{n}" for n in known)
            raise _refused(N_("uses math.{got}, which is not allowed; allowed: {allowed}"), node, got=node.attr, allowed=allowed)

    def call(self, node: ast.Call) -> None:
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise _refused(N_("calls with keywords or *args: {code!r}"), node, code=ast.unparse(node))
        func = node.func
        if isinstance(func, ast.Attribute):
            self.math_name(func, constant=False)
            arities = MATH[func.attr][2]
            label = f"math.{func.attr}()"
        elif isinstance(func, ast.Name):
            if func.id == self.function_name:
                raise _refused(N_("calls itself ({got}): no recursion"), node, got=func.id)
            if func.id not in BUILTINS:
                allowed = ", ".join(BUILTINS) + ", math." + ", math.".join(MATH)
                raise _refused(N_("calls unknown function {got!r}; allowed: {allowed}"), node, got=func.id, allowed=allowed)
            low, high = BUILTINS[func.id]
            arities = tuple(range(low, high + 1))
            label = f"{func.id}()"
        else:
            raise _refused(N_("may only call a named function; got {code!r}"), node, code=ast.unparse(node))
        if len(node.args) not in arities:
            if len(arities) == 1:
                wanted = N_("{function} takes {low} argument(s); got {count}")
            elif len(arities) == 2:
                wanted = N_("{function} takes {low} or {high} argument(s); got {count}")
            else:
                wanted = N_("{function} takes {low} to {high} argument(s); got {count}")
            raise _refused(wanted, node, function=label, low=arities[0], high=arities[-1], count=len(node.args))
        for arg in node.args:
            self.expr(arg)


# --------------------------------------------------------------------------- one call at a time, as Keras calls it


class ComplexResult(ArithmeticError):
    """Arithmetic that Python would finish with a complex number: no rate, so the epoch fails."""


def _pow(a, b):
    """Python's ``a ** b``, refusing what Python would make complex or what would not fit a float."""
    if type(a) is int and type(b) is int and b > 0 and a not in (0, 1, -1):
        if b * math.log2(abs(a)) >= 1024:
            raise OverflowError("integer power too large for a float")
    result = a**b
    if isinstance(result, complex):
        raise ComplexResult("a negative number to a fractional power (Python would make it complex)")
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


def _why(err: BaseException) -> Message | str:
    if isinstance(err, ZeroDivisionError):
        return Message(N_("division by zero"))
    if isinstance(err, OverflowError):
        return Message(N_("a number too large (overflow)"))
    if isinstance(err, ValueError) and "complex" in str(err):
        return str(err)
    if isinstance(err, ValueError):
        return Message(N_("a math domain error (e.g. log of a number <= 0, sqrt of a negative)"))
    if isinstance(err, UnboundLocalError):
        return str(err)
    return f"{type(err).__name__}: {err}"


def _failed(what: Message | str, epoch: int, line: int | None) -> check.ParameterError:
    """``expression[, line n]: what at epoch k``; ``what`` a :class:`Message` (or Python's own text)."""
    if line:
        return check.fail("expression", N_("expression, line {line}: {what} at epoch {epoch}"), line=line, what=what, epoch=epoch)
    return check.fail("expression", N_("expression: {what} at epoch {epoch}"), what=what, epoch=epoch)


def _float32(x: float) -> float:
    """The rate as Keras stores it (a float32 variable), read back as a Python float."""
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:  # beyond float32's range: the variable holds inf
        return math.copysign(math.inf, x)


FLOAT32_MAX = float(np.finfo(np.float32).max)


RETURNS_INT = N_("the function returns the integer {value}; Keras needs a float (write {value}.0 or float(...))")
RETURNS_NONE = N_("the function returns None (no return reached); Keras needs a float")


def _checked_rate(value: Any, epoch: int) -> float:
    if isinstance(value, (bool, int)):
        raise _failed(Message(RETURNS_INT, value=int(value)), epoch, None)
    if value is None:
        raise _failed(Message(RETURNS_NONE), epoch, None)
    if not isinstance(value, float):
        raise _failed(Message(N_("the function returns {got!r}; Keras needs a float"), got=value), epoch, None)
    if not (math.isfinite(value) and 0 <= value <= FLOAT32_MAX):
        raise _failed(Message(N_("the function gives the rate {rate:g}; a learning rate must be finite and >= 0"), rate=value), epoch, None)
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
                N_("expression: a function that reads {lr} runs once per epoch, for at most {most:,} "
                   "epochs; this plot needs {count:,}. Show fewer steps or more steps per epoch."),
                lr=self.fn.lr, most=MAX_EPOCHS, count=last_epoch + 1,
            )
        with self.lock:
            start = time.perf_counter()
            python, fn, rates = self.python, self.fn, self.rates
            for epoch in range(len(rates), last_epoch + 1):
                rate = call(python, fn, epoch, self.feed)
                rates.append(rate)
                self.feed = _float32(rate)
                if epoch % 1024 == 1023 and time.perf_counter() - start > TIME_LIMIT:
                    raise check.fail("expression", N_("expression: the function took over {seconds:g} s by epoch {epoch}"), seconds=TIME_LIMIT, epoch=epoch)
            return np.asarray(rates[: last_epoch + 1], dtype=np.float64)


def tex_call(fn: Function, epoch: str, numeric_lr0: str) -> str:
    """``decay(e)``; for a recurrence ``decay(e, η_{e-1})``, with ``e`` and η_{-1} (the initial rate) said."""
    name = r"\mathrm{" + fn.name.replace("_", r"\_") + "}"
    if not fn.reads_lr:
        return rf"{name}({epoch})"
    return rf"{name}(e,\ \eta_{{e-1}}),\ e = {epoch},\ \eta_{{-1}} = {numeric_lr0}"
