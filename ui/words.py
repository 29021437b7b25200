"""Sentences from facts: one template per claim kind, numbers filled in from the claim.

The science (:mod:`lrcore.story`) says what is true; this module only says it. Nothing
here computes: every number in a sentence is a field of the claim it renders, so the
sweep in ``tests/test_story.py`` that checks the claims checks the sentences too.
Text is Streamlit Markdown; lane names are coloured as their lane is drawn.
"""

from __future__ import annotations

import math

from lrcore import nets, predict, story
from lrcore.global_step import StepResult
from ui import theme

Claim = story.Claim


def number(x: float) -> str:
    """A number as the page shows it: 3 significant digits, 2 below 0.01."""
    if x is None or not math.isfinite(x):
        return "∞" if x == math.inf else "—"
    return f"{x:.2g}" if abs(x) < 0.01 else f"{x:.3g}"


def share(x: float) -> str:
    """A share: "18%", and never "0%" or "100%" for a part (words, not "<" or ">": those are Markdown)."""
    pct = 100 * x
    if 0 < pct < 1:
        return "under 1%"
    if 99 < pct < 100:
        return "over 99%"
    return f"{pct:.0f}%"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def ratio(x: float) -> str:
    return "∞" if not math.isfinite(x) else f"{x:,.0f}" if x >= 10 else f"{x:.1f}"


class Namer:
    """Lane names for sentences: bold, in the lane's colour; capitalised at a sentence start."""

    def __init__(self, labels: list[str]):
        self.labels = list(labels)

    def __call__(self, k: int, start: bool = False) -> str:
        text = self.labels[k]
        text = text[0].upper() + text[1:] if start else text
        return f":{theme.lane_markdown_colour(k)}[**{text}**]"


def sentence(claim: Claim, name: Namer, steps: int) -> str | None:
    """The sentence for one claim (None for claims that are said elsewhere on the page).

    ``steps`` is the race's length, the one number a sentence uses that no claim holds.
    """
    if isinstance(claim, story.NoTheory):
        names = " and ".join(claim.optimizers)
        verb = "divides" if len(claim.optimizers) == 1 else "divide"
        return (
            f"{names} {verb} each step by a running size of the gradients, so the update is not linear in the "
            f"noise and has no exact theory here: {'its' if len(claim.optimizers) == 1 else 'their'} numbers are "
            f"measured from the {claim.runs} runs."
        )
    if isinstance(claim, story.Feedback):
        return (
            f"{name(claim.lane, True)} reacts to the noisy loss itself, so its expected loss has no closed form: its "
            "curve is measured from the runs."
        )
    if isinstance(claim, story.Scaled):
        return (
            f"The k/√B rule (k = 1) sets every lane's rate: lr = {number(claim.lr0)}/√{claim.batch_size} = "
            f"**{number(claim.lr)}**."
        )
    if isinstance(claim, story.Diverged):
        who = f"**All** of {name(claim.lane)}'s runs" if claim.share == 1 else f"**{share(claim.share)}** of {name(claim.lane)}'s runs"
        text = f"{who} diverged, the first at step {claim.first_step}"
        if claim.bound is not None and claim.max_rate >= claim.bound:
            text += (
                f": its rate reached {number(claim.max_rate)}, above the stability bound {number(claim.bound)}, "
                "where each step overshoots the steep direction by more than it corrects"
            )
        if claim.share < 1:
            text += "; the curves average the runs that survived"
        return text + "."
    if isinstance(claim, story.AtFloor):
        if claim.reached:
            return (
                f"{name(claim.lane, True)} ({number(claim.rate)}) is stuck at its **noise floor**, loss ≈ "
                f"**{number(claim.floor)}**: each minibatch's noise kicks the runs away as fast as the gradient pulls "
                "them back."
            )
        return (
            f"{name(claim.lane, True)} ({number(claim.rate)}) is still on its way down: after {steps:,} steps its "
            f"expected loss is {number(claim.final)}, above its noise floor {number(claim.floor)}. A small rate takes "
            "long to arrive."
        )
    if isinstance(claim, story.NoFloor):
        return (
            f"Without gradient noise (σ = 0) {name(claim.lane)} has no noise floor: it converges all the way, to "
            f"an expected loss of {number(claim.final)}, and decay has nothing to fix."
        )
    if isinstance(claim, story.Measured):
        return (
            f"{name(claim.lane, True)} ends at loss ≈ **{number(claim.final)}** (80% of its runs between "
            f"{number(claim.low)} and {number(claim.high)})."
        )
    if isinstance(claim, story.RisesFirst):
        return (
            f"{name(claim.lane, True)} starts low, at {number(claim.start)}, and climbs to {number(claim.peak)} by "
            f"step {claim.peak_step:,}."
        )
    if isinstance(claim, story.AboveBound):
        tail = "" if claim.diverged else ", briefly enough that every run survived"
        return (
            f"{name(claim.lane, True)}'s rate is above the stability bound {number(claim.bound)} for "
            f"{claim.steps:,} step{'s' if claim.steps != 1 else ''} (from step {claim.first_step:,}){tail}."
        )
    if isinstance(claim, story.Final):
        return None  # in the headline
    if isinstance(claim, story.Lower):
        basis = "expected loss" if claim.exact else "mean loss of the runs"
        rates = (
            f" By the end its rate is {number(claim.lower_last_rate)}, against {number(claim.higher_last_rate)}."
            if not math.isclose(claim.lower_last_rate, claim.higher_last_rate, rel_tol=0.01)
            else ""
        )
        return (
            f"{name(claim.lower, True)} ends **{ratio(claim.ratio)}× lower** than {name(claim.higher)} "
            f"({basis} {number(claim.lower_final)} against {number(claim.higher_final)}).{rates}"
        )
    if isinstance(claim, story.Similar):
        return (
            f"{name(claim.first, True)} and {name(claim.second)} end at about the same loss "
            f"({number(claim.first_final)} and {number(claim.second_final)})."
        )
    if isinstance(claim, story.Cause):
        if claim.part == "distance":
            return (
                f"{capital(share(claim.share))} of {name(claim.lane)}'s final loss is the distance still to travel: its steps "
                f"were too small to get there in {steps:,} steps."
            )
        return (
            f"{capital(share(claim.share))} of {name(claim.lane)}'s final loss is noise: its steps are still large enough "
            "for each minibatch to throw the runs around."
        )
    raise TypeError(f"no sentence for {claim!r}")


def intro(mode: str, lanes) -> str:
    """The line under the title: what races against what (true whatever the outcome)."""
    same = "every run of each on the same minibatch noise"
    if mode == "optimizers":
        return f"**{lanes[0].schedule.label}** with {len(lanes)} optimizers side by side on a noisy 2-D bowl, {same}."
    opt = lanes[0].optimizer.name
    if mode == "schedules" or len(lanes) != 2:
        return f"Minibatch **{opt}** on a noisy 2-D bowl: {len(lanes)} schedule{'s' if len(lanes) > 1 else ''} side by side, {same}."
    return f"Minibatch **{opt}** on a noisy 2-D bowl: **{lanes[0].label()}** against **{lanes[1].label()}**, {same}."


def ranking(claims: list[Claim], name: Namer) -> str | None:
    """Many lanes: who ends lowest and by how much the others end higher, in one sentence."""
    finals = [c for c in claims if isinstance(c, story.Final)]
    if len(finals) < 2:
        return None
    ratios = {c.higher: c.ratio for c in claims if isinstance(c, story.Lower)}
    basis = "expected loss" if finals[0].exact else "mean loss of the runs"
    best, *rest = finals
    others = ", ".join(
        f"{name(c.lane)} ({ratio(ratios[c.lane])}× higher)" if c.lane in ratios else f"{name(c.lane)} (about the same)"
        for c in rest
    )
    return f"{name(best.lane, True)} ends lowest ({basis} {number(best.value)}); then {others}."


def race_story(claims: list[Claim], labels: list[str], steps: int) -> list[str]:
    """The story under the race: one sentence per claim, in the claims' order.

    With more than two lanes the comparisons become one ranking, and only the lowest
    and the highest lane say what their remaining loss is made of.
    """
    name = Namer(labels)
    many = len(labels) > 2
    finals = [c.lane for c in claims if isinstance(c, story.Final)]
    losers = {c.higher for c in claims if isinstance(c, story.Lower)}
    if len(labels) == 1:
        explain = {0}
    elif many:
        explain = {finals[0], finals[-1]} if finals else set()
    else:
        explain = losers
    chosen = [
        c
        for c in claims
        if not (isinstance(c, story.Cause) and c.lane not in explain) and not (many and isinstance(c, (story.Lower, story.Similar)))
    ]
    lines = []
    rank = ranking(claims, name) if many else None
    for c in chosen:
        if rank and isinstance(c, story.Cause):  # the ranking, then why
            lines.append(rank)
            rank = None
        text = sentence(c, name, steps)
        if text:
            lines.append(text)
    return lines + ([rank] if rank else [])


def headline(claims: list[Claim], labels: list[str]) -> str:
    """One line above the figures: how each lane ended, in numbers."""
    name = Namer(labels)
    if len(labels) > 2:
        finals = [c for c in claims if isinstance(c, story.Final)]
        gone = [c for c in claims if isinstance(c, story.Diverged) and c.share == 1]
        parts = []
        if finals:
            parts.append(f"{name(finals[0].lane, True)} ends lowest, loss ≈ **{number(finals[0].value)}**")
        if len(finals) > 1:
            parts.append(f"{name(finals[-1].lane, True)} highest, ≈ **{number(finals[-1].value)}**")
        if gone:
            parts.append(f"{len(gone)} lane{'s' if len(gone) > 1 else ''} diverged")
        return " · ".join(parts)
    parts = []
    for k in range(len(labels)):
        mine = [c for c in claims if getattr(c, "lane", None) == k]
        diverged = next((c for c in mine if isinstance(c, story.Diverged)), None)
        floor = next((c for c in mine if isinstance(c, story.AtFloor) and c.reached), None)
        lower = next((c for c in claims if isinstance(c, story.Lower) and c.lower == k), None)
        final = next((c for c in mine if isinstance(c, story.Final)), None)
        if diverged is not None and diverged.share == 1:
            outcome = f"all runs diverged (first at step {diverged.first_step})"
        elif floor is not None:
            outcome = f"stuck at its noise floor, loss ≈ **{number(floor.floor)}**"
        elif final is not None:
            outcome = f"loss ≈ **{number(final.value)}**"
            if diverged is not None:
                outcome = f"{share(diverged.share)} of runs diverged (first at step {diverged.first_step}), the rest end at {outcome}"
        else:
            outcome = "no finite loss to report"
        if lower is not None and len(labels) == 2:
            outcome += f", **{ratio(lower.ratio)}× lower**"
        parts.append(f"{name(k, True)}: {outcome}")
    return " · ".join(parts)


# --------------------------------------------------------------------------- what is a step?


def step_story(result: StepResult) -> list[str]:
    """What the step page shows, in sentences, from the experiment's numbers."""
    cfg = result.config
    spe = result.steps_per_epoch
    partial = "" if cfg.drop_last or result.last_batch == cfg.batch_size else f" (the last one holds only {result.last_batch})"
    drop = " The last, incomplete batch is dropped." if cfg.drop_last and cfg.n_examples % cfg.batch_size else ""
    lines = [
        f"A **step** is one update of the weights: one minibatch forward, backward and applied. "
        f"{cfg.n_examples:,} examples in batches of {cfg.batch_size} make **{spe} steps per epoch**{partial}.{drop}",
        f"`decay_steps = {cfg.decay_steps:,}` counts steps, not epochs: here that is "
        f"**{result.decay_in_epochs:,.1f} epochs** before the rate has been multiplied by {cfg.decay_rate:g} once.",
    ]
    if cfg.forget:
        lines.append(
            "With `global_step` never incremented, `exponential_decay` sees step 0 every time: the rate stays at "
            f"{cfg.initial_learning_rate:g}, and the decay does nothing at all."
        )
    r = result.stuck_ratio
    if math.isfinite(r) and r >= story.SIMILAR:
        lines.append(
            f"On the right, the same training with `global_step` stuck ends **{ratio(r)}× further** from the best "
            "possible loss than with it counting: a schedule only works if its counter moves."
        )
    elif math.isfinite(r) and r <= 1 / story.SIMILAR:
        lines.append(
            f"On the right, the training with `global_step` stuck ends {ratio(1 / r)}× *closer* to the best possible "
            "loss: with these settings the counting decay shrinks the rate before the runs arrive."
        )
    elif math.isfinite(r):
        lines.append("On the right, both trainings end at about the same loss: with these settings the decay barely matters.")
    return lines


def lane_rows(rows: list[dict]) -> list[dict]:
    """The lane table as a student reads it: numbers as on the page, "—" where there is none."""
    out = []
    for row in rows:
        out.append(
            {
                "lane": row["lane"],
                "final loss": number(row["final loss"]) + ("" if row["exact"] else " (measured)"),
                "80% of runs between": f"{number(row['10% of runs below'])} and {number(row['90% of runs below'])}",
                "diverged": share(row["diverged"]) if row["diverged"] else "none",
                "noise floor of its last rate": "—" if row["noise floor of its last rate"] is None else number(row["noise floor of its last rate"]),
            }
        )
    return out


def verdict(v, labels: list[str], exact: list[bool] | None = None) -> str:
    """Whether the class's prediction (:func:`lrcore.predict.judge`) was right, with its numbers.

    ``exact``: which lanes' finals are the theory's expected loss (the others are measured).
    """
    name = Namer(labels)
    exact = exact or [False] * len(labels)
    what = "expected" if all(exact) else "mean" if not any(exact) else "expected (or mean, where no theory)"
    mark = "**Right.**" if v.right else "**Not this time.**"
    if v.kind == "lowest":
        finals = ", ".join(f"{name(k)} {number(f)}" for k, f in enumerate(v.finals))
        return f"{mark} {name(v.lane, start=True)} ends lowest. Final {what} losses: {finals}."
    if v.kind == "diverges":
        gone = v.shares[v.lane]
        said = "would" if v.answer else "would not"
        did = f"{share(gone)} of its runs diverged" if gone > 0 else "none of its runs diverged"
        return f"{mark} You said {name(v.lane)} {said} diverge: {did} (it diverges when over {share(predict.DIVERGED_SHARE)} do)."
    floor = "" if v.floor is None else f" (its noise floor is {number(v.floor)})"
    return (
        f"{mark} You said {number(v.answer)}; {name(v.lane)} ends at {number(v.truth)} ({'expected' if exact[v.lane] else 'mean'} loss){floor}. "
        f"A guess within a factor of {predict.SETTLE_FACTOR:g} counts."
    )


# --------------------------------------------------------------------------- the texts' network


def _band(b: tuple[float, float, float]) -> str:
    return f"{b[1]:.3f} (seeds from {b[0]:.3f} to {b[2]:.3f})"


def net_story(o, labels: tuple[str, str], spe: int) -> list[str]:
    """What the network's training shows, from :class:`lrcore.nets.Outcome` (every number is its field)."""
    name = Namer(list(labels))
    epoch_of = lambda step: step // spe + 1  # noqa: E731  (update t falls in epoch t // spe + 1)
    lines = []
    if o.first_change is None:
        lines.append(
            f"{name(1, True)} never changed its rate in these {o.steps:,} updates: it stayed at {number(o.first_rate)}. "
            "Its schedule's first drop lies beyond the end of training."
        )
    else:
        lines.append(
            f"{name(1, True)} first changed its rate at update {o.first_change:,} (epoch {epoch_of(o.first_change):,}) "
            f"and ends at {number(o.last_rate)}, {ratio(o.first_rate / o.last_rate) if o.last_rate > 0 else '∞'}× below where it started."
        )
    final = f"final training loss: {name(0)} {_band(o.constant_final)}, {name(1)} {_band(o.decayed_final)}"
    if o.direction == "identical":
        lines.append(
            "So the two runs are **identical, step for step**: the same weights, batches and rates give the same "
            f"final training loss, {_band(o.constant_final)}."
        )
    elif o.direction == "lower":
        lines.append(f"The decayed run ends **lower than every constant seed**: its whole band lies below ({final}).")
    elif o.direction == "higher":
        lines.append(f"The decayed run ends **higher than every constant seed**: its rate shrank before the runs arrived ({final}).")
    else:
        side = "lower" if o.decayed_final[1] < o.constant_final[1] else "higher"
        lines.append(f"The bands **overlap**: on average the decayed run ends {side} ({final}).")
    if o.direction != "identical":
        lines.append(
            f"Seed by seed, on the same initial weights and batches, the decayed run ends lower in **{o.wins} of {o.seeds}**; "
            f"final accuracy on the (noisy) training labels: {o.constant_accuracy:.1%} against {o.decayed_accuracy:.1%}."
        )
    return lines


def net_rate_check(o, factory: str) -> str:
    """The per-step agreement of torch's scheduler with lrcore's schedule, from ``o.rate_gap``."""
    where = f"at all {o.steps:,} updates of both lanes"
    if o.rate_gap == 0:
        agreement = f"it equals lrcore's schedule exactly {where}"
    elif o.rate_gap < nets.RATE_AGREES:
        agreement = f"it agrees with lrcore's schedule {where}, to a relative {o.rate_gap:.1e}"
    else:
        agreement = f"it differs from lrcore's schedule by up to a relative {o.rate_gap:.2g}"
    return f"Every rate was set by PyTorch's scheduler ({factory}) and read back from `optimizer.param_groups[0]['lr']`: {agreement}."
