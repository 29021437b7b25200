"""The sentences beside the figures, written from the numbers on screen. Pure functions."""

from __future__ import annotations

import math

import numpy as np

from ui import theme
from ui.views import RaceView, StepView


def _c(text: str, colour: str) -> str:
    """Coloured bold text in Streamlit markdown, in the colour of the run it names."""
    name = {theme.CONSTANT: "orange", theme.DECAYED: "blue"}.get(colour, "gray")
    return f":{name}[**{text}**]"


def _g(x: float) -> str:
    return f"{x:.2g}" if x < 0.01 else f"{x:.3g}"


def headline(view: RaceView) -> str:
    """One line for above the figures: where each run ended, in numbers."""
    const = _c(f"Constant rate {_g(view.config.lr)}", theme.CONSTANT)
    decay = _c(view.decay_label, theme.DECAYED)
    final_c, final_d = view.final_loss

    def outcome(k: int, final: float) -> str:
        if view.diverged_first[k] >= 0:
            return f"diverged at step {int(view.diverged_first[k])}"
        return f"loss ≈ **{_g(final)}**"

    left = f"{const}: " + (
        f"stuck at its noise floor, loss ≈ **{_g(view.floor)}**"
        if view.floor is not None and view.floor > 0 and view.diverged_first[0] < 0 and final_c <= 1.5 * view.floor
        else outcome(0, final_c)
    )
    right = f"{decay}: {outcome(1, final_d)}"
    if view.diverged_first[:].max() < 0 and final_d > 0 and final_c / final_d >= 1.5:
        right += f", **{final_c / final_d:.0f}× lower**"
    return f"{left} · {right}"


def race_story(view: RaceView) -> list[str]:
    """Two or three sentences: what the constant rate does, what the decay does, why."""
    cfg = view.config
    const = _c("constant rate", theme.CONSTANT)
    decay = _c(view.decay_label.lower(), theme.DECAYED)
    lines: list[str] = []
    final_c, final_d = view.final_loss
    if view.diverged_first[0] >= 0:
        bound = f" {_g(view.bound)} (= 2/h_max for SGD)" if view.bound is not None else ""
        lines.append(
            f"The {const} {_g(cfg.lr)} is above the stability bound{bound}: each step overshoots the steep "
            f"direction by more than it corrects, so the runs **diverged** (the first at step "
            f"{int(view.diverged_first[0])})."
        )
    elif view.floor is not None and view.floor <= 1e-12 * max(final_c, 1e-300) or cfg.sigma == 0:
        lines.append(
            f"Without gradient noise (σ = 0) the {const} converges all the way to the minimum: there is no "
            "noise floor, so decay has nothing to fix and only slows it down. Turn the noise back on."
        )
    elif view.floor is not None:
        batch = f"batch size {cfg.batch_size}"
        reached = final_c <= 1.5 * view.floor
        lines.append(
            f"With a {const} of {_g(cfg.lr)} and {batch}, SGD can't get closer than loss ≈ **{_g(view.floor)}**: "
            "that is its **noise floor**, where each minibatch's noise kicks it away as fast as the "
            "gradient pulls it back."
            + ("" if reached else f" (After {cfg.steps} steps it is still at {_g(final_c)}: a small rate is slow to get there.)")
        )
    else:
        lines.append(
            f"With a {const} of {_g(cfg.lr)}, {cfg.optimizer} ends the race at loss ≈ **{_g(final_c)}** "
            "(averaged over the runs; adaptive optimizers have no closed-form floor)."
        )

    if view.diverged_first[1] >= 0:
        share = view.diverged_share[1]
        lines.append(
            f"The {decay} also starts at {_g(cfg.lr)}, and {share:.0%} of its runs diverged before the rate "
            f"came down (the first at step {int(view.diverged_first[1])}): start below the bound."
        )
    elif view.diverged_first[0] >= 0 or not math.isfinite(final_c):
        lines.append(f"The {decay} ends at loss ≈ **{_g(final_d)}**.")
    else:
        ratio = final_c / final_d if final_d > 0 else math.inf
        if ratio >= 1.5:
            lines.append(
                f"The {decay} starts at the same rate but shrinks it, and ends at loss ≈ **{_g(final_d)}**, "
                f"**{ratio:.0f}× lower**: smaller steps average the noise out instead of being thrown around by it."
            )
        elif ratio > 1 / 1.5:
            lines.append(f"The {decay} ends at about the same loss, ≈ **{_g(final_d)}**: it has barely decayed yet.")
        else:
            lines.append(
                f"The {decay} ends *higher*, at ≈ **{_g(final_d)}**: it shrank the rate before SGD had crossed the "
                f"shallow valley (curvature {_g(min(view.h))}). Decay more slowly, or run longer."
            )
    if view.floor is not None and view.floor > 0 and view.diverged_first[0] < 0:
        lines.append(
            f"Try it: a bigger batch lowers the floor (it shrinks like 1/B); a rate above {_g(view.bound)} diverges; "
            f"{_g(view.optimal)} is the fastest constant rate when there is no noise."
        )
    return lines


def step_story(view: StepView) -> list[str]:
    cfg = view.config
    spe = view.steps_per_epoch
    partial = "" if cfg.drop_last or view.last_batch == cfg.batch_size else f" (the last one holds only {view.last_batch})"
    drop = " The last, incomplete batch is dropped." if cfg.drop_last and cfg.n_examples % cfg.batch_size else ""
    lines = [
        f"A **step** is one update of the weights: one minibatch forward, backward and applied. "
        f"{cfg.n_examples} examples in batches of {cfg.batch_size} make **{spe} steps per epoch**{partial}.{drop}",
        f"`decay_steps = {cfg.decay_steps:,}` counts steps, not epochs: here that is "
        f"**{view.decay_in_epochs:,.1f} epochs** before the rate has been multiplied by {cfg.decay_rate:g} once.",
    ]
    if cfg.forget:
        lines.append(
            "With `global_step` never incremented, `exponential_decay` sees step 0 every time: the rate stays at "
            f"{cfg.initial_learning_rate:g}, and the decay does nothing at all."
        )
    stuck, moving = view.final_excess[1], view.final_excess[0]
    if np.isfinite(stuck) and np.isfinite(moving) and moving > 0:
        lines.append(
            f"On the right, the same training with `global_step` stuck ends {stuck / moving:,.0f}× further from the best "
            "possible loss than with it counting: a schedule only works if its counter moves."
        )
    return lines
