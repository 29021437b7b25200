"""Lab: if I double the batch, what should the rate do? Exact answers on the noisy quadratic."""

import streamlit as st

from lrcore import batch, registry
from ui import charts, compute, controls, lab_figures, lab_views, lab_words, state, text
from ui.i18n import N_, _
from ui.state import Field

RATES = [0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.19]
REFERENCE = [1, 2, 4, 8, 16, 32, 64]
TARGETS = [0.1, 0.03, 0.01, 0.003, 0.001]
CONDITION = [1, 2, 5, 10, 20, 50, 100]
HORIZONS = [1000, 10000, 100000]
BEST = "best constant rate"
BEST_LABEL = N_("best constant rate")  # BEST is also the link's token: only its label is translated
SCHEDULES = [BEST] + [n for n in registry.SCHEDULES if n != "constant" and not registry.closed_loop({"name": n})]
CHART_CONFIG = {"displayModeBar": False, "doubleClick": "reset"}
PAIRS = lab_views.equal_examples_pairs()
d = lab_views.BatchConfig()

st.title(_("If I double the batch, what should the rate do?"))
st.caption(
    _(
        "On the noisy quadratic a batch of B examples has gradient noise of variance c/B and nothing else changes, so "
        "every curve below is exact: closed forms and the exact recursion, no simulation."
    )
)
link = state.Link("batch_lab")

c1, c2, c3, c4 = st.columns([1.2, 1, 1, 1.3])
lr = c1.select_slider(_("rate at B₀"), RATES, key=link.field(Field("lr", d.lr, state.choice(RATES))), help=_("The rate every rule uses at the reference batch size B₀."))
b0 = c2.select_slider(_("reference batch B₀"), REFERENCE, key=link.field(Field("b0", d.reference_batch, state.choice(REFERENCE))))
target = c3.select_slider(_("target loss"), TARGETS, key=link.field(Field("target", d.target, state.choice(TARGETS))), help=_("Steps are counted until the expected loss is at most this."))
under = c4.selectbox(
    _("steps under"),
    SCHEDULES,
    key=link.field(Field("under", BEST, state.choice(SCHEDULES))),
    format_func=controls.shown_as(lambda n: _(BEST_LABEL) if n == BEST else controls.entry_label(n), SCHEDULES),
    help=_("The best constant rate for each batch size (exact, found as a root), or one schedule for every batch size."),
)
with st.expander(_("The problem") if under == BEST else _("The problem, and the schedule"), expanded=False):
    p1, p2, p3, p4 = st.columns(4)
    kappa = p1.select_slider(_("condition number h_max/h_min"), CONDITION, key=link.field(Field("kappa", int(d.kappa), state.choice(CONDITION))))
    sigma = p2.slider(_("gradient noise σ"), 0.1, 3.0, step=0.1, key=link.field(Field("sigma", d.sigma, state.number(0.1, 3.0))))
    noise = controls.noise_picker(link, d.noise, p3)
    horizon = p4.select_slider(_("schedule horizon (steps)"), HORIZONS, key=link.field(Field("horizon", d.horizon, state.choice(HORIZONS))), disabled=under == BEST)
    spec = None
    if under != BEST:
        spec = controls.schedule_editor(link, "s", under, horizon=int(horizon), rate=0.1, container=st.container())
PAIR_TOKENS = {f"{b}x{s}-{b2}x{s2}": (b, s, b2, s2) for b, s, b2, s2 in PAIRS}  # "1x1000-2x500"
PAIR_RULES = {"fixed": N_("same"), "inverse_sqrt": "÷√k", "sqrt": "×√k", "linear": "×k"}
pair_key = link.field(Field("pair", "1x1000-4x250" if "1x1000-4x250" in PAIR_TOKENS else "1x1000-2x500", state.choice(list(PAIR_TOKENS))))
rule_key = link.field(Field("rule", "fixed", state.choice(list(PAIR_RULES))))
link.finish()

if under != BEST and spec is None:
    st.stop()  # the editor says which parameter is wrong
config = lab_views.BatchConfig(
    kappa=float(kappa), sigma=float(sigma), noise=noise, lr=float(lr), reference_batch=int(b0), target=float(target),
    schedule=None if spec is None else registry.freeze(spec), horizon=int(horizon),
)  # fmt: skip
try:
    with st.spinner(_("Solving the noisy quadratic for every batch size…")):
        view = compute.batch_view(config)
except ValueError as err:
    st.error(text.error_message(err), icon="⚠️")
    st.stop()

floors, steps, critical = view.floors, view.steps, view.critical
claims = {type(c).__name__: c for c in view.claims}
left, right = st.columns(2)
with left:
    st.subheader(_("The noise floor against B"))
    curves = [(name, c.rates, c.floors, c.cutoff_exact) for name, c in floors.curves.items()]
    charts.plotly(lab_figures.batch_floors(floors.batch_sizes, curves, floors.bound, floors.reference_batch), key="floors", config=CHART_CONFIG)
    st.markdown("\n\n".join(lab_words.sentence(c) for c in view.claims if type(c).__name__ in ("FloorFalls", "RuleCut")))
with right:
    st.subheader(_("Steps to the target against B"))
    marks = [
        (f"B_crit = {critical.b_crit:.3g}", critical.b_crit, "#CC79A7", "dash"),
        (_("B_noise at the target = {b}", b=f"{critical.noise_scale_target:.3g}"), critical.noise_scale_target, "#E69F00", "dot"),
        (_("B_noise at the start = {b}", b=f"{critical.noise_scale_start:.2g}"), critical.noise_scale_start, "#56B4E9", "dot"),
    ]
    charts.plotly(
        lab_figures.batch_steps(steps.batch_sizes, steps.steps, steps.examples, critical.s_min, critical.e_min, marks), key="steps", config=CHART_CONFIG
    )
    st.markdown(
        "\n\n".join(
            lab_words.sentence(c) for c in view.claims if type(c).__name__ in ("NotReached", "PerfectScaling", "StopsHelping", "Critical", "ExamplesGrow")
        )
    )
    if under != BEST:
        st.caption(
            _(
                "Under {schedule} for every batch size; S_min, E_min and B_crit are the best constant "
                "rate's limits (McCandlish et al. define them that way), drawn for reference.",
                schedule=controls.entry_label(under),
            )
        )

st.subheader(_("Race it: two batch sizes, the same examples"))
r1, r2 = st.columns([2, 1])


def _pair_label(token: str) -> str:
    b, s, b2, s2 = PAIR_TOKENS[token]
    return _("B = {b} for {s} steps against B = {b2} for {s2} steps ({n} examples each)", b=b, s=f"{s:,}", b2=b2, s2=f"{s2:,}", n=f"{b * s:,}")


pair = r1.selectbox(_("two races"), list(PAIR_TOKENS), key=pair_key, format_func=_pair_label)
b, s, b2, s2 = PAIR_TOKENS[pair]
rule = r2.radio(_("rate at the larger batch (k = {k})", k=b2 // b), list(PAIR_RULES), horizontal=True, key=rule_key, format_func=lambda r: _(PAIR_RULES[r]))
race_lr = 0.05
larger = min(round(race_lr * (b2 / b) ** batch.RULES[rule], 3), 0.5)
base = {"sigma": f"{sigma:g}", "noise": noise, "kappa": str(kappa)}
k1, k2 = st.columns(2)
state.page_link("app_pages/decay_race.py", _("The race at B = {b}, {s} steps, rate {lr}", b=b, s=f"{s:,}", lr=f"{race_lr:g}"), base | {"batch": str(b), "steps": str(s), "lr": f"{race_lr:g}"}, k1)
state.page_link("app_pages/decay_race.py", _("The race at B = {b}, {s} steps, rate {lr}", b=b2, s=f"{s2:,}", lr=f"{larger:g}"), base | {"batch": str(b2), "steps": str(s2), "lr": f"{larger:g}"}, k2)
st.caption(
    _(
        "Both races see {n} examples. The larger batch takes {k}× fewer steps; whether it ends as low depends on "
        "whether the batch is below the critical size and on what its rate does (the rule above).",
        n=f"{b * s:,}", k=b2 // b,
    )
)

with st.expander(_("The formulas"), expanded=False):
    for fn in (batch.noise_floors, batch.steps_to_target, batch.critical_batch):
        formula = fn.formula()
        st.latex(text.latex(formula.latex))
        st.caption(_(formula.sentence))
