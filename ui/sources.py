"""The three source texts, item by item, and the page (with settings) that shows each.

Each item quotes its text in the text's own language (Chinese), verbatim: ``original`` (a
sentence or two) and ``code`` (the text's code or printed output), never translated; and
says what it means in ``summary``, English source text that the page translates (so a
student reads the Chinese beside an English summary, or beside a Chinese explanation).
Titles, summaries, notes and link labels are marked with ``N_`` and translated where shown.

Formulas are rendered from lrcore's own schedule objects, so what the index shows is
what the lab computes. ``tests/test_pages.py`` opens every link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lrcore import global_step, nets, theory
from lrcore import schedules as S
from lrcore import batch, optimal
from ui.i18n import N_

RACE, GALLERY, STEP, NET = "app_pages/decay_race.py", "app_pages/schedule_gallery.py", "app_pages/what_is_a_step.py", "app_pages/texts_network.py"
BATCH_LAB, WARMUP_LAB, BEST_LAB = "app_pages/lab_batch_size.py", "app_pages/lab_warmup.py", "app_pages/lab_best_schedule.py"
_KERAS = global_step.keras_example()  # the answer's model.fit in numbers
_ANSWER = dict(nets.ANSWER.params)

# The global_step question's own words (the "What is a step?" page quotes them in 中文).
STEP_QUESTION = "此外,我对 100,000 步到底指的是什么感到有些困惑。究竟是什么一步?是不是每次输入都完全通过网络并反向传播?"


@dataclass(frozen=True)
class Item:
    title: str
    original: str  # the text's own words (Chinese, Markdown as the text has it), verbatim: never translated
    summary: str  # what it says, English source text (translated where shown)
    page: str
    query: dict[str, str] = field(default_factory=dict)
    code: str = ""  # the text's code or printed output, verbatim
    latex: str = ""
    note: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # the {placeholders} of summary and note
    link_label: str = N_("See it")
    code_language: str | None = "python"


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
        N_("The decay article"),
        N_("“Want to optimize your model? Use learning-rate decay!” (Towards AI, Chinese translation)"),
        (
            Item(
                N_("A constant rate makes minibatch SGD oscillate around the minimum"),
                "当使用随机或小批量梯度下降和恒定学习速率训练神经网络时，我们的算法通常以有噪声的方式(MBGD 中噪声较小)收敛于最小值，"
                "并最终远离实际最小值振荡，为了克服这种情况，研究人员提出了一种建议，即随着时间的推移衰减学习速率，"
                "这有助于网络收敛于局部最小值并避免振荡。",
                N_("With stochastic or minibatch gradient descent and a constant rate, the algorithm reaches the minimum "
                   "noisily and ends up oscillating around it. Decaying the rate over time lets it converge and stop oscillating."),
                RACE,
                latex=theory.noise_floor.formula().latex,
                note=theory.noise_floor.formula().sentence,
                link_label=N_("The decay race"),
            ),
            Item(
                N_("Too small a rate is slow; too large is unstable"),
                "选择学习率具有挑战性，因为值*太小*可能导致*长训练*过程停滞，而值*太大*可能导致学习一组次优权重*太快*或*不稳定训练过程*。",
                N_("Choosing the rate is hard: too small a value can stall a long training, too large a value can learn "
                   "suboptimal weights too fast or make training unstable."),
                RACE,
                {"lr": "0.25"},
                latex=theory.stability_bound.formula().latex,
                note=theory.stability_bound.formula().sentence,
                link_label=N_("The race at lr = 0.25 (diverges)"),
            ),
            Item(
                N_("Time-based decay"),
                "基于时间的衰减→在迭代的基础上改变学习率。",
                N_("Time-based decay changes the rate as training goes on: the article's first implementation divides "
                   "the initial rate å0 by 1 + decay_rate · epoch."),
                GALLERY,
                _gallery("per_epoch"),
                code="å = (1 / (1 + decay_rate * epoch)) * å0 # 1st Implementation",
                latex=S.per_epoch(S.inverse_time(0.1, 1, 0.5), 12).latex_symbolic.replace(r"\eta_t", r"\eta"),
                note=N_("Keras' InverseTimeDecay per epoch; in steps it is inverse_time with decay_steps = steps per epoch."),
                link_label=N_("Gallery: per epoch"),
            ),
            Item(
                N_("The discrete staircase: halve the rate every few epochs"),
                "另一种是 ***离散楼梯。*** 在这个实现中，我们在每个特定数量的时期之后将学习速率减半。",
                N_("Another implementation is the discrete staircase: halve the learning rate after every fixed number of epochs."),
                GALLERY,
                _gallery("step", gamma=0.5),
                latex=S.step(0.1, 120, 0.5).latex_symbolic,
                link_label=N_("Gallery: step decay, γ = 0.5"),
            ),
            Item(
                N_("Exponential decay"),
                "指数衰减→在迭代的基础上指数衰减。",
                N_("Exponential decay multiplies the initial rate by a number of your choice below 1, raised to the power of the epoch."),
                GALLERY,
                _gallery("exponential", decay_steps=12, decay_rate=0.9),
                code="å = (YOUR_CHOICE_NUM ^ epoch) * å0\n# Where ‘YOUR_CHOICE_NUM’ is any number lesser than 1.",
                latex=S.exponential(0.1, 12, 0.9).latex_symbolic,
                note=N_("With decay_steps = one epoch (12 steps here), t/T is the epoch."),
                link_label=N_("Gallery: exponential, per epoch"),
            ),
            Item(
                N_("k / √epoch"),
                "另一个实现:",
                N_("Another implementation: the initial rate times k / √epoch."),
                GALLERY,
                _gallery("inverse_sqrt", decay_steps=12),
                code="å = (k / sqrt(epoch)) * å0",
                latex=S.inverse_sqrt(0.1, 1.0, 12, 1).latex_symbolic,
                note=N_("Undefined at epoch 0; the offset c (default 1) shifts the count so the first update is defined."),
                link_label=N_("Gallery: k/√t"),
            ),
            Item(
                N_("k / √(mini-batch size)"),
                "其中“k”是另一个变量/超参数，我们可以根据需要进行调整。",
                N_("Or the initial rate times k / √(mini-batch size), where k is another hyperparameter, tuned as needed."),
                RACE,
                {"scale": "1", "batch": "16", "lr": "0.4"},
                code="å = (k / sqrt(mini_batch_size)) * å0",
                latex=S.batch_size_scaled.latex,
                note=N_("With B = 16 the slider's 0.4 becomes 0.4/√16 = 0.1 for every run: the default race, with a noise floor 16 times lower."),
                link_label=N_("The race with the k/√B rule, B = 16"),
            ),
            Item(
                N_("k / √(mini-batch size), against the other rules"),
                "其中“k”是另一个变量/超参数，我们可以根据需要进行调整。",
                N_("Or the initial rate times k / √(mini-batch size), where k is another hyperparameter, tuned as needed."),
                BATCH_LAB,
                code="å = (k / sqrt(mini_batch_size)) * å0",
                latex=batch.noise_floors.formula().latex,
                note=batch.noise_floors.formula().sentence,
                link_label=N_("Lab: batch size (the k/√B rule beside √B and linear scaling)"),
            ),
            Item(
                N_("Manual decay, and its automatic form"),
                "有时人们自己带着它，观看模型火车，如果需要的话，改变*学习速率*。\n\n但是这种方法是相当**多余的**并且需要很多努力。",
                N_("Sometimes people decay the rate by hand: they watch the model train and change the learning rate when "
                   "needed. The article finds that laborious: functions made for it can do the watching."),
                RACE,
                {"decay": "reduce_on_plateau"},
                latex=S.reduce_on_plateau(0.1, factor=0.5, patience=3).latex,
                note=N_("Reduce-on-plateau does the watching: it cuts the rate when the loss stops improving."),
                link_label=N_("The race against reduce-on-plateau"),
            ),
            Item(
                N_("Keras LearningRateScheduler(DecayFunction)"),
                "所有这些都由函数 LearningRateScheduler 处理。我们主要传递一个自定义函数，上面提到的函数之一。",
                N_("Keras' LearningRateScheduler callback does it: you pass it your own decay function, one of the formulas above."),
                GALLERY,
                _gallery("formula", expression=DECAY_FUNCTION),
                code="def DecayFunction(parameter):\n   # desired Decay function\n   return newLearningRate…\n   …\n"
                "   callbacks=[LearningRateScheduler], \n   …\nLearningRateScheduler(DecayFunction)",
                latex=S.formula("lr0 / (1 + 0.5 * epoch)", 12).latex_symbolic,
                note=N_("Keras calls your function with the epoch index (from 0) at the start of each epoch, and with "
                        "the current rate too if it takes two arguments. The gallery's box takes such a def as pasted."),
                link_label=N_("Gallery: the DecayFunction, pasted as Python"),
            ),
        ),
    ),
    Source(
        N_("The global_step answer"),
        N_("A Stack Overflow question on tf.compat.v1.train.exponential_decay, and its answer."),
        (
            Item(
                N_("The formula"),
                "当 global_step 设置为等于值为 0 的变量时,这并不意味着我们不会有衰减,因为",
                N_("The question quotes TensorFlow's formula: if global_step is a variable set to 0, doesn't that mean "
                   "there is no decay at all?"),
                STEP,
                code="decayed_learning_rate = learning_rate *\n                        decay_rate ^ (global_step / decay_steps)",
                latex=S.exponential(1.0, 100000, 0.96).latex_symbolic,
                link_label=N_("What is a step?"),
            ),
            Item(
                N_("What exactly is a step?"),
                STEP_QUESTION,
                N_("What do the 100,000 steps refer to? What exactly is a step: every time an input goes all the way "
                   "through the network and back?"),
                STEP,
                note=N_("One step is one minibatch update: 1,200 examples at batch size 100 make 12 steps per epoch."),
                link_label=N_("Steps per epoch"),
            ),
            Item(
                N_("The printed table"),
                "我希望这个例子能消除你的疑惑。",
                N_("The answer runs the decay inside a training loop and prints global_step, the rate and the examples "
                   "processed at every step."),
                STEP,
                code="Global Step: 0  Learning Rate: 1.0  Examples Processed: 100\n"
                "Global Step: 1  Learning Rate: 0.9999996423721313  Examples Processed: 200\n"
                "Global Step: 2  Learning Rate: 0.9999992251396179  Examples Processed: 300\n…",
                code_language=None,
                link_label=N_("The table, reproduced"),
            ),
            Item(
                N_("The pitfall: a global_step that never moves"),
                "现在,如果您将全局步骤保持为 0。即从上面的代码中删除增量操作。输出:",
                N_("Keep global_step at 0 (remove the increment from the code) and every rate printed is 1.0: no decay."),
                STEP,
                {"forget": "1"},
                code="Global Step: 0  Learning Rate: 1.0  Examples Processed: 100\n"
                "Global Step: 0  Learning Rate: 1.0  Examples Processed: 200\n"
                "Global Step: 0  Learning Rate: 1.0  Examples Processed: 300\n…",
                code_language=None,
                link_label=N_("Forget the increment"),
            ),
            Item(
                N_("staircase=True"),
                "要了解如何实现具有指数衰减的人工神经网络以及具有恒定学习率的人工神经网络,我在这里查找了它:",
                N_("The question starts from TensorFlow's own example: a starting rate of 0.1, multiplied by 0.96 every "
                   "100,000 steps, in jumps (staircase=True)."),
                STEP,
                {"stair": "1", "lr0": "0.1"},
                code="learning_rate = tf.compat.v1.train.exponential_decay(starter_learning_rate,\nglobal_step,\n"
                "                                           100000, 0.96, staircase=True)",
                latex=S.exponential(0.1, 100000, 0.96, staircase=True).latex_symbolic,
                link_label=N_("Staircase or smooth?"),
            ),
            Item(
                N_("Keras ExponentialDecay on a small model"),
                "建议 - 而不是使用tf.compat.v1.train.exponential_decay使用tf.keras.optimizers.schedules.ExponentialDecay。"
                "这就是最简单的例子的样子。",
                N_("The answer suggests Keras' ExponentialDecay instead, on a model of 5 inputs, Dense(6, relu) and "
                   "Dense(2, softmax), fitted with batch_size=100 for 100 epochs."),
                STEP,
                code="    lr_schedule = tf.keras.optimizers.schedules.ExponentialDecay(\n        initial_learning_rate,\n"
                "        decay_steps=100000,\n        decay_rate=0.96,\n        staircase=True)\n…\n"
                "model.fit(x, y, batch_size = 100, epochs = 100)",
                note=N_("100 epochs of 12 steps is 1,200 steps: this rate never drops."),
                link_label=N_("The Keras example, in numbers"),
            ),
            Item(
                N_("The answer's network, trained"),
                "这就是最简单的例子的样子。",
                N_("The answer's model: 5 inputs, a Dense layer of 6 ReLU units and a softmax over 2 classes, trained by "
                   "SGD under the decay on sparse categorical cross-entropy."),
                NET,
                {"lr": f"{_ANSWER['initial_learning_rate']:g}", "d.decay_steps": str(_ANSWER["decay_steps"])},
                code="    model.add(tf.keras.Input(shape=(5,)))\n    model.add(tf.keras.layers.Dense(units = 6,\n"
                "                                    activation='relu',\n                                    name = 'd1'))\n"
                "    model.add(tf.keras.layers.Dense(units = 2, activation='softmax', name = 'O2'))\n\n"
                "    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=lr_schedule),\n"
                "                loss='sparse_categorical_crossentropy',\n                metrics=['accuracy'])",
                latex=S.exponential(**_ANSWER).latex,
                note=N_("Trained with torch on {examples} synthetic examples: {updates} updates never reach "
                        "decay_steps = {decay_steps}, so the decayed run is the constant one, step for step."),
                fields={
                    "examples": f"{_KERAS.n_examples:,}",
                    "updates": f"{_KERAS.total_steps:,}",
                    "decay_steps": f"{_KERAS.decay_steps:,}",
                },
                link_label=N_("The answer's own settings, trained (never decays)"),
            ),
            Item(
                N_("The same network with decay_steps in steps"),
                "究竟是什么一步?",
                N_("What exactly is a step? One minibatch update: here one epoch is {steps} of them."),
                NET,
                {"lr": f"{_ANSWER['initial_learning_rate']:g}"},
                latex=S.exponential(_ANSWER["initial_learning_rate"], _KERAS.steps_per_epoch, _ANSWER["decay_rate"], True).latex,
                note=N_("decay_steps = {steps} (one epoch): the rate is multiplied by {rate} every epoch."),
                fields={"steps": str(_KERAS.steps_per_epoch), "rate": f"{_ANSWER['decay_rate']:g}"},
                link_label=N_("Trained with decay_steps = one epoch"),
            ),
        ),
    ),
    Source(
        N_("The strategies note"),
        N_("Learning-rate strategies with TensorFlow: fixed rate, decay, adaptive optimizers, warmup."),
        (
            Item(
                N_("A fixed learning rate"),
                "最简单的学习率优化方法是固定学习率,即在整个训练过程中保持学习率不变。这种方法适用于训练数据较小且模型比较简单的情况。",
                N_("The simplest method is a fixed learning rate, the same for the whole training; the note finds it "
                   "suits small training sets and simple models."),
                RACE,
                code="learning_rate = 0.01\noptimizer = tf.train.GradientDescentOptimizer(learning_rate)",
                latex=S.constant(0.01).latex_symbolic,
                link_label=N_("The constant run in the race"),
            ),
            Item(
                N_("Exponential decay with staircase"),
                "学习率衰减是一种常用的学习率优化方法,它会随着训练的进行逐渐减小学习率。",
                N_("Learning-rate decay, a common method, lowers the rate gradually as training goes on: here from 0.1, "
                   "times 0.96 every 1000 steps, in jumps."),
                GALLERY,
                _gallery("exponential", decay_steps=1000, decay_rate=0.96, staircase=1) | {"steps": "10000"},
                code="initial_learning_rate = 0.1\ndecay_steps = 1000\ndecay_rate = 0.96\n\n"
                "learning_rate = tf.train.exponential_decay(initial_learning_rate,\n"
                "                                           global_step,\n"
                "                                           decay_steps,\n"
                "                                           decay_rate,\n"
                "                                           staircase=True)",
                latex=S.exponential(0.1, 1000, 0.96, staircase=True).latex,
                link_label=N_("Gallery: this exact schedule"),
            ),
            Item(
                N_("Adaptive optimizers: Momentum, Adagrad, RMSprop, Adam"),
                "自适应学习率方法可以根据网络的当前状态动态调整学习率。常用的自适应学习率方法有Momentum、Adagrad、RMSprop和Adam等。",
                N_("Adaptive methods adjust the rate to the network's current state; Momentum, Adagrad, RMSprop and "
                   "Adam are the common ones."),
                RACE,
                {"opt": "Adam", "lr": "0.05"},
                code="optimizer = tf.train.MomentumOptimizer(learning_rate, momentum)\n"
                "optimizer = tf.train.AdagradOptimizer(learning_rate)\n"
                "optimizer = tf.train.RMSPropOptimizer(learning_rate)\n"
                "optimizer = tf.train.AdamOptimizer(learning_rate, beta1, beta2)",
                note=N_("In the race, pick the optimizer in the sidebar; hyper-parameters follow torch's defaults."),
                link_label=N_("The race with Adam"),
            ),
            Item(
                N_("Linear warmup"),
                "学习率预热是一种调整学习率的方法,在训练开始时会先使用较小的学习率,然后逐渐增加学习率。",
                N_("Warmup starts training with a small rate and raises it gradually: here linearly, reaching the full "
                   "rate at warmup_steps."),
                GALLERY,
                {"show": "warmup", "g.warmup.schedule": "constant", "g.warmup.warmup_steps": "100"},
                code="learning_rate = tf.cond(global_step < warmup_steps,\n"
                "                        lambda: tf.cast(global_step, tf.float32) / warmup_steps * learning_rate,\n"
                "                        lambda: learning_rate)",
                latex=S.warmup(S.constant(0.01), 1000).latex_symbolic,
                link_label=N_("Gallery: warmup"),
            ),
            Item(
                N_("Warmup \"improves stability\": when it does, and when it cannot"),
                "学习率预热是一种调整学习率的方法,在训练开始时会先使用较小的学习率,然后逐渐增加学习率。这样做可以提高模型的稳定性和泛化能力。",
                N_("Warmup starts training with a small rate and raises it gradually; the note says this improves the "
                   "model's stability and its generalisation."),
                WARMUP_LAB,
                note=N_("Warmup rescues a rate that is too large only where the curvature is higher at the start than "
                        "near the minimum; on a fixed quadratic it cannot (the bound is the same everywhere); with Adam it "
                        "covers the first steps, when the second-moment estimate is still poor."),
                link_label=N_("Lab: warmup"),
            ),
            Item(
                N_("Choosing the right method"),
                "根据具体问题和数据集的特点,选择合适的学习率优化方法可以加速模型的训练并获得更好的性能。",
                N_("Choosing the learning-rate method that suits the problem and the data set speeds training up and "
                   "performs better."),
                BEST_LAB,
                latex=optimal.improvement.formula().latex,
                note=optimal.improvement.formula().sentence,
                link_label=N_("Lab: how good is my decay?"),
            ),
        ),
    ),
)
