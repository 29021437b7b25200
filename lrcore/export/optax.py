"""optax: the matching ``optax`` schedule, ``optax.join_schedules`` for compositions, else a
function of the update count written out in ``jax.numpy`` (optax takes any such callable).
"""

from __future__ import annotations

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.export.formula import JAX, Functions, lit, pasted_function, steps_lit
from lrcore.schedules import ReduceLROnPlateau, Schedule

__all__ = ["schedule_expression", "snippet"]


def _call(fn: str, **kw: str) -> str:
    return f"optax.{fn}(" + ", ".join(f"{k}={v}" for k, v in kw.items()) + ")"


def _builtin(s: Schedule, F: Functions) -> str | None:
    p, n = s.params, s.name
    if n == "constant":
        return _call("constant_schedule", value=lit(p["learning_rate"]))
    if n == "exponential" and not p["staircase"]:  # see STAIRCASE
        return _call("exponential_decay", init_value=lit(p["initial_learning_rate"]), transition_steps=steps_lit(p["decay_steps"]),
                     decay_rate=lit(p["decay_rate"]), staircase=lit(p["staircase"]))  # fmt: skip
    # power < 1 is steep at the end, where optax's float32 count / transition_steps can miss 1 by an ulp
    if n == "polynomial" and not p["cycle"] and p["power"] >= 1:
        return _call("polynomial_schedule", init_value=lit(p["initial_learning_rate"]), end_value=lit(p["end_learning_rate"]),
                     power=lit(p["power"]), transition_steps=steps_lit(p["decay_steps"]))  # fmt: skip
    if n == "linear":
        if p["total_iters"] == 0:
            return _call("constant_schedule", value=f"{lit(p['lr'])} * {lit(p['start_factor'])}")
        return _call("linear_schedule", init_value=f"{lit(p['lr'])} * {lit(p['start_factor'])}",
                     end_value=f"{lit(p['lr'])} * {lit(p['end_factor'])}", transition_steps=str(p["total_iters"]))  # fmt: skip
    if n == "cosine":
        ds, alpha, lr0 = steps_lit(p["decay_steps"]), lit(p["alpha"]), lit(p["initial_learning_rate"])
        if p["warmup_target"] is None:
            return _call("cosine_decay_schedule", init_value=lr0, decay_steps=ds, alpha=alpha)
        target, ws = lit(p["warmup_target"]), p["warmup_steps"]
        if ws == 0:
            return _call("cosine_decay_schedule", init_value=target, decay_steps=ds, alpha=alpha)
        # optax counts the warmup inside decay_steps; Keras decays for decay_steps after it
        return _call("warmup_cosine_decay_schedule", init_value=lr0, peak_value=target, warmup_steps=str(ws),
                     decay_steps=f"{ws} + {ds}", end_value=f"{alpha} * {target}")  # fmt: skip
    if n == "piecewise_constant" and not p["inclusive"] and all(v > 0 for v in p["values"][:-1]):
        v = p["values"]
        if all(float(b).is_integer() for b in p["boundaries"]):
            scales = ", ".join(f"{steps_lit(b)}: {lit(v[i + 1])} / {lit(v[i])}" for i, b in enumerate(p["boundaries"]))
            return _call("piecewise_constant_schedule", init_value=lit(v[0]), boundaries_and_scales="{" + scales + "}")
    if n == "multi_step" and p["gamma"] > 0:
        scales = ", ".join(f"{m}: {lit(p['gamma'])}" for m in p["milestones"])
        return _call("piecewise_constant_schedule", init_value=lit(p["lr"]), boundaries_and_scales="{" + scales + "}")
    if n == "warmup":
        inner, ws = schedule_expression(p["schedule"], F), p["warmup_steps"]
        if ws == 0:
            return inner
        ramp = _call("linear_schedule", init_value=lit(p["start_lr"]), end_value=lit(float(p["schedule"](0))), transition_steps=str(ws))
        return f"optax.join_schedules(\n    schedules=[\n        {ramp},\n        {inner},\n    ],\n    boundaries=[{ws}],\n)"
    if n == "join":
        pieces = ",\n        ".join(schedule_expression(x, F) for x in p["schedules"])
        return f"optax.join_schedules(\n    schedules=[\n        {pieces},\n    ],\n    boundaries={lit(list(p['boundaries']))},\n)"
    return None


# Why a staircase is written out rather than optax.exponential_decay(staircase=True): said in the snippet.
STAIRCASE = (
    "optax.exponential_decay(staircase=True) floors count / transition_steps, and XLA's float32 division\n"
    "# is not exact (220 / 110 gives 1.9999999, so the drop comes a step late): floor division (//) counts exactly"
)


def _staircase(s: Schedule) -> bool:
    if s.name == "step" or (s.name == "exponential" and s.params["staircase"]):
        return True
    inner = [v for v in s.params.values() if isinstance(v, Schedule)]
    inner += [x for v in s.params.values() if isinstance(v, tuple) for x in v if isinstance(x, Schedule)]
    return any(_staircase(x) for x in inner)


def schedule_expression(s: Schedule, F: Functions) -> str:
    """An expression for an optax schedule (a callable of the count); helper functions go to ``F``."""
    found = _builtin(s, F)
    if found is not None:
        return found
    if s.name == "per_epoch":
        inner = schedule_expression(s.params["schedule"], F)
        name = F.fresh("per_epoch_rate")
        F.defs.append(
            f"{name}_of_epoch = {inner}\n\n\n"
            f"def {name}(count):\n"
            f'    """{s.description}"""\n'
            f"    return {name}_of_epoch(count // {s.params['steps_per_epoch']})\n"
        )
        return name
    return F.define(s, f"{s.name}_rate")


def snippet(s: Schedule | ReduceLROnPlateau, title: str, steps: int) -> str:
    if isinstance(s, ReduceLROnPlateau):
        raise check.fail(
            "schedule",
            N_("optax has no schedule for reduce-on-plateau: it needs the loss each epoch, and an optax schedule is a function "
               "of the update count alone (optax.contrib.reduce_on_plateau is a gradient transformation with rules of its own)"),
        )
    if pasted_function(s):
        raise check.fail(
            "schedule",
            N_("optax cannot run a pasted Keras function as it is: an optax schedule is traced by JAX as one expression of "
               "the update count, while your function is Python called once per epoch and fed the previous rate"),
        )
    F = Functions(JAX)
    expr = schedule_expression(s, F)
    lines = [f'"""{title}', "", "optax (JAX), exported by the Learning-Rate Decay Lab. Run it: python this_file.py", '"""', ""]
    lines += ["import jax", "import jax.numpy as jnp", "import optax", "", ""]
    if F.defs:
        lines += [F.source.rstrip("\n"), "", ""]
    if _staircase(s):
        lines.append(f"# {STAIRCASE}")
    lines += [
        "# optax counts updates itself: lr_schedule(0) is the rate of the first update",
        f"lr_schedule = {expr}",
        "",
        'params = {"w": jnp.zeros((10, 1)), "b": jnp.zeros((1,))}  # a placeholder model: linear regression',
        "optimizer = optax.sgd(learning_rate=lr_schedule)",
        "opt_state = optimizer.init(params)",
        "",
        "",
        "def loss_fn(params, x, y):",
        '    return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)',
        "",
        "",
        "@jax.jit",
        "def train_step(params, opt_state, x, y):",
        "    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)",
        "    updates, opt_state = optimizer.update(grads, opt_state, params)",
        "    return optax.apply_updates(params, updates), opt_state, loss",
        "",
        "",
        f"TOTAL_STEPS = {steps}",
        "",
        'if __name__ == "__main__":',
        "    key = jax.random.PRNGKey(0)",
        "    for step in range(TOTAL_STEPS):",
        "        key, kx, ky = jax.random.split(key, 3)",
        "        x, y = jax.random.normal(kx, (32, 10)), jax.random.normal(ky, (32, 1))",
        "        params, opt_state, loss = train_step(params, opt_state, x, y)",
        "        if step % 100 == 0:",
        '            print(f"step {step}: loss {loss:.4f}, rate {lr_schedule(step):.6g}")',
    ]
    return "\n".join(lines) + "\n"
