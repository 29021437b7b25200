"""The race's lanes as widgets: one decay against a constant rate, or several side by side.

Three ways to compare (the ``compare`` control):

* ``duel``: a constant rate against one decay, one optimizer (the default, the simplest);
* ``schedules``: one optimizer, several schedules (default: the decay article's five);
* ``optimizers``: one schedule, several optimizers (default: the strategies note's five).

The lanes live in the link as ``lanes``, comma-separated ``SCHEDULE`` or
``SCHEDULE@OPTIMIZER`` tokens (:func:`lrcore.race.parse_lanes`); each lane's schedule
parameters have keys of their own (``l.<schedule>.<parameter>``, or ``d.<parameter>`` for
the one schedule of the duel and optimizers modes). Nothing here computes.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from lrcore import optim, registry
from lrcore.optim import OptimizerSpec
from lrcore.race import MAX_LANES, Lane, duel, lane_tokens, parse_lanes
from lrcore.registry import Spec
from ui import controls, state
from ui.i18n import N_, _
from ui.state import Field, Link

MODES = {
    "duel": N_("a constant rate against one decay"),
    "schedules": N_("schedules side by side"),
    "optimizers": N_("optimizers side by side"),
}
ARTICLE_FIVE = ["constant", "inverse_time", "step", "exponential", "inverse_sqrt"]  # the decay article's
NOTE_FIVE = ["SGD", "momentum", "Adagrad", "RMSprop", "Adam"]  # the strategies note's
DEFAULT_DECAY = "exponential"
TOKENS = [p.token for p in optim.PRESETS.values()]


@dataclass(frozen=True)
class Choice:
    mode: str
    lanes: tuple[Lane, ...] | None  # None while a parameter is invalid (the editor says which)
    optimizer: OptimizerSpec | None  # the one optimizer, when the lanes share one


def _mode_from_link(link: Link) -> None:
    """A link with ``lanes`` but no ``compare`` says which mode it is by its lanes."""
    raw = link.pending("lanes")
    if raw is None:
        return
    try:
        pairs = parse_lanes(raw, link.pending("opt") or "SGD")
    except ValueError:
        link.suggest("compare", "schedules")  # where the lanes field reads it, warns why, and falls back
        return
    names, opts = {n for n, _ in pairs}, {o for _, o in pairs}
    if len(opts) == 1:
        link.suggest("compare", "schedules")
        link.suggest("opt", opts.pop())
    elif len(names) == 1:
        link.suggest("compare", "optimizers")
        link.suggest("decay", names.pop())
    else:
        link.suggest("compare", "schedules")  # a mix of both: the lanes field says it cannot


# One sentence per half a lane shares (a translation words each its own way).
_ALL_USE = {"optimizer": N_("must all use the optimizer {value}"), "schedule": N_("must all use the schedule {value}")}


def _one(pairs, index: int, value: str, what: str) -> list[str]:
    """The other half of each lane token, when every lane must share ``value`` (as ``what``)."""
    if any(pair[index] != value for pair in pairs):
        raise ValueError(_(_ALL_USE[what], value=value))
    return [pair[1 - index] for pair in pairs]


def _reset_lanes() -> None:
    st.session_state.pop("lanes", None)  # each mode lists different things


def picker(link: Link, box, *, steps: int, rate: float, epoch: int) -> Choice:
    """Draw the lane controls into ``box``; return the lanes (schedule specs without rates)."""
    _mode_from_link(link)
    mode = box.radio(
        _("Compare"),
        list(MODES),
        format_func=controls.shown_as(lambda m: _(MODES[m]), list(MODES)),
        key=link.field(Field("compare", "duel", state.choice(list(MODES)))),
        on_change=_reset_lanes,
    )
    edit = dict(horizon=steps, rate=rate, hide_rates=True, fixed={"steps_per_epoch": epoch})

    if mode == "schedules":
        optimizer = controls.optimizer_picker(link, container=box)
        names = box.multiselect(
            _("Schedules (lanes)"),
            list(registry.SCHEDULES),
            format_func=controls.shown_as(controls.entry_label, list(registry.SCHEDULES)),
            max_selections=MAX_LANES,
            key=link.field(
                Field(
                    "lanes",
                    ARTICLE_FIVE,
                    lambda raw: _one(parse_lanes(raw, optimizer.token), 1, optimizer.token, "optimizer"),
                    dump=",".join,
                    always=True,
                )
            ),
            help=_("Up to {n} lanes, all on the same noise. In a link: lanes=constant,step,…", n=MAX_LANES),
        )
        specs = []
        for name in names:
            if name == "constant":  # its one parameter is the slider's rate
                specs.append(registry.default_spec(name, steps, rate))
                continue
            with box.expander(controls.entry_label(name), expanded=False):
                specs.append(controls.schedule_editor(link, f"l.{name}", name, **edit))
        lanes = None if None in specs else tuple(Lane(Spec.from_dict(s), optimizer) for s in specs)
        return Choice(mode, lanes or None, optimizer)

    decay_name = controls.schedule_picker(
        link, "decay", DEFAULT_DECAY, exclude=("constant",) if mode == "duel" else (), label=_("Decay schedule"), container=box
    )
    with box.expander(_("Schedule parameters"), expanded=mode == "duel"):
        st.caption(_("Its rates follow the learning-rate slider: every lane starts from the same rate."))
        spec = controls.schedule_editor(link, "d", decay_name, **edit)
    if mode == "duel":
        optimizer = controls.optimizer_picker(link, container=box)
        return Choice(mode, None if spec is None else duel(Spec.from_dict(spec), optimizer, steps, rate), optimizer)

    tokens = box.multiselect(
        _("Optimizers (lanes)"),
        TOKENS,
        format_func=controls.shown_as(controls.optimizer_name, TOKENS),
        max_selections=MAX_LANES,
        key=link.field(
            Field(
                "lanes",
                NOTE_FIVE,
                lambda raw: _one(parse_lanes(raw), 0, decay_name, "schedule"),
                dump=lambda tokens: lane_tokens([(decay_name, t) for t in tokens]),
                always=True,
            )
        ),
        help=_("Up to {n} lanes, each with PyTorch's default hyper-parameters (momentum 0.9), on the same noise.", n=MAX_LANES),
    )
    if spec is None or not tokens:
        return Choice(mode, None, None)
    schedule = Spec.from_dict(spec)
    return Choice(mode, tuple(Lane(schedule, OptimizerSpec(t)) for t in tokens), None)
