"""Lab: how good is my decay? The best possible schedule on the noisy quadratic, and a teacher's against it."""

import streamlit as st

from lrcore import optimal, registry
from ui import charts, compute, controls, lab_figures, lab_views, lab_words, state, text, words
from ui.i18n import _, _n
from ui.state import Field

STEPS = [100, 200, 500, 1000, 2000, 5000, 10000]
BATCHES = list(lab_views.RACE_BATCHES)
CONDITION = [1, 2, 5, 10, 20, 50, 100]
OPTIMIZERS = ["SGD", "momentum", "nesterov"]  # optim preset tokens: the lab's exact theory covers these
YOURS = [n for n in registry.SCHEDULES if not registry.closed_loop({"name": n})]
CHART_CONFIG = {"displayModeBar": False, "doubleClick": "reset"}
d = lab_views.BestConfig()

st.title(_("How good is my decay?"))
st.caption(
    _(
        "On the noisy quadratic the expected loss after T steps is an exact function of the rates, so the best schedule "
        "is a question with an answer: it is searched on the exact recursion. Your schedule is scored against it."
    )
)
link = state.Link("best_lab")

c1, c2, c3 = st.columns([1.2, 1, 1.4])
steps = c1.select_slider(_("steps T"), STEPS, key=link.field(Field("steps", d.steps, state.choice(STEPS))))
opt = c2.selectbox(_("optimizer"), OPTIMIZERS, format_func=controls.shown_as(controls.optimizer_name, OPTIMIZERS), key=link.field(Field("opt", d.opt, state.choice(OPTIMIZERS))))
momentum = d.momentum
if opt != "SGD":
    momentum = c2.slider(_("momentum"), 0.1, 0.99, step=0.01, key=link.field(Field("momentum", d.momentum, state.number(0.1, 0.99))))
yours = controls.schedule_picker(link, "yours", "exponential", exclude=[n for n in registry.SCHEDULES if n not in YOURS], label=_("your schedule"), container=c3)
with st.expander(_("Your schedule's parameters, and the problem"), expanded=False):
    spec = controls.schedule_editor(link, "y", yours, horizon=int(steps), rate=0.1, fixed={"steps_per_epoch": 1}, container=st.container())
    p1, p2, p3, p4 = st.columns(4)
    kappa = p1.select_slider(_("condition number h_max/h_min"), CONDITION, key=link.field(Field("kappa", int(d.kappa), state.choice(CONDITION))))
    sigma = p2.slider(_("gradient noise σ"), 0.1, 3.0, step=0.1, key=link.field(Field("sigma", d.sigma, state.number(0.1, 3.0))))
    batch = p3.select_slider(_("batch size B"), BATCHES, key=link.field(Field("batch", d.batch_size, state.choice(BATCHES))))
    noise = controls.noise_picker(link, d.noise, p4)
link.finish()
if spec is None:
    st.stop()  # the editor says which parameter is wrong

config = lab_views.BestConfig(
    kappa=float(kappa), sigma=float(sigma), batch_size=int(batch), noise=noise, steps=int(steps), opt=opt,
    momentum=float(momentum), yours=registry.freeze(spec),
)  # fmt: skip
try:
    with st.spinner(_("Searching the optimal schedule on the exact expected loss…")):
        view = compute.best_view(config)
except ValueError as err:
    st.error(text.error_message(err), icon="⚠️")
    st.stop()
yours_label = controls.spec_label(spec)  # named here, not in the cached view: in the session's language

mine, greedy = view.scores["your schedule"], view.scores["greedy"]
m1, m2, m3 = st.columns(3)
m1.metric(
    _("{schedule} gets", schedule=yours_label),
    f"{words.share(mine.share) if mine.share > 0 else f'{100 * mine.share:.0f}%'}",
    help=_("of the possible improvement over the best constant rate: {sentence}", sentence=_(optimal.improvement.formula().sentence)),
)
m2.metric(_("the greedy schedule gets"), words.share(greedy.share), help=_(optimal.greedy_schedule.formula().sentence))
m3.metric(  # the optimum's loss as the value, the best constant's under it: both fit a third of 1366 px
    _("final expected loss of the optimum"),
    words.number(mine.optimal_loss),
    _("best constant rate: loss {constant}", constant=words.number(mine.constant_loss)),
    delta_color="off",
    delta_arrow="off",
    help=_(optimal.optimal_schedule.formula(config.optimizer()).sentence),
)

closest = view.fits[0].family
names = {
    "your schedule": _("your schedule: {schedule}", schedule=yours_label),
    f"closest family: {closest}": _("closest family: {family}", family=lab_words.family(closest)),
    view.yours_label: yours_label,  # the story's name for it
}
left, right = st.columns(2)
with left:
    charts.plotly(lab_figures.best_rates(view.t, view.rates, view.bound, view.h_min, view.gain, names), key="rates", config=CHART_CONFIG)
    st.caption(
        _(
            "Rates on log axes from step 1, so the first steps show. The shaded band is above the stability bound: the "
            "optimum's first rates are there and are drawn as they are, not clipped."
        )
    )
with right:
    charts.plotly(lab_figures.best_losses(view.loss_t, view.losses, names), key="losses", config=CHART_CONFIG)
    st.caption(_("The exact expected loss of each schedule (no simulation). The optimum climbs first, then ends lowest."))

with st.container(border=True):
    st.markdown("\n\n".join(lab_words.story(view.claims, names)))

fam, race = st.columns([1.3, 1])
with fam:
    st.markdown(_("**Each library family tuned to the optimum**, closest first"))
    columns = (_("family"), _("typical factor off"), _("mean squared log error"), _("parameters"))
    st.dataframe(
        [dict(zip(columns, (lab_words.family(f.family), round(f.typical_factor, 3), round(f.error, 4), f.params))) for f in view.fits],
        hide_index=True,
        width="stretch",
    )
with race:
    st.markdown(_("**Race the optimum**"))
    held = view.race_held
    state.page_link("app_pages/decay_race.py", _("The optimum as a piecewise-constant lane in the race ({steps} steps)", steps=f"{steps:,}"), view.race_query)
    top, got = f"{lab_views.RACE_LR_MAX:g}", words.share(view.race_score.share)
    if held:
        held_note = _n(
            "The race starts every lane at its rate slider, which stops at {top}: the lane holds the optimum's rates above it "
            "at {top} (its first {n} step). Exactly, that lane still gets {share} of the possible improvement. It races "
            "alone: a constant lane beside it would share its first rate and diverge.",
            "The race starts every lane at its rate slider, which stops at {top}: the lane holds the optimum's rates above it "
            "at {top} (its first {n} steps). Exactly, that lane still gets {share} of the possible improvement. It races "
            "alone: a constant lane beside it would share its first rate and diverge.",
            held, top=top, share=got,
        )  # fmt: skip
    else:
        held_note = _(
            "The race starts every lane at its rate slider, which stops at {top}: the lane holds the optimum's rates above it "
            "at {top}. Exactly, that lane still gets {share} of the possible improvement. It races "
            "alone: a constant lane beside it would share its first rate and diverge.",
            top=top, share=got,
        )  # fmt: skip
    st.caption(held_note)

with st.expander(_("The formulas"), expanded=False):
    for fn in (optimal.optimal_schedule, optimal.greedy_schedule, optimal.improvement):
        formula = fn.formula(config.optimizer())
        st.latex(text.latex(formula.latex))
        st.caption(_(formula.sentence))
