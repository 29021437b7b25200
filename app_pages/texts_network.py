"""The texts' network, trained: the global_step answer's 5-6-2 model, a constant rate against a decayed one.

Training runs in the script, chunk by chunk from the cache (ui.compute.net_chunk), with a
progress bar between chunks. A thread would go on training after the teacher has moved
on; here a settings change makes Streamlit stop the run at the next progress message, and
the chunks already trained stay cached, so coming back resumes instead of starting over.
torch is imported only when this page trains (lrcore.nets imports it inside its functions).
"""

import streamlit as st

from lrcore import nets, registry
from lrcore.registry import ParameterError
from lrcore.schedules import steps_per_epoch
from ui import charts, compute, controls, figures, i18n, state, text, words
from ui.i18n import _
from ui.state import Field

BATCHES = [1, 2, 5, 10, 20, 25, 50, 100, 200, 300, 600, 1200]
NOT_OFFERED = ("constant", "reduce_on_plateau")  # the other lane is the constant; plateau needs a validation loss
d = nets.NetConfig()
ANSWER = dict(nets.ANSWER.params)

st.title(_("The texts' network, trained"))
st.markdown(
    _(
        "The global_step answer's Keras model, trained for real with PyTorch: 5 inputs → `Dense(6, relu)` → "
        "`Dense(2, softmax)`, SGD on minibatches, **a constant rate against a decayed one**, on the same initial "
        "weights and the same batch order, for several seeds at once."
    )
)
link = state.Link("net")


def preset(right_units: bool) -> None:
    """The answer's own settings; with ``right_units``, its decay_steps as one epoch of steps."""
    n, batch = 1200, 100
    link.set("n", n)
    link.set("batch", batch)
    link.set("epochs", 100)
    link.set("lr", ANSWER["initial_learning_rate"])
    link.set("decay", "exponential")
    link.set("d.decay_steps", steps_per_epoch(n, batch) if right_units else ANSWER["decay_steps"])
    link.set("d.decay_rate", ANSWER["decay_rate"])
    link.set("d.staircase", ANSWER["staircase"])


with st.sidebar:
    st.markdown(_("**The data and the training**"))
    c1, c2 = st.columns(2)
    n = c1.number_input(_("examples N"), 100, 10000, step=100, key=link.field(Field("n", d.n_examples, state.integer(100, 10000))))
    epochs = c2.number_input(_("epochs"), 1, 2000, step=10, key=link.field(Field("epochs", d.epochs, state.integer(1, 2000))))
    batch = st.select_slider(_("batch size B"), BATCHES, key=link.field(Field("batch", d.batch_size, state.choice(BATCHES))))
    noise = st.slider(
        _("label noise"), 0.0, 0.45, step=0.05, key=link.field(Field("noise", d.label_noise, state.number(0.0, 0.45))),
        help=_("The share of training labels flipped at random."),
    )  # fmt: skip
    c1, c2 = st.columns(2)
    seeds = c1.number_input(
        _("seeds"), 1, 16, step=1, key=link.field(Field("seeds", d.seeds, state.integer(1, 16))),
        help=_("Runs per lane: each seed its own initial weights and batch order, shared by both lanes."),
    )  # fmt: skip
    seed = c2.number_input(_("data seed"), 0, 10**6, step=1, key=link.field(Field("seed", d.seed, state.integer(0, 10**6))))
    try:
        spe = steps_per_epoch(int(n), int(batch))
    except ValueError as err:
        spe = 1
        st.error(text.error_message(err), icon="⚠️")

r1, r2, p1, p2 = st.columns([0.8, 1.2, 1.1, 1.1], vertical_alignment="bottom")
lr = r1.number_input(
    _("learning rate"), 1e-4, 10.0, step=0.1, format="%g", key=link.field(Field("lr", float(d.constant["learning_rate"]), state.number(1e-4, 10.0))),
    help=_("The constant lane's rate, and where the decayed lane starts."),
)  # fmt: skip
decay = controls.schedule_picker(link, "decay", "exponential", exclude=NOT_OFFERED, label=_("decayed lane"), container=r2)
p1.button(
    _("The answer's settings"), key="answer", on_click=preset, args=(False,), width="stretch",
    help=_("The answer's own settings, which never decay: ExponentialDecay(0.01, decay_steps=100000, decay_rate=0.96, staircase=True), batch 100, 1,200 examples, 100 epochs."),
)  # fmt: skip
p2.button(
    _("decay_steps = one epoch"), key="right_units", on_click=preset, args=(True,), width="stretch",
    help=_("The answer's settings with decay_steps in the right units. decay_steps counts updates: one epoch is ⌈N / B⌉ of them (12 at the answer's 1,200 and 100), so the rate is multiplied by 0.96 every epoch."),
)  # fmt: skip
overrides = {"decay_steps": spe, "decay_rate": 0.96, "staircase": True} if decay == "exponential" else None
with st.sidebar:
    st.markdown(_("**The decayed lane: {name}**", name=controls.spec_label({"name": decay})))
    spec = controls.schedule_editor(link, "d", decay, horizon=int(epochs) * spe, rate=float(lr), hide_rates=True, overrides=overrides, fixed={"steps_per_epoch": spe})
link.finish()

if spec is None:
    st.stop()
try:
    config = nets.NetConfig(
        n_examples=int(n),
        label_noise=float(noise),
        batch_size=int(batch),
        epochs=int(epochs),
        seeds=int(seeds),
        seed=int(seed),
        constant=registry.Spec("constant", (("learning_rate", float(lr)),)),
        decayed=registry.Spec.from_dict(spec).with_rate(float(lr)),
    ).check()
except ParameterError as err:
    st.error(text.error_message(err), icon="⚠️")
    st.stop()

slot = st.empty()
label = _(
    "Training {networks} networks ({seeds} seeds × 2 lanes) for {updates} updates",
    networks=2 * config.seeds, seeds=config.seeds, updates=i18n.integer(config.steps),
)
slot.progress(0.0, text=label)
view = compute.net_training(config, lambda share: slot.progress(share, text=_("{label}: {share}", label=label, share=f"{share:.0%}")))
slot.empty()
result, outcome = view.result, view.outcome

story_col, chart_col = st.columns([1, 2.1])
with story_col:
    with st.container(border=True):
        lane_names = (controls.spec_label(config.constant), controls.spec_label(config.decayed))  # in the session's language
        st.markdown("\n\n".join(words.net_story(outcome, lane_names, config.steps_per_epoch)))
    st.markdown(
        _(
            "**The data.** {examples} examples of 5 standard-normal inputs, labelled by the rule below; {flipped} of "
            "the labels flipped ({positive} in class 1). Batches of {batch}: "
            "**{spe} steps per epoch**, {steps} in all.",
            examples=i18n.integer(config.n_examples), flipped=f"{result.data.flipped.mean():.0%}",
            positive=f"{result.data.positive_share:.0%}", batch=config.batch_size, spe=config.steps_per_epoch,
            steps=i18n.integer(config.steps),
        )
    )
    st.latex(text.latex(nets.RULE_LATEX))
    st.success(words.net_rate_check(outcome, result.factory), icon=":material/check_circle:") if outcome.rate_gap < nets.RATE_AGREES else st.warning(
        words.net_rate_check(outcome, result.factory), icon=":material/warning:"
    )
with chart_col:
    names = (controls.spec_label(config.constant), controls.spec_label(config.decayed))
    charts.plotly(figures.net_curves(view, labels=names), key="net", config={"displaylogo": False})
    st.caption(
        _(
            "Loss and accuracy on the whole training set after every update (step 0: the initial weights), the mean over "
            "seeds with a band from the lowest to the highest seed. Bottom: the rate each update used, as torch applied it, "
            "with lrcore's schedule dotted over it."
        )
    )

with st.expander(_("The code: the answer's Keras model, and the PyTorch loop this page runs")):
    k1, k2 = st.columns(2)
    k1.code(
        "lr_schedule = tf.keras.optimizers.schedules.ExponentialDecay(\n"
        "    0.01, decay_steps=100000, decay_rate=0.96, staircase=True)\n"
        "model = tf.keras.Sequential([tf.keras.Input(shape=(5,)),\n"
        "    tf.keras.layers.Dense(6, activation='relu'),\n"
        "    tf.keras.layers.Dense(2, activation='softmax')])\n"
        "model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=lr_schedule),\n"
        "              loss='sparse_categorical_crossentropy', metrics=['accuracy'])\n"
        "model.fit(x, y, batch_size=100, epochs=100)",
        language="python",
    )
    k2.code(
        "model = nn.Sequential(nn.Linear(5, 6), nn.ReLU(), nn.Linear(6, 2))\n"
        f"optimizer = torch.optim.SGD(model.parameters(), lr={float(result.rate[1][0]):g})\n"
        f"scheduler = ...  # {config.decayed.label}: {result.factory}\n"
        f"for epoch in range({config.epochs}):\n"
        f"    for x, y in batches(shuffle=True, batch_size={config.batch_size}):  # {config.steps_per_epoch} steps\n"
        "        loss = F.cross_entropy(model(x), y)   # softmax + sparse categorical CE\n"
        "        optimizer.zero_grad(); loss.backward()\n"
        "        optimizer.step()\n"
        + ("    scheduler.step()   # once per epoch\n" if result.per_epoch[1] else "        scheduler.step()   # after every update: steps count updates\n"),
        language="python",
    )
    st.caption(
        _(
            "The page trains {models} such models in one batched pass (weights with a leading lane × seed "
            "dimension), Glorot-uniform kernels and zero biases as Keras initialises them; the constant lane's scheduler "
            "is built the same way and holds its rate.",
            models=2 * config.seeds,
        )
    )
