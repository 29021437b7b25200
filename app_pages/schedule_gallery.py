"""The schedule gallery: every schedule, exact, side by side, with its formula."""

import pandas as pd
import streamlit as st

from lrcore import registry
from lrcore.schedules import steps_per_epoch
from lrcore.schedules.decay_function import is_function
from ui import charts, compute, controls, downloads, figures, state, text, theme, views
from ui.code_panel import code_panel
from ui.i18n import N_, _
from ui.state import Field
from ui.text import error_message, plain

HORIZONS = [10, 24, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000]
DEFAULT_SHOWN = ["exponential", "inverse_time", "step", "cosine", "one_cycle"]
NAMES = list(registry.SCHEDULES)
UNITS = {"steps": N_("steps"), "epochs": N_("epochs")}  # the x axis: link value -> what it shows


def _names(raw: str) -> list[str]:
    names = [n.strip() for n in raw.split(",") if n.strip()]
    unknown = [n for n in names if n not in registry.SCHEDULES]
    if unknown or not names:
        raise ValueError(_("must list schedules from: {names}", names=", ".join(f"`{n}`" for n in NAMES)))
    return names


def _mirrors(sched) -> str:
    """The line naming the framework function a schedule reproduces."""
    warmup = "linear warmup + "
    if sched.mirrors.startswith(warmup):  # lrcore.schedules.compose.warmup's own phrase
        return _("mirrors `linear warmup + {name}`", name=sched.mirrors[len(warmup):])
    if sched.mirrors:
        return _("mirrors `{name}`", name=sched.mirrors)
    return _("mirrors no framework function (see its docstring)")


st.title(_("Schedule gallery"))
st.markdown(
    _(
        "Every learning-rate schedule students meet, computed exactly as Keras/TensorFlow or PyTorch computes it. "
        "Pick several to overlay them; every parameter is editable below the plot."
    )
)
link = state.Link("gallery")

shown = st.multiselect(
    _("schedules"),
    NAMES,
    key=link.field(Field("show", DEFAULT_SHOWN, _names, dump=",".join)),
    format_func=controls.shown_as(controls.entry_label, NAMES),
)
top = st.columns([1.6, 1, 1, 1.4])
horizon = top[0].select_slider(_("steps shown"), HORIZONS, key=link.field(Field("steps", 1000, state.choice(HORIZONS))))
n_examples = top[1].number_input(_("examples N"), 1, 10**7, step=100, key=link.field(Field("n", 1200, state.integer(1, 10**7))))
batch = top[2].number_input(_("batch size B"), 1, 10**6, step=10, key=link.field(Field("batch", 100, state.integer(1, 10**6))))
with top[3]:
    unit = st.radio(
        _("x axis"), list(UNITS), horizontal=True, format_func=controls.shown_as(lambda u: _(UNITS[u]), UNITS),
        key=link.field(Field("x", "steps", state.choice(list(UNITS)))),
    )  # fmt: skip
    log_y = st.toggle(_("log scale"), key=link.field(Field("log", False, state.flag)))
spe = steps_per_epoch(n_examples, batch)
st.caption(_("One epoch = ⌈{n} / {batch}⌉ = **{spe} steps** (optimizer updates).", n=n_examples, batch=batch, spe=spe))

plot_slot = st.container()
st.subheader(_("Parameters"))
specs: dict[str, dict | None] = {}
built = {}  # name -> its schedule, for every valid spec
if shown:
    tabs = st.tabs([controls.entry_label(n) for n in shown])
    for name, tab in zip(shown, tabs):
        with tab:
            spec = specs[name] = controls.schedule_editor(link, f"g.{name}", name, horizon=horizon, rate=0.1, container=tab)
            if spec is not None:
                built[name] = registry.build(spec)
            mirrors_torch = name in built and not registry.closed_loop(spec) and built[name].mirrors.startswith("torch.")
            if mirrors_torch and st.toggle(_("Check against the real PyTorch scheduler (loads torch)"), key=f"torch.{name}"):
                diff = compute.torch_difference(registry.freeze(spec), horizon)
                times, gap = format(min(horizon, 20000), ","), format(diff, ".2g")
                st.success(_("Stepped torch's scheduler {n} times: max |ours − torch| = {diff}", n=times, diff=gap), icon="✅")
table_text = st.text_input(
    _("steps for the table of values (comma-separated)"),
    key=link.field(Field("at", "0, 1, 10, 100, 999", state.number_list(0, 10**7, whole=True))),
)
link.finish()

curves, rates = [], {}
for name in shown:
    spec = specs.get(name)
    if spec is None:
        continue
    try:
        frozen = registry.freeze(spec)
        lr = compute.plateau_rates(frozen, horizon) if registry.closed_loop(spec) else compute.schedule_rates(frozen, horizon)
    except ValueError as err:
        st.error(_("{schedule}: {error}", schedule=plain(controls.entry_label(name)), error=error_message(err)), icon="⚠️")
        continue
    rates[name] = lr
    keep = views.decimate(horizon, lr, max_points=1200)
    x = keep / spe if unit == "epochs" else keep
    curves.append((controls.spec_label(spec), x, lr[keep]))

with plot_slot:
    if not curves:
        st.info(_("Pick at least one schedule above."))
    else:
        epochs_shown = horizon / spe
        marks = [(e if unit == "epochs" else e * spe, _("epoch {e}", e=e)) for e in range(1, int(epochs_shown) + 1)] if epochs_shown <= 12 else None
        gallery_figure = figures.schedule_curves(curves, x_title=_(UNITS[unit]), log_y=log_y, vlines=marks)
        charts.plotly(
            gallery_figure,
            key="gallery",
            config={"displaylogo": False},
        )
        for i, name in enumerate(n for n in shown if n in rates):
            sched = built[name]
            colour = theme.SERIES[i % len(theme.SERIES)]
            with st.container(border=True):
                left, right = st.columns([1, 2])
                left.markdown(f"<span style='color:{colour};font-size:1.3em'>━━</span> **{controls.spec_label(specs[name])}**", unsafe_allow_html=True)
                left.caption(controls.describe(sched))
                left.markdown(_mirrors(sched))
                right.latex(text.latex(sched.latex))
                if is_function(sched.params.get("expression")):  # a pasted def reads best as itself
                    st.code(sched.params["expression"], language="python", wrap_lines=True)
                if registry.closed_loop(specs[name]):
                    right.caption(
                        _(
                            "Feedback: its rate depends on the loss. Shown here driving SGD on the decay race's default "
                            "problem, fed the loss once per epoch of 10 steps (mean rate over 50 runs)."
                        )
                    )
                code_panel(sched, key=f"code.{name}", steps=horizon)

if rates:
    at = [int(float(s)) for s in table_text.split(",") if s.strip()]
    at = [s for s in at if s < horizon]
    frame = pd.DataFrame({controls.entry_label(n): r[at] for n, r in rates.items()}, index=pd.Index(at, name=_("step")))
    frame.insert(0, _("epoch"), [s // spe for s in at])
    st.subheader(_("Values"))
    st.dataframe(frame, width="stretch", column_config={c: st.column_config.NumberColumn(format="%.6g") for c in frame.columns[1:]})

    downloads.download_row(downloads.gallery_downloads(rates, spe, gallery_figure), key="gallery")
