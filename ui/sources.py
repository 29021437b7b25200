"""The three source texts, item by item, and the page (with settings) that shows each.

Formulas are rendered from lrcore's own schedule objects, so what the index shows is
what the lab computes. ``tests/test_pages.py`` opens every link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lrcore import global_step, nets, theory
from lrcore import schedules as S
from lrcore import batch, optimal

RACE, GALLERY, STEP, NET = "pages/decay_race.py", "pages/schedule_gallery.py", "pages/what_is_a_step.py", "pages/texts_network.py"
BATCH_LAB, WARMUP_LAB, BEST_LAB = "pages/lab_batch_size.py", "pages/lab_warmup.py", "pages/lab_best_schedule.py"
_KERAS = global_step.keras_example()  # the answer's model.fit in numbers
_ANSWER = dict(nets.ANSWER.params)


@dataclass(frozen=True)
class Item:
    title: str
    quote: str
    page: str
    query: dict[str, str] = field(default_factory=dict)
    latex: str = ""
    note: str = ""
    link_label: str = "See it"


@dataclass(frozen=True)
class Source:
    title: str
    summary: str
    items: tuple[Item, ...]


# The article's DecayFunction written out: its time-based decay, as Keras would be handed it.
DECAY_FUNCTION = """def DecayFunction(epoch):
    decay_rate = 0.5
    return lr0 / (1 + decay_rate * epoch)
"""


def _gallery(name: str, **params) -> dict[str, str]:
    query = {"show": name}
    query.update({f"g.{name}.{k}": str(v) for k, v in params.items()})
    return query


SOURCES = (
    Source(
        "The decay article",
        "“Want to optimize your model? Use learning-rate decay!” (Towards AI, Chinese translation)",
        (
            Item(
                "A constant rate makes minibatch SGD oscillate around the minimum",
                "当使用随机或小批量梯度下降和恒定学习速率训练神经网络时，我们的算法通常以有噪声的方式收敛于最小值，并最终远离实际最小值振荡 — "
                "with minibatch SGD and a constant rate, the algorithm reaches the minimum noisily and keeps oscillating around it.",
                RACE,
                latex=theory.noise_floor.formula().latex,
                note=theory.noise_floor.formula().sentence,
                link_label="The decay race",
            ),
            Item(
                "Too small a rate is slow; too large is unstable",
                "值太小可能导致长训练过程停滞，而值太大可能导致学习一组次优权重太快或不稳定训练过程 — too small stalls training, too large is unstable.",
                RACE,
                {"lr": "0.25"},
                latex=theory.stability_bound.formula().latex,
                note=theory.stability_bound.formula().sentence,
                link_label="The race at lr = 0.25 (diverges)",
            ),
            Item(
                "Time-based decay",
                "å = (1 / (1 + decay_rate * epoch)) * å0",
                GALLERY,
                _gallery("per_epoch"),
                latex=S.per_epoch(S.inverse_time(0.1, 1, 0.5), 12).latex_symbolic.replace(r"\eta_t", r"\eta"),
                note="Keras' InverseTimeDecay per epoch; in steps it is inverse_time with decay_steps = steps per epoch.",
                link_label="Gallery: per epoch",
            ),
            Item(
                "The discrete staircase: halve the rate every few epochs",
                "在每个特定数量的时期之后将学习速率减半 — halve the learning rate after every fixed number of epochs.",
                GALLERY,
                _gallery("step", gamma=0.5),
                latex=S.step(0.1, 120, 0.5).latex_symbolic,
                link_label="Gallery: step decay, γ = 0.5",
            ),
            Item(
                "Exponential decay",
                "å = (YOUR_CHOICE_NUM ^ epoch) * å0, YOUR_CHOICE_NUM < 1",
                GALLERY,
                _gallery("exponential", decay_steps=12, decay_rate=0.9),
                latex=S.exponential(0.1, 12, 0.9).latex_symbolic,
                note="With decay_steps = one epoch (12 steps here), t/T is the epoch.",
                link_label="Gallery: exponential, per epoch",
            ),
            Item(
                "k / √epoch",
                "å = (k / sqrt(epoch)) * å0",
                GALLERY,
                _gallery("inverse_sqrt", decay_steps=12),
                latex=S.inverse_sqrt(0.1, 1.0, 12, 1).latex_symbolic,
                note="Undefined at epoch 0; the offset c (default 1) shifts the count so the first update is defined.",
                link_label="Gallery: k/√t",
            ),
            Item(
                "k / √(mini-batch size)",
                "å = (k / sqrt(mini_batch_size)) * å0",
                RACE,
                {"scale": "1", "batch": "16", "lr": "0.4"},
                latex=S.batch_size_scaled.latex,
                note="With B = 16 the slider's 0.4 becomes 0.4/√16 = 0.1 for every run: the default race, with a noise floor 16 times lower.",
                link_label="The race with the k/√B rule, B = 16",
            ),
            Item(
                "k / √(mini-batch size), against the other rules",
                "å = (k / sqrt(mini_batch_size)) * å0",
                BATCH_LAB,
                latex=batch.noise_floors.formula().latex,
                note=batch.noise_floors.formula().sentence,
                link_label="Lab: batch size (the k/√B rule beside √B and linear scaling)",
            ),
            Item(
                "Manual decay, and its automatic form",
                "有时人们自己带着它，观看模型火车，如果需要的话，改变学习速率 — people watch training and change the rate by hand; laborious.",
                RACE,
                {"decay": "reduce_on_plateau"},
                latex=S.reduce_on_plateau(0.1, factor=0.5, patience=3).latex,
                note="Reduce-on-plateau does the watching: it cuts the rate when the loss stops improving.",
                link_label="The race against reduce-on-plateau",
            ),
            Item(
                "Keras LearningRateScheduler(DecayFunction)",
                "def DecayFunction(parameter): return newLearningRate … callbacks=[LearningRateScheduler]",
                GALLERY,
                _gallery("formula", expression=DECAY_FUNCTION),
                latex=S.formula("lr0 / (1 + 0.5 * epoch)", 12).latex_symbolic,
                note="Keras calls your function with the epoch index (from 0) at the start of each epoch, and with "
                "the current rate too if it takes two arguments. The gallery's box takes such a def as pasted.",
                link_label="Gallery: the DecayFunction, pasted as Python",
            ),
        ),
    ),
    Source(
        "The global_step answer",
        "A Stack Overflow question on tf.compat.v1.train.exponential_decay, and its answer.",
        (
            Item(
                "The formula",
                "decayed_learning_rate = learning_rate * decay_rate ^ (global_step / decay_steps)",
                STEP,
                latex=S.exponential(1.0, 100000, 0.96).latex_symbolic,
                link_label="What is a step?",
            ),
            Item(
                "What exactly is a step?",
                "我对 100,000 步到底指的是什么感到有些困惑。究竟是什么一步？ — what exactly does a step mean?",
                STEP,
                note="One step is one minibatch update: 1,200 examples at batch size 100 make 12 steps per epoch.",
                link_label="Steps per epoch",
            ),
            Item(
                "The printed table",
                "Global Step: 1  Learning Rate: 0.9999996423721313  Examples Processed: 200 …",
                STEP,
                link_label="The table, reproduced",
            ),
            Item(
                "The pitfall: a global_step that never moves",
                "如果您将全局步骤保持为 0 … Learning Rate: 1.0 — keep global_step at 0 and every rate is 1.0: no decay.",
                STEP,
                {"forget": "1"},
                link_label="Forget the increment",
            ),
            Item(
                "staircase=True",
                "exponential_decay(starter_learning_rate, global_step, 100000, 0.96, staircase=True)",
                STEP,
                {"stair": "1", "lr0": "0.1"},
                latex=S.exponential(0.1, 100000, 0.96, staircase=True).latex_symbolic,
                link_label="Staircase or smooth?",
            ),
            Item(
                "Keras ExponentialDecay on a small model",
                "ExponentialDecay(0.01, decay_steps=100000, decay_rate=0.96, staircase=True); Dense(6, relu) → Dense(2, softmax); "
                "model.fit(x, y, batch_size=100, epochs=100)",
                STEP,
                note="100 epochs of 12 steps is 1,200 steps: this rate never drops.",
                link_label="The Keras example, in numbers",
            ),
            Item(
                "The answer's network, trained",
                "model.add(Dense(units=6, activation='relu')); model.add(Dense(units=2, activation='softmax')); "
                "SGD(learning_rate=lr_schedule), loss='sparse_categorical_crossentropy'",
                NET,
                {"lr": f"{_ANSWER['initial_learning_rate']:g}", "d.decay_steps": str(_ANSWER["decay_steps"])},
                latex=S.exponential(**_ANSWER).latex,
                note=f"Trained with torch on {_KERAS.n_examples:,} synthetic examples: {_KERAS.total_steps:,} updates never reach "
                f"decay_steps = {_KERAS.decay_steps:,}, so the decayed run is the constant one, step for step.",
                link_label="The answer's own settings, trained (never decays)",
            ),
            Item(
                "The same network with decay_steps in steps",
                "究竟是什么一步？ — a step is one minibatch update, so one epoch is 12 of them here.",
                NET,
                {"lr": f"{_ANSWER['initial_learning_rate']:g}"},
                latex=S.exponential(_ANSWER["initial_learning_rate"], _KERAS.steps_per_epoch, _ANSWER["decay_rate"], True).latex,
                note=f"decay_steps = {_KERAS.steps_per_epoch} (one epoch): the rate is multiplied by {_ANSWER['decay_rate']:g} every epoch.",
                link_label="Trained with decay_steps = one epoch",
            ),
        ),
    ),
    Source(
        "The strategies note",
        "Learning-rate strategies with TensorFlow: fixed rate, decay, adaptive optimizers, warmup.",
        (
            Item(
                "A fixed learning rate",
                "learning_rate = 0.01; optimizer = tf.train.GradientDescentOptimizer(learning_rate)",
                RACE,
                latex=S.constant(0.01).latex_symbolic,
                link_label="The constant run in the race",
            ),
            Item(
                "Exponential decay with staircase",
                "tf.train.exponential_decay(0.1, global_step, 1000, 0.96, staircase=True)",
                GALLERY,
                _gallery("exponential", decay_steps=1000, decay_rate=0.96, staircase=1) | {"steps": "10000"},
                latex=S.exponential(0.1, 1000, 0.96, staircase=True).latex,
                link_label="Gallery: this exact schedule",
            ),
            Item(
                "Adaptive optimizers: Momentum, Adagrad, RMSprop, Adam",
                "tf.train.MomentumOptimizer(0.01, 0.9), AdagradOptimizer, RMSPropOptimizer, AdamOptimizer(0.01, 0.9, 0.999)",
                RACE,
                {"opt": "Adam", "lr": "0.05"},
                note="In the race, pick the optimizer in the sidebar; hyper-parameters follow torch's defaults.",
                link_label="The race with Adam",
            ),
            Item(
                "Linear warmup",
                "tf.cond(global_step < warmup_steps, lambda: global_step / warmup_steps * learning_rate, lambda: learning_rate)",
                GALLERY,
                {"show": "warmup", "g.warmup.schedule": "constant", "g.warmup.warmup_steps": "100"},
                latex=S.warmup(S.constant(0.01), 1000).latex_symbolic,
                link_label="Gallery: warmup",
            ),
            Item(
                "Warmup \"improves stability\": when it does, and when it cannot",
                "学习率预热是一种调整学习率的方法,在训练开始时会先使用较小的学习率,然后逐渐增加学习率。这样做可以提高模型的稳定性和泛化能力。 — "
                "warmup starts training with a small rate and raises it gradually; this improves the model's stability.",
                WARMUP_LAB,
                note="Warmup rescues a rate that is too large only where the curvature is higher at the start than "
                "near the minimum; on a fixed quadratic it cannot (the bound is the same everywhere); with Adam it "
                "covers the first steps, when the second-moment estimate is still poor.",
                link_label="Lab: warmup",
            ),
            Item(
                "Choosing the right method",
                "根据具体问题和数据集的特点,选择合适的学习率优化方法可以加速模型的训练并获得更好的性能。 — choosing the learning-rate "
                "method that suits the problem speeds training up and performs better.",
                BEST_LAB,
                latex=optimal.improvement.formula().latex,
                note=optimal.improvement.formula().sentence,
                link_label="Lab: how good is my decay?",
            ),
        ),
    ),
)
