"""What is a step? The global_step question, as an experiment."""

import pandas as pd
import streamlit as st

from lrcore import global_step, schedules
from lrcore.global_step import StepConfig
from ui import charts, classroom, compute, downloads, figures, i18n, state, text, theme, words
from ui.i18n import _, _n
from ui.sources import STEP_QUESTION
from ui.code_panel import code_panel
from ui.state import Field

BATCHES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
d = StepConfig()

st.title(_("What is a step?"))
# The question in the asker's own words: the texts' Chinese in 中文 (verbatim, never translated), its English rendering in English.
question = STEP_QUESTION if i18n.lang() == "zh" else (
    "I am a little confused about what the 100,000 steps refer to. What exactly is a step? Is it every time an "
    "input goes all the way through the network and back?"
)
st.markdown(
    _(
        "> *\"{question}\"* — a question about "
        "`tf.compat.v1.train.exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase)`",
        question=question,
    )
)
link = state.Link("step")
room = classroom.Classroom(link, "step")
share_box = classroom.sidebar_panel(room, link)

left, right = st.columns([1, 1])
with left:
    c1, c2, c3 = st.columns([1.3, 1.3, 1])
    n = room.box("n", c1).slider(_("examples N"), 100, 10000, step=100, key=link.field(Field("n", d.n_examples, state.integer(100, 10000))))
    batch = room.box("batch", c2).select_slider(_("batch size B"), BATCHES, key=link.field(Field("batch", d.batch_size, state.choice(BATCHES))))
    drop_last = room.box("drop", c3).toggle("drop_last", key=link.field(Field("drop", False, state.flag)), help=_("Drop the last, incomplete batch (torch's DataLoader option)."))
    try:
        spe = schedules.steps_per_epoch(n, batch, drop_last)
    except ValueError as err:
        c2.error(text.error_message(err), icon="⚠️")
        spe = None
    if spe is not None:
        formula = f"⌊{n} / {batch}⌋" if drop_last else f"⌈{n} / {batch}⌉"
        st.metric(_("steps per epoch"), spe, help=_("{formula}: one step = one minibatch = one update of the weights", formula=formula))

with right:
    st.markdown(_("**The function in question** (the answer's example: 1.0, decay every 100,000 steps by 0.96)"))
    c1, c2, c3 = st.columns(3)
    lr0 = room.box("lr0", c1).number_input("learning_rate", 1e-6, 10.0, step=0.1, format="%g", key=link.field(Field("lr0", d.initial_learning_rate, state.number(1e-6, 10.0))))
    decay_steps = room.box("ds", c2).number_input("decay_steps", 1, 10**7, step=1000, key=link.field(Field("ds", d.decay_steps, state.integer(1, 10**7))))
    decay_rate = room.box("dr", c3).number_input("decay_rate", 0.01, 1.0, step=0.01, format="%g", key=link.field(Field("dr", d.decay_rate, state.number(0.01, 1.0))))
    t1, t2 = st.columns(2)
    staircase = room.box("stair", t1).toggle("staircase", key=link.field(Field("stair", False, state.flag)), help=_("floor(global_step / decay_steps): decay in jumps"))
    forget = room.box("forget", t2).toggle(
        _("forget `global_step.assign_add(1)`"),
        key=link.field(Field("forget", False, state.flag)),
        help=_("The pitfall: a global_step that is never incremented."),
    )

with room.box("experiment", st.container()).expander(_("Experiment settings (the training run on the right below)")):
    e1, e2, e3, e4 = st.columns(4)
    sim_lr = e1.number_input(_("SGD learning rate"), 0.001, 0.19, step=0.01, format="%g", key=link.field(Field("slr", d.lr, state.number(0.001, 0.19))))
    sim_epochs = e2.number_input(_("epochs"), 2, 200, step=1, key=link.field(Field("sep", d.sim_epochs, state.integer(2, 200))))
    sim_decay = e3.number_input(_("halve the rate every … epochs"), 1, 100, step=1, key=link.field(Field("sdec", d.sim_decay_epochs, state.integer(1, 100))))
    sim_runs = e4.number_input(_("runs"), 1, 500, step=10, key=link.field(Field("sruns", d.runs, state.integer(1, 500))))
link.finish()
classroom.share(link, share_box)  # last: the link says every setting by now

if spe is None:
    st.stop()
steps_total = sim_epochs * spe
if steps_total > 100_000:
    st.error(_("epochs must be at most {most} at {spe} steps per epoch (100,000 steps in all).", most=100_000 // spe, spe=spe), icon="⚠️")
    st.stop()
config = StepConfig(
    n_examples=int(n),
    batch_size=int(batch),
    drop_last=bool(drop_last),
    initial_learning_rate=float(lr0),
    decay_steps=int(decay_steps),
    decay_rate=float(decay_rate),
    staircase=bool(staircase),
    forget=bool(forget),
    lr=float(sim_lr),
    sim_epochs=int(sim_epochs),
    sim_decay_epochs=int(sim_decay),
    runs=int(sim_runs),
)
try:
    view = compute.step_view(config)
except ValueError as err:
    st.error(text.error_message(err), icon="⚠️")
    st.stop()
result = view.result

for line in words.step_story(result):
    st.markdown(line)

table_col, sim_col = st.columns([1, 1.2])
with table_col:
    st.subheader(_("The printed table"))
    st.latex(text.latex(r"\text{decayed\_learning\_rate} = " + view.formula))
    st.code(
        "for epoch in range(epochs):\n"
        f"    # minibatches of {batch}\n"
        "    for step, (x, y) in enumerate(train_dataset):\n"
        "        ...  # forward, backward, apply gradients\n"
        "        learning_rate = exponential_decay(\n"
        f"            {lr0:g}, global_step, {decay_steps}, {decay_rate:g}"
        + (", staircase=True" if staircase else "")
        + ")\n"
        + ("        # global_step.assign_add(1)   <- forgotten!\n" if forget else "        global_step.assign_add(1)\n"),
        language="python",
    )
    table = pd.DataFrame({_(column): values for column, values in result.table.items()})  # lrcore marks the headers
    st.dataframe(
        table,
        hide_index=True,
        height=min(35 * (len(table) + 1) + 3, 460),
        column_config={_("learning rate"): st.column_config.NumberColumn(format="%.7f")},
        width="stretch",
    )
    st.caption(
        _(
            "TensorFlow computes in float32 and printed e.g. 0.9999996423721313 for step 1; these are exact float64 values, "
            "the same to 7 digits (within 2 float32 ulp, checked by the tests)."
        )
    )

with sim_col:
    st.subheader(_("Does the decay help? A training run"))
    st.markdown(
        _(
            "SGD on a {n}-example least-squares problem, minibatches of {batch} shuffled every epoch, for "
            "{epochs} epochs. The rate starts at {lr} and should halve every {every} epochs "
            "(`decay_steps = {decay_steps}` steps).",
            n=n, batch=batch, epochs=sim_epochs, lr=f"{sim_lr:g}", every=sim_decay, decay_steps=result.sim_decay_steps,
        )
    )
    curves = [
        (_("global_step incremented"), result.sim_epochs, result.sim_excess[0], theme.DECAYED, "solid"),
        (_("global_step stuck at 0"), result.sim_epochs, result.sim_excess[1], theme.CONSTANT, "dash"),
    ]
    loss_figure = figures.loss_by_epoch(curves)
    charts.plotly(loss_figure, key="sim", config={"displaylogo": False})
    st.caption(_("Excess loss: the full-data loss minus the best possible (least-squares) loss, averaged over runs."))
    rate_curves = [
        (_("global_step incremented"), result.sim_epochs[:-1], result.sim_rate[0]),
        (_("global_step stuck at 0"), result.sim_epochs[:-1], result.sim_rate[1]),
    ]
    rate_figure = figures.schedule_curves(rate_curves, x_title=_("epoch"), log_y=True, height=260, colours=[theme.DECAYED, theme.CONSTANT])
    charts.plotly(
        rate_figure,
        key="sim_rate",
        config={"displaylogo": False},
    )

st.markdown(
    _(
        "**This decay in your framework**, for {updates} updates ({epochs} epochs of {spe} steps), with the step "
        "counted for you:",
        updates=i18n.integer(steps_total), epochs=sim_epochs, spe=spe,
    )
)
code_panel(
    schedules.exponential(config.initial_learning_rate, config.decay_steps, config.decay_rate, config.staircase),
    key="step.code",
    steps=steps_total,
)

st.subheader(_("Staircase or smooth?"))
stairs = [
    (_("smooth: decay_rate^(step / decay_steps)"), view.curve_epochs, view.curve_continuous),
    (_("staircase: decay_rate^⌊step / decay_steps⌋"), view.curve_epochs, view.curve_staircase),
]
stairs_figure = figures.schedule_curves(
    stairs, x_title=_("epoch"), height=360, from_zero=False, vlines=[(result.decay_in_epochs * k, f"{k} × decay_steps") for k in (1, 2)]
)
charts.plotly(
    stairs_figure,
    key="stairs",
    config={"displaylogo": False},
)
st.caption(
    _(
        "x axis in epochs: decay_steps = {decay_steps} steps = {epochs} epochs of {spe} steps. "
        "The staircase holds each rate for a whole decay period, then drops by decay_rate at once.",
        decay_steps=i18n.integer(decay_steps), epochs=f"{result.decay_in_epochs:,.1f}", spe=spe,
    )
)

with st.expander(_("The answer's Keras example, in numbers")):
    keras = global_step.keras_example(n)
    st.code(
        "lr_schedule = tf.keras.optimizers.schedules.ExponentialDecay(\n"
        f"    0.01, decay_steps={keras.decay_steps}, decay_rate=0.96, staircase=True)\n"
        "model = tf.keras.Sequential([tf.keras.Input(shape=(5,)),\n"
        "    tf.keras.layers.Dense(6, activation='relu'), tf.keras.layers.Dense(2, activation='softmax')])\n"
        "model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=lr_schedule), ...)\n"
        f"model.fit(x, y, batch_size={keras.batch_size}, epochs={keras.epochs})",
        language="python",
    )
    numbers = dict(
        examples=i18n.integer(keras.n_examples), spe=keras.steps_per_epoch, total=i18n.integer(keras.total_steps), epochs=keras.epochs,
        decay_steps=keras.decay_steps, first=i18n.integer(keras.decay_steps), epoch=i18n.integer(keras.first_drop_epoch),
    )
    if keras.drops == 0:
        said = _(
            "Keras counts `optimizer.iterations`, one per batch: on {examples} examples that is {spe} steps per epoch and "
            "**{total} steps** in {epochs} epochs. With `decay_steps={decay_steps}` and `staircase=True` the rate first "
            "drops at step {first}, epoch {epoch}: in this training it never decays.",
            **numbers,
        )
    else:
        said = _n(
            "Keras counts `optimizer.iterations`, one per batch: on {examples} examples that is {spe} steps per epoch and "
            "**{total} steps** in {epochs} epochs. With `decay_steps={decay_steps}` and `staircase=True` the rate first "
            "drops at step {first}, epoch {epoch}: in this training it drops once.",
            "Keras counts `optimizer.iterations`, one per batch: on {examples} examples that is {spe} steps per epoch and "
            "**{total} steps** in {epochs} epochs. With `decay_steps={decay_steps}` and `staircase=True` the rate first "
            "drops at step {first}, epoch {epoch}: in this training it drops {n} times.",
            keras.drops,
            **numbers,
        )
    other = _(
        "`tf.keras.callbacks.LearningRateScheduler` is the other way: it calls your function once per epoch (see "
        "*Per epoch* and *Your own formula* in the gallery)."
    )
    st.markdown(_("{sentence} {next}", sentence=said, next=other))  # Chinese joins sentences without a space

downloads.download_row(downloads.step_downloads(curves, rate_curves, stairs, loss_figure, rate_figure, stairs_figure), key="step")
