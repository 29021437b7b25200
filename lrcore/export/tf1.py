"""TensorFlow 1 style: ``tf.compat.v1.train.*_decay`` fed ``global_step``, which ``minimize`` increments.

Passing ``global_step=global_step`` to ``optimizer.minimize`` adds one to it after every
update, so the global_step answer's pitfall (a counter never incremented, a rate that never
decays) cannot happen. TensorFlow 1 has no function for most of the PyTorch schedules;
those raise :class:`ParameterError` saying so. Every ``tf.`` name these snippets use is in
``tf1_names.txt`` (with the documentation it was checked against).
"""

from __future__ import annotations

from lrcore import _checks as check
from lrcore._text import N_, Message
from lrcore.export.formula import lit, steps_lit
from lrcore.schedules import ReduceLROnPlateau, Schedule

__all__ = ["rate_expression", "snippet"]

_T = "tf.compat.v1.train"


def _no(s, why: str, **fields) -> check.ParameterError:
    """A refusal: ``why`` is a template of its own (marked ``N_``), translated apart from the frame."""
    reason = Message(why, **fields)
    return check.fail("schedule", N_("TensorFlow 1 cannot run {schedule} as a schedule: {reason}"), schedule=s.name, reason=reason)


def _call(fn: str, **kw: str) -> str:
    return f"{_T}.{fn}(\n" + "".join(f"    {k}={v},\n" for k, v in kw.items()) + ")"


def _whole(name: str, xs) -> list[int]:
    if not all(float(x).is_integer() for x in xs):
        raise check.fail(name, N_("TensorFlow 1's piecewise_constant compares the integer global_step: {name} must be whole steps"))
    return [int(x) for x in xs]


def rate_expression(s: Schedule | ReduceLROnPlateau, spe: int = 1) -> tuple[str, str]:
    """(the ``learning_rate = ...`` right-hand side, a comment) for TF1, or ParameterError.

    ``spe`` stretches a schedule of the epoch to steps (``per_epoch``).
    """
    if isinstance(s, ReduceLROnPlateau):
        raise _no(s, N_("a feedback rule needs the loss each epoch; tf.compat.v1.train has no reduce-on-plateau function"))
    p, n, gs = s.params, s.name, "global_step"
    stretched = spe != 1
    if stretched and n not in ("exponential", "inverse_time", "step"):
        raise _no(s, N_("per epoch, only exponential, inverse-time and step decay map to a TF1 function (got {got})"), got=n)
    if n == "constant":
        return f"tf.constant({lit(p['learning_rate'])})", "a constant rate: no decay function needed"
    if n in ("exponential", "inverse_time"):
        fn = "exponential_decay" if n == "exponential" else "inverse_time_decay"
        ds, stair = p["decay_steps"], p["staircase"]
        note = ""
        if stretched:
            if not (stair or ds == 1) or not float(ds).is_integer():
                raise _no(s, N_("per epoch, the decay must be a staircase of whole epochs"))
            ds, stair = ds * spe, True
            note = f"per epoch: a staircase of {steps_lit(p['decay_steps'])} epochs x {spe} steps"
        return _call(fn, learning_rate=lit(p["initial_learning_rate"]), global_step=gs, decay_steps=steps_lit(ds),
                     decay_rate=lit(p["decay_rate"]), staircase=lit(stair)), note  # fmt: skip
    if n == "step":
        size = p["step_size"] * spe
        return _call("exponential_decay", learning_rate=lit(p["lr"]), global_step=gs, decay_steps=str(size),
                     decay_rate=lit(p["gamma"]), staircase="True"), "StepLR is a staircase exponential decay"  # fmt: skip
    if n == "piecewise_constant":
        b = _whole("boundaries", p["boundaries"])
        note = ""
        if not p["inclusive"]:
            b = [x - 1 for x in b]
            note = "TF1 switches one step after each boundary, so the boundaries are one step earlier"
        return _call("piecewise_constant", x=gs, boundaries=lit(b), values=lit(list(p["values"]))), note
    if n == "multi_step":
        values = [p["lr"] * p["gamma"] ** k for k in range(len(p["milestones"]) + 1)]
        b = [m - 1 for m in p["milestones"]]
        return _call("piecewise_constant", x=gs, boundaries=lit(b), values=lit(values)), (
            "MultiStepLR as piecewise constants: lr * gamma**k, switching one step after milestone - 1"
        )
    if n == "polynomial":
        return _call("polynomial_decay", learning_rate=lit(p["initial_learning_rate"]), global_step=gs,
                     decay_steps=steps_lit(p["decay_steps"]), end_learning_rate=lit(p["end_learning_rate"]),
                     power=lit(p["power"]), cycle=lit(p["cycle"])), ""  # fmt: skip
    if n == "linear":
        if p["total_iters"] == 0:
            return f"tf.constant({lit(p['lr'])} * {lit(p['start_factor'])})", "total_iters = 0: a constant rate"
        return _call("polynomial_decay", learning_rate=f"{lit(p['lr'])} * {lit(p['start_factor'])}", global_step=gs,
                     decay_steps=str(p["total_iters"]), end_learning_rate=f"{lit(p['lr'])} * {lit(p['end_factor'])}",
                     power="1.0"), "LinearLR is a polynomial decay of power 1"  # fmt: skip
    if n == "cosine":
        if p["warmup_target"] is not None:
            raise _no(s, N_("tf.compat.v1.train.cosine_decay has no warmup (Keras' CosineDecay has)"))
        return _call("cosine_decay", learning_rate=lit(p["initial_learning_rate"]), global_step=gs,
                     decay_steps=steps_lit(p["decay_steps"]), alpha=lit(p["alpha"])), ""  # fmt: skip
    if n == "cosine_restarts":
        return _call("cosine_decay_restarts", learning_rate=lit(p["initial_learning_rate"]), global_step=gs,
                     first_decay_steps=steps_lit(p["first_decay_steps"]), t_mul=lit(p["t_mul"]), m_mul=lit(p["m_mul"]),
                     alpha=lit(p["alpha"])), ""  # fmt: skip
    if n == "cosine_warm_restarts":
        if p["lr"] == 0:
            raise _no(s, N_("cosine_decay_restarts sets its floor as a fraction alpha of the rate, and the rate is 0"))
        return _call("cosine_decay_restarts", learning_rate=lit(p["lr"]), global_step=gs, first_decay_steps=str(p["T_0"]),
                     t_mul=lit(float(p["T_mult"])), m_mul="1.0", alpha=f"{lit(p['eta_min'])} / {lit(p['lr'])}"), (
            "CosineAnnealingWarmRestarts is cosine_decay_restarts with m_mul = 1 and alpha = eta_min / lr"
        )  # fmt: skip
    if n == "per_epoch":
        return rate_expression(p["schedule"], spe * p["steps_per_epoch"])
    if n == "warmup" and p["warmup_steps"] == 0:
        return rate_expression(p["schedule"], spe)
    reasons = {
        "cosine_annealing": N_("tf.compat.v1.train.cosine_decay holds its floor past decay_steps; CosineAnnealingLR rises again"),
        "inverse_sqrt": N_("tf.compat.v1.train has no k/sqrt(t) decay function"),
        "one_cycle": N_("tf.compat.v1.train has no one-cycle function"),
        "cyclic": N_("tf.compat.v1.train has no cyclic (triangle) function"),
        "warmup": N_("tf.compat.v1.train has no warmup function"),
        "join": N_("tf.compat.v1.train has no function that joins schedules"),
        "formula": N_("tf.compat.v1.train has no function for your own formula"),
    }
    raise _no(s, reasons.get(n, N_("tf.compat.v1.train has no matching function")))


def snippet(s: Schedule | ReduceLROnPlateau, title: str, steps: int) -> str:
    rhs, note = rate_expression(s)
    lines = [f'"""{title}', "", "TensorFlow 1 style (tf.compat.v1, graph mode), exported by the Learning-Rate Decay Lab.", '"""', ""]
    lines += [
        "import numpy as np",
        "import tensorflow as tf",
        "",
        "tf.compat.v1.disable_eager_execution()",
        "",
        "# a placeholder model: linear regression on 10 features",
        "x = tf.compat.v1.placeholder(tf.float32, shape=(None, 10))",
        "y = tf.compat.v1.placeholder(tf.float32, shape=(None, 1))",
        'w = tf.compat.v1.get_variable("w", shape=(10, 1))',
        'b = tf.compat.v1.get_variable("b", shape=(1,), initializer=tf.compat.v1.zeros_initializer())',
        "loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))",
        "",
        "global_step = tf.compat.v1.train.get_or_create_global_step()",
    ]
    if note:
        lines.append(f"# {note}")
    lines += [
        f"learning_rate = {rhs}",
        "optimizer = tf.compat.v1.train.GradientDescentOptimizer(learning_rate=learning_rate)",
        "# global_step=global_step: minimize() adds 1 to global_step after every update, so the decay",
        "# cannot stall at step 0 (the forgotten global_step.assign_add(1) of the global_step answer)",
        "train_op = optimizer.minimize(loss, global_step=global_step)",
        "",
        f"TOTAL_STEPS = {steps}",
        "",
        'if __name__ == "__main__":',
        "    rng = np.random.default_rng(0)",
        "    with tf.compat.v1.Session() as sess:",
        "        sess.run(tf.compat.v1.global_variables_initializer())",
        "        for _ in range(TOTAL_STEPS):",
        "            rate = sess.run(learning_rate)  # the rate of this update",
        "            feed = {x: rng.normal(size=(32, 10)), y: rng.normal(size=(32, 1))}",
        "            _, step = sess.run([train_op, global_step], feed_dict=feed)",
        "            if step % 100 == 1:",
        '                print(f"global_step {step}: rate {rate:.6g}")',
    ]
    return "\n".join(lines) + "\n"
