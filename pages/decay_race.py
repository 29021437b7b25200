"""The decay race: a constant learning rate against a decayed one, on the same noise."""

import json

import streamlit as st

from lrcore import registry, theory
from lrcore.race import DEFAULT_DECAY, RaceConfig
from lrcore.schedules import batch_size_scaled
from ui import charts, compute, controls, figures, narrative, state
from ui.state import Field

LR_RANGE = (0.001, 0.5)
BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256]
CONDITION = [1, 2, 5, 10, 20, 50, 100]
STEPS = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000]
RUNS = [10, 20, 50, 100, 200, 500, 1000]
# No toolbar: it is rebuilt on every redraw; drag still zooms, a double click resets.
CHART_CONFIG = {"displayModeBar": False, "doubleClick": "reset"}
defaults = RaceConfig()

st.title("The decay race")
intro = st.empty()  # written once the optimizer is known
link = state.Link("race")

# ---------------------------------------------------------------- controls (sidebar)
# Sections are laid out top to bottom, then filled in the order their values are needed.
side = st.sidebar
schedule_box, optimizer_box, problem_box, simulation_box = (side.container() for _ in range(4))

simulation_box.header("Simulation")
steps = simulation_box.select_slider("steps", STEPS, key=link.field(Field("steps", defaults.steps, state.choice(STEPS))))
runs = simulation_box.select_slider("runs", RUNS, key=link.field(Field("runs", defaults.runs, state.choice(RUNS))))
seed = simulation_box.number_input("seed", 0, 10**6, step=1, key=link.field(Field("seed", 0, state.integer(0, 10**6))))

schedule_box.header("Decay schedule")
decay_name = controls.schedule_picker(link, "decay", DEFAULT_DECAY, exclude=("constant",), container=schedule_box)
epoch = schedule_box.number_input(
    "steps per epoch",
    1,
    1000,
    step=1,
    key=link.field(Field("epoch", defaults.steps_per_epoch, state.integer(1, 1000))),
    help="One epoch, in updates: used by per-epoch schedules and by reduce-on-plateau (which checks the loss once per epoch).",
)
lr_key = link.field(Field("lr", defaults.lr, state.number(*LR_RANGE)))
with schedule_box.expander("Schedule parameters", expanded=True):
    st.caption("Its rates follow the learning-rate slider: both runs start from the same rate.")
    decay_spec = controls.schedule_editor(
        link,
        "d",
        decay_name,
        horizon=steps,
        rate=st.session_state[lr_key],
        hide_rates=True,
        fixed={"steps_per_epoch": int(epoch), "mode": "min"},  # the race watches its loss: lower is better
    )

optimizer_box.header("Optimizer")
opt_name, opt_params = controls.optimizer_picker(link, container=optimizer_box)

side = problem_box
side.header("Problem")
batch = side.select_slider("batch size B", BATCHES, key=link.field(Field("batch", defaults.batch_size, state.choice(BATCHES))))
sigma = side.slider("gradient noise σ", 0.0, 3.0, step=0.1, key=link.field(Field("sigma", defaults.sigma, state.number(0, 3))))
noise = side.radio(
    "noise shape",
    ["isotropic", "curvature"],
    horizontal=True,
    key=link.field(Field("noise", defaults.noise, state.choice(["isotropic", "curvature"]))),
    help="isotropic: σ²I/B. curvature: σ²H/B, larger along the steep direction (Zhang et al., 2019).",
)
kappa = side.select_slider(
    "condition number h_max/h_min",
    CONDITION,
    key=link.field(Field("kappa", int(defaults.condition_number), state.choice(CONDITION))),
    help="h_max stays 10; a larger ratio makes the valley longer and shallower.",
)
angle = side.slider("rotation (degrees)", -90, 90, step=5, key=link.field(Field("angle", int(defaults.angle), state.integer(-90, 90))))
scale = side.toggle(
    "scale the rate as k/√B · lr₀ (k = 1)",
    key=link.field(Field("scale", False, state.flag)),
    help="The decay article's rule a = k/√(mini_batch_size) · a0: bigger batches get smaller rates.",
)

# ---------------------------------------------------------------- the race itself
# A fragment: moving the learning rate (the control a teacher moves most) reruns and
# redraws only this part; the sidebar above is neither rerun nor redrawn.
# The slider's marks depend only on the bowl and the optimizer, not on the rate.
marks_config = RaceConfig(optimizer=opt_name, optimizer_params=opt_params, condition_number=float(kappa))
problem = marks_config.problem()
optimal = theory.optimal_constant_lr(problem)
sgd_family = opt_name == "SGD"  # the theory's marks apply to SGD, momentum and Nesterov
opt_label = st.session_state["opt"]
intro.markdown(
    f"Minibatch **{opt_label}** on a noisy bowl. The :orange[**constant rate**] keeps rattling around the minimum; "
    "the :blue[**decayed rate**] settles into it."
)
bound = theory.stability_bound(problem, marks_config.make_optimizer()) if sgd_family else None


@st.fragment
def race() -> None:
    slider_col, button_col = st.columns([4.2, 1], vertical_alignment="bottom")
    button_col.button(
        f"Best rate {optimal:.3g}",
        key="use_optimal",
        on_click=link.set,
        args=(lr_key, round(optimal, 3)),
        help="2/(h_min + h_max): the fastest constant rate for SGD when there is no noise"
        + ("" if sgd_family else " (the theory behind it is SGD's, so it is off for adaptive optimizers)"),
        width="stretch",
        disabled=not sgd_family,
    )
    lr = slider_col.slider("learning rate lr₀", *LR_RANGE, step=0.001, format="%.3f", key=lr_key)
    with slider_col:  # under the slider, on the same scale: its marks are the theory
        st.markdown(figures.rate_ruler(lr, optimal if sgd_family else None, bound, LR_RANGE[1]), unsafe_allow_html=True)
    link.write_url()

    if decay_spec is None:
        st.error("The decay schedule has an invalid parameter (see the sidebar); fix it to run the race.", icon="⚠️")
        return
    effective_lr = batch_size_scaled(lr, batch) if scale else lr
    config = RaceConfig(
        lr=effective_lr,
        decay=registry.freeze(decay_spec),
        optimizer=opt_name,
        optimizer_params=opt_params,
        condition_number=float(kappa),
        angle=float(angle),
        sigma=float(sigma),
        batch_size=int(batch),
        noise=noise,
        steps=int(steps),
        runs=int(runs),
        seed=int(seed),
        steps_per_epoch=int(epoch),
    )
    try:
        view = compute.race_view(config)
    except ValueError as err:  # a setting lrcore refuses: say which, never a traceback
        st.error(str(err), icon="⚠️")
        return

    if scale:
        st.caption(f"k/√B scaling: lr = {lr:.3g}/√{batch} = **{effective_lr:.3g}** for both runs.")
    st.markdown(narrative.headline(view))
    plane, curves = st.columns([1, 1.15])
    with plane:
        charts.plotly(figures.race_plane(view), key="plane", config=CHART_CONFIG)
        st.caption(
            "Top: the whole run; bottom: a close-up of the minimum. Dots: runs of each kind at the same step, on the "
            "same minibatch noise; the big marker and its tail: one run. Press ▶ Play to watch from the start, or drag "
            "the step slider."
            + (" The dashed ellipse is where the theory says the constant rate keeps rattling (2 standard deviations)." if view.has_theory else "")
        )
    with curves:
        charts.plotly(figures.race_curves(view), key="curves", config=CHART_CONFIG)
        st.caption(
            "Top: loss on a log scale, the mean of all runs (thick) with the band that holds 80% of them"
            + (", and the exact expected loss (dotted)" if view.has_theory else "")
            + ". Bottom: the rate each update used."
        )
    with st.container(border=True):
        for line in narrative.race_story(view):
            st.markdown(line)
    formulas(view, config)


def formulas(view, config) -> None:
    with st.expander("The formulas behind the race", expanded=False):
        st.markdown("**The decayed schedule** (its starting rate is the slider's):")
        st.latex(view.decay_latex)
        st.markdown(
            "**The noisy quadratic.** Loss ½(w−w*)ᵀH(w−w*) with curvatures h = "
            f"({view.h[0]:.3g}, {view.h[1]:.3g}); each minibatch gradient is the true gradient plus noise of "
            "covariance C/B. Along each curvature direction SGD's expected squared distance follows"
        )
        st.latex(r"E[x^2_{t+1}] = (1-\eta_t h)^2\,E[x^2_t] + \eta_t^2\,c/B")
        st.markdown("so a constant rate settles where the two terms balance, the **noise floor**:")
        st.latex(r"E[\text{loss}] \to \sum_i \frac{\eta\, c_i}{2B\,(2-\eta h_i)}")
        st.markdown("A rate with |1 − ηh| > 1 makes every step larger than the last: the **stability bound** is")
        st.latex(r"\eta < \frac{2}{h_{\max}}\quad\text{(SGD)},\qquad \eta^\ast = \frac{2}{h_{\min}+h_{\max}}\ \text{converges fastest without noise.}")
        st.caption(
            f"Optimizer: {view.optimizer_label}. "
            + ("The exact curves cover SGD, momentum and Nesterov; adaptive optimizers are simulated only." if view.has_theory else "No closed-form theory for adaptive optimizers: the curves are simulations.")
        )
        st.code(json.dumps(registry.thaw(config.decay), indent=1), language="json")


race()
link.show_warnings()
