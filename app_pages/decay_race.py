"""The decay race: a constant learning rate against a decayed one, on the same noise."""

import time
from dataclasses import replace

import streamlit as st

from lrcore import predict, theory
from lrcore.race import RaceConfig, duel, lane_labels
from lrcore.schedules.decay_function import is_function
from ui import charts, classroom, compute, controls, downloads, figures, i18n, lanes, state, text, views, words
from ui.i18n import _
from ui.code_panel import code_panel
from ui.state import Field

LR_RANGE = (0.001, 0.5)
BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256]
CONDITION = [1, 2, 5, 10, 20, 50, 100]
STEPS = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000]
RUNS = [10, 20, 50, 100, 200, 500, 1000]
# Work above this many run-steps (lanes x runs x steps; the default race is 400,000) runs
# with fewer runs unless the teacher lifts the cap: a class may share one small server.
WORK_CAP = 20_000_000
SHOW_PROGRESS = 2_000_000  # races longer than this say how far they are
# No toolbar: it is rebuilt on every redraw; drag still zooms, a double click resets.
CHART_CONFIG = {"displayModeBar": False, "doubleClick": "reset"}
PRESENT_PLANE, PRESENT_CURVES = 560, 560  # presenting: the plane and Play above the fold at 1366 x 768
defaults = RaceConfig()

st.title(_("The decay race"))
intro = st.empty()  # written once the lanes are known
link = state.Link("race")
room = classroom.Classroom(link, "race", point_below=True)

# ---------------------------------------------------------------- controls (sidebar)
# Sections are laid out top to bottom, then filled in the order their values are needed.
side = st.sidebar
share_box = classroom.sidebar_panel(room, link)
schedule_box, problem_box, simulation_box = (side.container() for _ in range(3))

if not room.active:
    simulation_box.header(_("Simulation"))
steps = room.box("steps", simulation_box).select_slider(_("steps"), STEPS, key=link.field(Field("steps", defaults.steps, state.choice(STEPS))))
runs_box = room.box("runs", simulation_box)
runs = runs_box.select_slider(_("runs"), RUNS, key=link.field(Field("runs", defaults.runs, state.choice(RUNS))))
seed = room.box("seed", simulation_box).number_input(_("seed"), 0, 10**6, step=1, key=link.field(Field("seed", 0, state.integer(0, 10**6))))
lift_cap = runs_box.toggle(
    _("lift the work cap"),
    key=link.field(Field("full", False, state.flag)),
    help=_(
        "Races of more than {cap} run-steps (lanes × runs × steps) run with fewer runs unless this is on: "
        "a long race keeps the server busy for everyone using it.",
        cap=i18n.integer(WORK_CAP),
    ),
)

lr_key = link.field(Field("lr", defaults.lr, state.number(*LR_RANGE)))
if not room.active:
    schedule_box.header(_("Lanes"))
epoch = room.box("epoch", schedule_box).number_input(
    _("steps per epoch"),
    1,
    1000,
    step=1,
    key=link.field(Field("epoch", defaults.steps_per_epoch, state.integer(1, 1000))),
    help=_(
        "One epoch, in updates (the texts' 1,200 examples in batches of 100 make 12): used by per-epoch "
        "schedules and by reduce-on-plateau, which checks the loss once per epoch."
    ),
)
choice = lanes.picker(link, room.box("lanes", schedule_box), steps=int(steps), rate=st.session_state[lr_key], epoch=int(epoch))

if not room.active:
    problem_box.header(_("Problem"))
batch = room.box("batch", problem_box).select_slider(_("batch size B"), BATCHES, key=link.field(Field("batch", defaults.batch_size, state.choice(BATCHES))))
sigma = room.box("sigma", problem_box).slider(_("gradient noise σ"), 0.0, 3.0, step=0.1, key=link.field(Field("sigma", defaults.sigma, state.number(0, 3))))
noise = controls.noise_picker(
    link, defaults.noise, room.box("noise", problem_box),
    help=_("isotropic: σ²I/B. curvature: σ²H/B, larger along the steep direction (Zhang et al., 2019)."),
)  # fmt: skip
condition = room.box("kappa", problem_box).select_slider(
    _("condition number h_max/h_min"),
    CONDITION,
    key=link.field(Field("kappa", int(defaults.condition_number), state.choice(CONDITION))),
    help=_("h_max stays 10; a larger ratio makes the valley longer and shallower."),
)
angle = room.box("angle", problem_box).slider(_("rotation (degrees)"), -90, 90, step=5, key=link.field(Field("angle", int(defaults.angle), state.integer(-90, 90))))
scale = room.box("scale", problem_box).toggle(
    _("scale the rate as k/√B · lr₀ (k = 1)"),
    key=link.field(Field("scale", False, state.flag)),
    help=_("The decay article's rule a = k/√(mini_batch_size) · a0: bigger batches get smaller rates."),
)

# Everything but the rate: the slider's marks depend on these alone.
runs_wanted = int(runs)
if not lift_cap and 2 * int(steps) * runs_wanted > WORK_CAP:
    runs = max([r for r in RUNS if 2 * int(steps) * r <= WORK_CAP], default=RUNS[0])
settings = RaceConfig(
    lanes=choice.lanes or duel("constant", "SGD", int(steps)),  # a placeholder while a parameter is invalid
    condition_number=float(condition),
    angle=float(angle),
    sigma=float(sigma),
    batch_size=int(batch),
    noise=noise,
    steps=int(steps),
    runs=int(runs),
    seed=int(seed),
    steps_per_epoch=int(epoch),
    scale_by_batch=bool(scale),
)
marks = compute.race_marks(settings)
if not room.present:
    intro.markdown(words.intro(choice.mode, settings.lanes))


# ---------------------------------------------------------------- the race itself
# A fragment: moving the learning rate (the control a teacher moves most) reruns and
# redraws only this part; the sidebar above is neither rerun nor redrawn.
@st.fragment
def race() -> None:
    # Presenting, the plane takes the left half from the top (Play above the fold at 1366 x 768)
    # and everything else stacks on the right; otherwise the rate row spans the page.
    plane, curves = st.columns([1, 1.15]) if room.present else (None, None)
    with curves or st.container():
        answer = room.ask(lane_labels(settings.lanes, _)) if choice.lanes is not None else None
        rate_row = room.box("lr", st.container())
        slider_col, button_col = rate_row.columns([3, 1.2] if room.present else [4.2, 1], vertical_alignment="bottom")  # presenting: half the page, 20 px text
        scale_factor = settings.lr / settings.effective_lr if settings.scale_by_batch else 1.0  # slider value per rate
        best = None if marks is None else round(marks.best * scale_factor, 3)  # on the slider's grid
        usable = best is not None and LR_RANGE[0] <= best <= LR_RANGE[1]
        name = _("Best") if room.present else _("Best rate")  # presenting, the button has a narrow column
        label = name if marks is None else f"{name} {best:g}" if usable else f"{name} {marks.best:.2g}"
        button_col.button(
            label,
            key="use_best",
            on_click=link.set,
            args=(lr_key, best),
            help=(
                _(theory.best_constant_rate.formula(choice.optimizer.build()).sentence)
                + " "
                + (
                    _("Exactly {rate:.4g}.", rate=marks.best)
                    if usable
                    else _("Exactly {rate:.4g}, outside the slider's range {low:g} to {high:g}.", rate=marks.best, low=LR_RANGE[0], high=LR_RANGE[1])
                )
                if marks is not None
                else _("No exact theory for this optimizer, so no best rate to compute.")
            ),
            width="stretch",
            disabled=not usable,
        )
        lr = slider_col.slider(_("learning rate lr₀"), *LR_RANGE, step=0.001, format="%.3f", key=lr_key)
        config = replace(settings, lr=float(lr))
        with slider_col:  # under the slider, on the same scale: its marks are the theory
            st.markdown(figures.rate_ruler(config.effective_lr, marks, LR_RANGE[1], scale_factor), unsafe_allow_html=True)
        link.write_url()

        if choice.lanes is None:
            st.error(_("A lane has an invalid parameter, or there is no lane (see the sidebar); fix it to run the race."), icon="⚠️")
            return
        if config.runs < runs_wanted:
            estimate = compute.seconds_for(replace(config, runs=runs_wanted))
            fields = dict(runs=i18n.integer(config.runs), wanted=i18n.integer(runs_wanted), work=i18n.integer(2 * config.steps * runs_wanted))
            st.caption(
                _(
                    "Running {runs} of the {wanted} runs: all of them are {work} run-steps, about {seconds:.0f} s on "
                    "this server. Lift the work cap in the sidebar to run them all.",
                    seconds=estimate,
                    **fields,
                )
                if estimate
                else _(
                    "Running {runs} of the {wanted} runs: all of them are {work} run-steps. Lift the work cap in the "
                    "sidebar to run them all.",
                    **fields,
                )
            )
        if room.asks and answer is None:
            st.info(_("**Predict first.** Answer the question above: then the race plays."), icon=":material/psychology_alt:")
            return
        slot = st.empty()
        try:
            view = compute.race_view(config, progress_bar(slot, config) if config.work > SHOW_PROGRESS else None)
        except ValueError as err:  # a setting lrcore refuses: say which, never a traceback
            slot.empty()
            st.error(text.error_message(err), icon="⚠️")
            return
        slot.empty()

        if answer is not None:
            verdict = predict.judge(
                room.step.question.kind, answer, labels=view.labels, lane=room.question_lane,
                finals=[lane.final for lane in view.lanes], shares=[lane.diverged_share for lane in view.lanes],
                floors=[lane.floor for lane in view.lanes],
            )  # fmt: skip
            said = words.verdict(verdict, view.labels, [lane.has_theory for lane in view.lanes])
            if verdict.right:
                st.success(said, icon=":material/check_circle:")
            else:
                st.warning(said, icon=":material/cancel:")
        st.markdown(words.headline(list(view.claims), view.labels))
    if plane is None:
        plane, curves = st.columns([1, 1.15])
    playback = dict(present=room.present, autoplay=room.reveal_token(answer))
    with plane:
        charts.plotly(
            figures.race_plane(view), key="plane", config=CHART_CONFIG, follow="curves",
            height=PRESENT_PLANE if room.present else None, **playback,
        )  # fmt: skip
        st.caption(
            _(
                "Top: the whole run; bottom: a close-up of the minimum. Dots: runs of each lane at the same step, on the "
                "same minibatch noise; the big marker and its tail: one run. Press ▶ Play to watch from the start, or drag "
                "the step slider."
            )
            + (_(" A dashed ellipse is where the theory says a constant rate keeps rattling (2 standard deviations).") if any(len(l.ellipse) for l in view.lanes) else "")
        )
    with curves:
        charts.plotly(
            figures.race_curves(view, marks), key="curves", config=CHART_CONFIG,
            height=PRESENT_CURVES if room.present else None, present=room.present,
        )  # fmt: skip
        st.caption(
            _(
                "Top: loss on a log scale, the mean of the runs (thick) with the band that holds 80% of them, and the "
                "exact expected loss (dotted). Bottom: the rate each update used. The grey line is the step the "
                "animation shows, with each lane's loss there."
            )
            if view.has_theory
            else _(
                "Top: loss on a log scale, the mean of the runs (thick) with the band that holds 80% of them. Bottom: "
                "the rate each update used. The grey line is the step the animation shows, with each lane's loss there."
            )
        )
        room.point()
    with st.container(border=True):  # one element: every element costs the browser a render
        st.markdown("\n\n".join(words.race_story(list(view.claims), view.labels, view.config.steps)))
    if len(view.lanes) > 2:
        st.dataframe(words.lane_rows(views.lane_table(view)), hide_index=True, width="stretch")
    downloads.download_row(downloads.race_downloads(view, marks), key="race")  # built on press only


def progress_bar(slot, config):
    """A callback that shows how far the simulation is, at most about five times a second."""
    last = [0.0]
    text_ = _(
        "Simulating {runs} runs × {steps} steps of each lane, on the same noise",
        runs=i18n.integer(config.runs),
        steps=i18n.integer(config.steps),
    )
    slot.progress(0.0, text=text_)

    def report(share: float) -> None:
        now = time.monotonic()
        if now - last[0] > 0.2 or share >= 1:
            last[0] = now
            slot.progress(min(share, 1.0), text=_("{what}: {share:.0%}", what=text_, share=share))

    return report


def _is_schedule(value) -> bool:
    """An inner schedule, or a join's pieces: their formulas show them, not a Python repr."""
    return hasattr(value, "params") or (isinstance(value, tuple) and bool(value) and all(hasattr(v, "params") for v in value))


def formulas(config: RaceConfig) -> None:
    """The schedules' and the theory's formulas: outside the fragment, as they do not change with the rate."""
    with st.expander(_("The formulas behind the race"), expanded=False):
        shown = set()
        for lane in config.lanes:
            spec = lane.schedule
            if spec.name == "constant" or spec in shown:
                continue
            shown.add(spec)
            schedule = spec.with_rate(config.effective_lr).build()
            st.markdown(_("**{schedule}**, with η₀ the rate the slider gives every lane:", schedule=controls.spec_label(spec)))
            st.latex(text.latex(getattr(schedule, "latex_symbolic", schedule.latex)))  # reduce-on-plateau: its rule
            if is_function(spec.get("expression")):  # a pasted def reads best as itself
                st.code(spec["expression"], language="python", wrap_lines=True)
            rate_params = {p.name for p in spec.entry.params if p.rate_fraction is not None}
            values = [
                f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                for k, v in spec.params
                if k not in rate_params and not _is_schedule(v) and not is_function(v)
            ]
            if values:
                st.caption(", ".join(values))
            code_panel(schedule, key=f"code.race.{spec.name}.{len(shown)}", steps=config.steps)
        if choice.optimizer is None or not theory.covers(config.problem(), choice.optimizer.build()):
            return
        opt = choice.optimizer.build()
        h = config.problem().h
        st.markdown(
            _(
                "**The noisy quadratic.** Loss ½(w−w*)ᵀH(w−w*) with curvatures h = ({h1:.3g}, {h2:.3g}); each "
                "minibatch gradient is the true gradient plus noise of covariance C/B, with c_i its variance along "
                "direction i. Exact for {optimizer}:",
                h1=h[0],
                h2=h[1],
                optimizer=controls.optimizer_name(choice.optimizer.token),
            )
        )
        for fn in (theory.expected_loss, theory.noise_floor, theory.stability_bound, theory.fastest_rates, theory.best_constant_rate):
            formula = fn.formula(opt)
            st.latex(text.latex(formula.latex))
            st.caption(_(formula.sentence))  # lrcore.theory marks its sentences N_


race()
if choice.lanes is not None:
    formulas(settings)
link.show_warnings()
classroom.share(link, share_box)  # last: the link says every setting by now
