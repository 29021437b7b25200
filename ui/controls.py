"""Widgets that read settings: a schedule editor driven by the registry, the optimizer picker.

Every widget's key is registered with the page's :class:`ui.state.Link` first, so links
restore it. Editors return plain values (a schedule spec, an optimizer name and its
parameters); nothing here computes science. A refusal from lrcore is a
:class:`~lrcore.registry.ParameterError`; it is shown, as plain text, under the control
its ``param`` names.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Callable, Mapping

import streamlit as st

from lrcore import optim, registry
from lrcore.optim import OptimizerSpec
from lrcore.registry import Param, ParameterError
from lrcore.schedules.base import fill
from ui import i18n, state
from ui.i18n import N_, _
from ui.state import Field, Link
from ui.text import error_message

# Schedules that can be the inner piece of a composition (not compositions themselves,
# and not feedback, which needs the loss).
SIMPLE = [n for n, e in registry.SCHEDULES.items() if not e.composite and not registry.closed_loop({"name": n})]
DEFAULT_CHOICE = "default"  # how a None choice (e.g. "the convention's own") is shown


def _label(p: Param) -> str:
    return f"`{p.name}`"


def _help(p: Param) -> str:
    return _(p.help)  # marked N_ in lrcore.registry.table


def _choice(c) -> str:
    """A choice as shown: the framework's own value, or the translated "default"."""
    return _("default") if c == DEFAULT_CHOICE else str(c)


def shown_as(show: Callable[[Any], str], options) -> Callable[[Any], str]:
    """A widget's ``format_func`` with the options' texts made now, in this run's language.

    Streamlit (and AppTest, between runs) may call a ``format_func`` outside the script
    run, where the session's language cannot be read; a table made during the run keeps it.
    """
    return {o: show(o) for o in options}.__getitem__


def _options(p: Param) -> list:
    """A choice's options; None is shown as a named option (Streamlit shows None as "nothing chosen")."""
    return [DEFAULT_CHOICE if c is None else c for c in p.choices]


def _list_text(values) -> str:
    return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)


def _field(p: Param, key: str, default: Any) -> Field:
    low, high = p.low, p.high
    if p.kind == "float":
        return Field(key, float(default), state.number(low, high))
    if p.kind == "int":
        return Field(key, int(default), state.integer(low, high))
    if p.kind == "bool":
        return Field(key, bool(default), state.flag)
    if p.kind == "choice":
        return Field(key, DEFAULT_CHOICE if default is None else default, state.choice(_options(p)))
    if p.kind in ("optional_float", "optional_int"):
        return Field(key, default, state.optional_number(low, high, whole=p.kind == "optional_int"))
    if p.kind in ("ints", "floats"):
        return Field(key, _list_text(default), state.number_list(low, high, whole=p.kind == "ints"))
    if p.kind == "text":
        return Field(key, str(default), state.text(p.max_length) if p.max_length else state.text())
    raise ValueError(f"kind must be a plain parameter kind; got {p.kind!r}")


def _step(value: float) -> float:
    """A number-input step one decade below the value's own."""
    return 10.0 ** (math.floor(math.log10(abs(value))) - 1) if value else 0.001


def decimals(step: float) -> int:
    """Decimal places of a slider step: 2 for 0.01, 3 for 0.001, 1 for 0.5."""
    return max(0, -Decimal(repr(step)).normalize().as_tuple().exponent)


def _widget(p: Param, key: str, container) -> Any:
    """Draw the widget for one parameter and return its value in the factory's terms."""
    value = st.session_state[key]
    if p.kind == "float":
        if p.step is not None:  # a slider on the table's grid; read back on it (0.9, not 0.9000000000000001)
            places = decimals(p.step)
            number = container.slider(
                _label(p), min_value=float(p.low), max_value=float(p.high), step=float(p.step),
                format=f"%.{places}f", key=key, help=_help(p),
            )  # fmt: skip
            return round(number, places)
        return container.number_input(_label(p), min_value=p.low, max_value=p.high, step=_step(value), format="%g", key=key, help=_help(p))
    if p.kind == "int":
        return int(container.number_input(_label(p), min_value=int(p.low), max_value=int(p.high), step=1, key=key, help=_help(p)))
    if p.kind == "bool":
        return container.toggle(_label(p), key=key, help=_help(p))
    if p.kind == "choice":
        value = container.selectbox(_label(p), _options(p), key=key, help=_help(p), format_func=shown_as(_choice, _options(p)))
        return None if value == DEFAULT_CHOICE else value
    if p.kind in ("optional_float", "optional_int"):
        whole = p.kind == "optional_int"
        number = container.number_input(
            _("{name} (empty = none)", name=_label(p)),
            min_value=int(p.low) if whole else p.low,
            max_value=int(p.high) if whole else p.high,
            step=1 if whole else _step(value or p.low or 1.0),
            format="%d" if whole else "%g",
            key=key,
            help=_help(p),
        )
        return None if number is None else (int(number) if whole else float(number))
    if p.kind in ("ints", "floats"):
        raw = container.text_input(_("{name} (comma-separated)", name=_label(p)), key=key, help=_help(p))
        try:
            parsed = state.number_list(p.low, p.high, whole=p.kind == "ints")(raw)
        except ValueError as err:
            raise ParameterError(p.name, "{name} {error}", error=err) from None
        numbers = [float(x) for x in parsed.split(",")]
        return [int(x) for x in numbers] if p.kind == "ints" else numbers
    if p.kind == "text" and p.multiline:  # a pasted def keeps its lines (Ctrl+Enter applies it)
        return container.text_area(_label(p), max_chars=p.max_length, key=key, help=_help(p), height="content")
    if p.kind == "text":
        return container.text_input(_label(p), max_chars=p.max_length, key=key, help=_help(p))
    raise ValueError(f"kind must be a plain parameter kind; got {p.kind!r}")


def schedule_editor(
    link: Link,
    prefix: str,
    name: str,
    *,
    horizon: int,
    rate: float,
    hide_rates: bool = False,
    overrides: dict | None = None,
    fixed: dict | None = None,
    container=None,
) -> dict | None:
    """Widgets for every parameter of schedule ``name``; returns its spec, or None if invalid.

    ``hide_rates`` leaves out the parameters that follow the initial rate (the race sets
    them from its learning-rate slider). ``fixed`` gives a page-wide setting a value set
    elsewhere on the page (no widget), in this schedule and the ones inside it; only
    parameters that mean the same in every schedule (:data:`lrcore.registry.PAGE_SETTINGS`)
    may be fixed, so a page cannot set one schedule's ``mode`` by accident for another.
    A factory's :class:`ParameterError` is shown under the parameter it names.
    """
    fixed = dict(fixed or {})
    stray = sorted(set(fixed) - set(registry.PAGE_SETTINGS))
    if stray:
        raise ValueError(f"fixed may only set {', '.join(registry.PAGE_SETTINGS)}; got {', '.join(stray)}")
    return _editor(link, prefix, name, horizon, rate, hide_rates, overrides, fixed, container or st.container())


def _editor(link, prefix, name, horizon, rate, hide_rates, overrides, fixed, box, pinned: Mapping[str, Any] | None = None):
    """The editor; ``pinned`` are parameters the enclosing slot fixes (no widget either)."""
    pinned = pinned or {}
    entry = registry.SCHEDULES[name]
    defaults = entry.defaults(horizon, rate)
    defaults.update(overrides or {})
    params: dict[str, Any] = {}
    slots: dict[str, Any] = {}  # parameter -> the place under its control for its error
    problem: ParameterError | None = None
    for p in entry.params:
        if hide_rates and p.kind == "float" and p.rate_fraction is not None:
            continue
        if p.name in pinned or p.name in fixed:
            params[p.name] = pinned[p.name] if p.name in pinned else fixed[p.name]
            continue
        key = f"{prefix}.{p.name}"
        if p.kind == "schedule":
            inner_default = defaults[p.name]
            choice_key = link.field(Field(key, inner_default["name"], state.choice(SIMPLE)))
            inner = box.selectbox(_label(p), SIMPLE, key=choice_key, help=_help(p), format_func=shown_as(entry_label, SIMPLE))
            slots[p.name] = box.empty()
            inner_horizon = horizon
            if name == "per_epoch":
                spe = fixed.get("steps_per_epoch", st.session_state.get(f"{prefix}.steps_per_epoch", 12))
                inner_horizon = max(1, horizon // max(1, int(spe)))
            with box.container(border=True):
                spec = _editor(
                    link,
                    key,
                    inner,
                    inner_horizon,
                    rate,
                    hide_rates,
                    inner_default["params"] if inner == inner_default["name"] else None,
                    fixed,
                    st.container(),
                    dict(p.inner_fixed),
                )
            if spec is None:
                return None
            params[p.name] = spec
            continue
        if p.kind == "schedules":
            count_key = link.field(Field(f"{key}.n", 2, state.integer(2, 4)))
            count = int(box.number_input(_("number of pieces"), min_value=2, max_value=4, step=1, key=count_key))
            slots[p.name] = box.empty()
            pieces = []
            for i in range(count):
                default_name = p.default[i] if i < len(p.default) else "constant"
                piece_key = link.field(Field(f"{key}.{i}", default_name, state.choice(SIMPLE)))
                piece = box.selectbox(_("piece {i}", i=i + 1), SIMPLE, key=piece_key, format_func=shown_as(entry_label, SIMPLE))
                with box.container(border=True):
                    spec = _editor(link, f"{key}.{i}", piece, horizon, rate, hide_rates, None, fixed, st.container())
                if spec is None:
                    return None
                pieces.append(spec)
            params[p.name] = pieces
            continue
        default = defaults[p.name]
        if p.name == "boundaries" and name == "join":
            count = len(params.get("schedules", [None, None]))
            default = [max(1, round(horizon * (i + 1) / count)) for i in range(count - 1)]
        if p.kind in ("ints", "floats") and not isinstance(default, str):
            default = list(default)
        link.field(_field(p, key, default))
        try:
            params[p.name] = _widget(p, key, box)
        except ParameterError as err:
            problem = problem or err
        slots[p.name] = box.empty()
    spec = {"name": name, "params": params}
    if problem is None:
        try:  # check it as it will be built: hidden rates follow the race's slider
            registry.build(registry.with_rate(spec, rate) if hide_rates else spec)
        except ParameterError as err:
            problem = err
    if problem is not None:
        (slots[problem.param] if problem.param in slots else box).error(error_message(problem), icon="⚠️")
        return None
    return spec


def entry_label(name: str) -> str:
    """Schedule ``name``'s label in the session's language ("Exponential decay", 指数衰减)."""
    return _(registry.SCHEDULES[name].label)  # marked N_ in lrcore.registry.table


def spec_label(spec: Mapping[str, Any] | registry.Spec) -> str:
    """A readable name for a spec: a composition names what it is made of (:meth:`Spec.named`),
    in the session's language."""
    return registry.Spec.from_dict(spec).named(_)


def describe(schedule) -> str:
    """A schedule's one-line description in the session's language (lrcore keeps it as a
    template marked N_ and its fields; an inner schedule's own description fills its field)."""
    if i18n.lang() == "en":  # lrcore's own English, numbers as it writes them
        return schedule.description
    return fill(schedule.description_template, schedule.description_fields, _, i18n.integer)


def schedule_picker(link: Link, key: str, default: str, *, exclude=(), label=None, container=None) -> str:
    """A selectbox of schedules; ``label`` is the caller's (translated) label, else "Schedule"."""
    box = container or st
    names = [n for n in registry.SCHEDULES if n not in exclude]
    link.field(Field(key, default, state.choice(names)))
    return box.selectbox(_("Schedule") if label is None else label, names, key=key, format_func=shown_as(entry_label, names))


# --------------------------------------------------------------------------- the problem

NOISE_SHAPES = {"isotropic": N_("isotropic"), "curvature": N_("curvature")}  # a link token -> its label


def noise_picker(link: Link, default: str, container=None, help: str | None = None) -> str:
    """The gradient noise's shape (``noise=isotropic|curvature`` in the link)."""
    box = container or st
    shapes = list(NOISE_SHAPES)
    return box.radio(
        _("noise shape"),
        shapes,
        horizontal=True,
        format_func=shown_as(lambda n: _(NOISE_SHAPES[n]), shapes),
        key=link.field(Field("noise", default, state.choice(shapes))),
        help=help,
    )


# --------------------------------------------------------------------------- optimizers

MOMENTUM = ("momentum", "nesterov")  # the presets with a momentum to set


def optimizer_name(token: str) -> str:
    """An optimizer preset's name in the session's language ("Momentum", 动量); marked N_ in lrcore.optim."""
    return _(optim.preset(token).name)


def optimizer_picker(link: Link, container=None) -> OptimizerSpec:
    """The optimizer (a preset token in the link, e.g. ``opt=Adam``) and its momentum."""
    box = container or st
    tokens = [p.token for p in optim.PRESETS.values()]
    link.field(Field("opt", "SGD", state.choice(tokens, ignore_case=True)))
    token = box.selectbox(
        _("Optimizer"),
        tokens,
        key="opt",
        format_func=shown_as(optimizer_name, tokens),
        help=_("The strategies note's optimizers, with PyTorch's default hyper-parameters."),
    )
    params = {}
    if token in MOMENTUM:
        link.field(Field("momentum", 0.9, state.number(0.01, 0.99)))
        params["momentum"] = box.slider("`momentum`", 0.01, 0.99, step=0.01, key="momentum")
    return OptimizerSpec(token, tuple(params.items()))
