"""Lab: what does warmup do, and when does it matter? Three cases, each on the same noise with and without it."""

import streamlit as st

from lrcore import warmup
from lrcore.problems import QuarticBowl
from ui import charts, compute, lab_figures, lab_views, lab_words, state, text
from ui.i18n import N_, _
from ui.state import Field

CASES = {
    "bowl": N_("a bowl that is steeper far out (warmup matters)"),
    "quadratic": N_("a fixed quadratic (warmup cannot help)"),
    "adam": N_("Adam's first steps"),
}
RUNS = [50, 100, 200, 500]
BOWL_RATES, BOWL_WARMUP, BOWL_STEPS = [0.02, 0.05, 0.1, 0.15, 0.19], [1, 2, 5, 10, 20, 50, 100, 200], [200, 500, 1000]
QUAD_RATES, QUAD_WARMUP, QUAD_STEPS = [0.05, 0.1, 0.15, 0.19, 0.21, 0.25], [10, 50, 100, 200, 500], [500, 1000, 2000]
ADAM_RATES, BETA2, SHORT = [0.01, 0.03, 0.1, 0.3], [0.99, 0.999], [5, 10, 20, 50, 100, 200, 500]
CHART_CONFIG = {"displayModeBar": False, "doubleClick": "reset"}

st.title(_("What does warmup do, and when does it matter?"))
st.caption(
    _(
        "Warmup starts the rate small and raises it linearly to its full value. Each case runs the same rate with and "
        "without it, on the same minibatch noise: the only difference between the runs is the warmup."
    )
)
link = state.Link("warmup_lab")
case = st.radio(_("case"), list(CASES), format_func=lambda c: _(CASES[c]), horizontal=True, key=link.field(Field("case", "bowl", state.choice(list(CASES)))))

c1, c2, c3, c4, c5 = st.columns(5)
if case == "bowl":
    lr = c1.select_slider(_("rate"), BOWL_RATES, key=link.field(Field("b.lr", 0.1, state.choice(BOWL_RATES))))
    steps_w = c2.select_slider(_("warmup steps"), BOWL_WARMUP, key=link.field(Field("b.warmup", 50, state.choice(BOWL_WARMUP))))
    steps = c3.select_slider(_("steps"), BOWL_STEPS, key=link.field(Field("b.steps", 500, state.choice(BOWL_STEPS))))
    extra = {}
elif case == "quadratic":
    lr = c1.select_slider(_("rate"), QUAD_RATES, key=link.field(Field("q.lr", 0.15, state.choice(QUAD_RATES))), help=_("The stability bound is 2/h_max = 0.2."))
    steps_w = c2.select_slider(_("warmup steps"), QUAD_WARMUP, key=link.field(Field("q.warmup", 100, state.choice(QUAD_WARMUP))))
    steps = c3.select_slider(_("steps"), QUAD_STEPS, key=link.field(Field("q.steps", 1000, state.choice(QUAD_STEPS))))
    extra = {}
else:
    lr = c1.select_slider(_("Adam's rate"), ADAM_RATES, key=link.field(Field("a.lr", 0.1, state.choice(ADAM_RATES))))
    beta2 = c2.select_slider("β₂", BETA2, key=link.field(Field("a.beta2", 0.999, state.choice(BETA2))), help=_("Adam's second-moment decay; the rule of thumb warms up over 2/(1 − β₂) steps."))
    rule = warmup.rule_of_thumb_steps(beta2)
    short = c3.select_slider(_("short warmup steps"), SHORT, key=link.field(Field("a.short", min(SHORT, key=lambda s: abs(s - rule // 10)), state.choice(SHORT))))
    steps_w, steps = rule, 2 * rule
    extra = {"beta2": float(beta2), "short_steps": int(short)}
runs = c4.select_slider(_("runs"), RUNS, key=link.field(Field("runs", 200, state.choice(RUNS))))
seed = c5.number_input(_("seed"), 0, 10**6, step=1, key=link.field(Field("seed", 0, state.integer(0, 10**6))))
link.finish()

config = lab_views.WarmupConfig(case=case, lr=float(lr), warmup_steps=int(steps_w), steps=int(steps), runs=int(runs), seed=int(seed), **extra)
try:
    with st.spinner(_("Simulating the runs, with and without warmup, on the same noise…")):
        view = compute.warmup_view(config)
except ValueError as err:
    st.error(text.error_message(err), icon="⚠️")
    st.stop()

with st.container(border=True):
    st.markdown("\n\n".join(lab_words.story(view.claims)))
plane, curves = st.columns([1, 1.2])
with plane:
    charts.plotly(lab_figures.warmup_plane(view), key="plane", config=CHART_CONFIG)
    st.caption(_("Grey: the loss's level sets; ★ the minimum. A line is one run of each lane (the same noise); dots are where every run ends."))
with curves:
    charts.plotly(lab_figures.warmup_curves(view), key="curves", config=CHART_CONFIG)
    if case == "quadratic":
        note = _(
            "Top: the loss, the mean of the runs (thick) and the band holding 80% of them, with the exact expected loss (dotted). "
            "Bottom: the rate of each update."
        )
    elif case == "bowl":
        note = _(
            "Top: the loss, the mean of the runs (thick) and the band holding 80% of them. Bottom: the rate of each update, and "
            "(thin, dotted) the stability bound where each lane's run is: a run diverges while its rate is above it."
        )
    else:
        note = _("Top: the loss, the mean of the runs (thick) and the band holding 80% of them. Bottom: the rate of each update.")
    st.caption(note)

with st.expander(_("Why"), expanded=False):
    if case == "bowl":
        bowl = QuarticBowl()
        st.markdown(
            _(
                "The bowl is the quadratic plus a quartic term, loss ½ Σ h_i d_i² (1 + ½ a d_i²) with a = {a}: its "
                "curvature h_i (1 + 3 a d_i²) grows away from the minimum, so the local stability bound 2/h_max(w) is "
                "smallest at the start. A linear warmup keeps the rate under the local bound while the run comes in.",
                a=f"{bowl.quartic:g}",
            )
        )
    elif case == "quadratic":
        formula = warmup.quadratic_warmup.formula()
        st.latex(text.latex(formula.latex))
        st.caption(_(formula.sentence))
    else:
        st.markdown(
            _(
                "Adam divides each step by √v̂, a running mean of squared gradients with memory about 1/(1 − β₂) steps. In "
                "the first steps v̂ rests on a few gradients, so the steps are about the full rate in every direction "
                "whatever the curvature (the first is exactly lr per coordinate). Ma & Yarats (2019) suggest a linear "
                "warmup over 2/(1 − β₂) steps, untuned, to cover that time."
            )
        )
