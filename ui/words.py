"""Sentences from facts: one template per claim kind, numbers filled in from the claim.

The science (:mod:`lrcore.story`) says what is true; this module only says it. Nothing
here computes: every number in a sentence is a field of the claim it renders, so the
sweep in ``tests/test_story.py`` that checks the claims checks the sentences too.
Text is Streamlit Markdown; lane names are coloured as their lane is drawn.

Each template is an English message id (``_``/``_n``, named fields), so a sentence exists
once per language in the catalog; a clause that comes and goes (a tail, a bracket) is a
template of its own filled into a field. Lane names arrive in the session's language (the
page names them); numbers are formatted here, the same in English and Chinese.
"""

from __future__ import annotations

import functools
import math

from lrcore import nets, predict, story
from lrcore.global_step import StepResult
from ui import i18n, theme
from ui.i18n import _, _n

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
        return _("under 1%")
    if 99 < pct < 100:
        return _("over 99%")
    return f"{pct:.0f}%"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def ratio(x: float) -> str:
    # Python's digits, not Babel's: a ratio can be 1e26, past Babel's decimal context (English and
    # Chinese group digits alike).
    return "∞" if not math.isfinite(x) else f"{x:,.0f}" if x >= 10 else f"{x:.1f}"


def both(items) -> str:
    """``a and b and c`` in the session's language (Chinese: a、b 和 c)."""
    *head, last = items
    if not head:
        return last
    joined = functools.reduce(lambda a, b: _("{items} and {item}", items=a, item=b), head)
    return _("{first} and {second}", first=joined, second=last)


def listing(items) -> str:
    """``a, b, c`` in the session's language (Chinese lists with 、)."""
    return functools.reduce(lambda a, b: _("{items}, {item}", items=a, item=b), items)


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
        names = both([_(o) for o in claim.optimizers])  # outside the plural call: Babel's extractor drops a plural with a call in its arguments
        return _n(
            "{names} divides each step by a running size of the gradients, so the update is not linear in the "
            "noise and has no exact theory here: its numbers are measured from the {runs} runs.",
            "{names} divide each step by a running size of the gradients, so the update is not linear in the "
            "noise and has no exact theory here: their numbers are measured from the {runs} runs.",
            len(claim.optimizers),
            names=names,
            runs=claim.runs,
        )
    if isinstance(claim, story.Feedback):
        return _(
            "{lane} reacts to the noisy loss itself, so its expected loss has no closed form: its curve is measured "
            "from the runs.",
            lane=name(claim.lane, True),
        )
    if isinstance(claim, story.Scaled):
        return _(
            "The k/√B rule (k = 1) sets every lane's rate: lr = {lr0}/√{batch} = **{lr}**.",
            lr0=number(claim.lr0), batch=claim.batch_size, lr=number(claim.lr),
        )  # fmt: skip
    if isinstance(claim, story.Diverged):
        if claim.share == 1:
            text = _("**All** of {lane}'s runs diverged, the first at step {step}", lane=name(claim.lane), step=claim.first_step)
        else:
            text = _(
                "**{share}** of {lane}'s runs diverged, the first at step {step}",
                share=share(claim.share), lane=name(claim.lane), step=claim.first_step,
            )  # fmt: skip
        if claim.bound is not None and claim.max_rate >= claim.bound:
            text += _(
                ": its rate reached {rate}, above the stability bound {bound}, where each step overshoots the steep "
                "direction by more than it corrects",
                rate=number(claim.max_rate), bound=number(claim.bound),
            )  # fmt: skip
        if claim.share < 1:
            text += _("; the curves average the runs that survived")
        return _("{sentence}.", sentence=text)
    if isinstance(claim, story.AtFloor):
        if claim.reached:
            return _(
                "{lane} ({rate}) is stuck at its **noise floor**, loss ≈ **{floor}**: each minibatch's noise kicks the "
                "runs away as fast as the gradient pulls them back.",
                lane=name(claim.lane, True), rate=number(claim.rate), floor=number(claim.floor),
            )  # fmt: skip
        return _(
            "{lane} ({rate}) is still on its way down: after {steps} steps its expected loss is {final}, above its "
            "noise floor {floor}. A small rate takes long to arrive.",
            lane=name(claim.lane, True), rate=number(claim.rate), steps=i18n.integer(steps), final=number(claim.final),
            floor=number(claim.floor),
        )  # fmt: skip
    if isinstance(claim, story.NoFloor):
        return _(
            "Without gradient noise (σ = 0) {lane} has no noise floor: it converges all the way, to an expected loss "
            "of {final}, and decay has nothing to fix.",
            lane=name(claim.lane), final=number(claim.final),
        )  # fmt: skip
    if isinstance(claim, story.Measured):
        return _(
            "{lane} ends at loss ≈ **{final}** (80% of its runs between {low} and {high}).",
            lane=name(claim.lane, True), final=number(claim.final), low=number(claim.low), high=number(claim.high),
        )  # fmt: skip
    if isinstance(claim, story.RisesFirst):
        return _(
            "{lane} starts low, at {start}, and climbs to {peak} by step {step}.",
            lane=name(claim.lane, True), start=number(claim.start), peak=number(claim.peak), step=i18n.integer(claim.peak_step),
        )  # fmt: skip
    if isinstance(claim, story.AboveBound):
        return _n(
            "{lane}'s rate is above the stability bound {bound} for {count} step (from step {first}){tail}.",
            "{lane}'s rate is above the stability bound {bound} for {count} steps (from step {first}){tail}.",
            claim.steps,
            lane=name(claim.lane, True), bound=number(claim.bound), count=i18n.integer(claim.steps),
            first=i18n.integer(claim.first_step), tail="" if claim.diverged else _(", briefly enough that every run survived"),
        )  # fmt: skip
    if isinstance(claim, story.Final):
        return None  # in the headline
    if isinstance(claim, story.Lower):
        rates = (
            _(" By the end its rate is {lower}, against {higher}.", lower=number(claim.lower_last_rate), higher=number(claim.higher_last_rate))
            if not math.isclose(claim.lower_last_rate, claim.higher_last_rate, rel_tol=0.01)
            else ""
        )
        return _(
            "{lower} ends **{ratio}× lower** than {higher} ({basis} {lower_final} against {higher_final}).{rates}",
            lower=name(claim.lower, True), ratio=ratio(claim.ratio), higher=name(claim.higher), basis=_basis(claim.exact),
            lower_final=number(claim.lower_final), higher_final=number(claim.higher_final), rates=rates,
        )  # fmt: skip
    if isinstance(claim, story.Similar):
        return _(
            "{first} and {second} end at about the same loss ({first_final} and {second_final}).",
            first=name(claim.first, True), second=name(claim.second), first_final=number(claim.first_final),
            second_final=number(claim.second_final),
        )  # fmt: skip
    if isinstance(claim, story.Cause):
        fields = dict(share=capital(share(claim.share)), lane=name(claim.lane))
        if claim.part == "distance":
            return _(
                "{share} of {lane}'s final loss is the distance still to travel: its steps were too small to get there "
                "in {steps} steps.",
                steps=i18n.integer(steps), **fields,
            )  # fmt: skip
        return _(
            "{share} of {lane}'s final loss is noise: its steps are still large enough for each minibatch to throw the "
            "runs around.",
            **fields,
        )  # fmt: skip
    raise TypeError(f"no sentence for {claim!r}")


def _basis(exact: bool) -> str:
    """What a race compares its lanes by."""
    return _("expected loss") if exact else _("mean loss of the runs")


def intro(mode: str, lanes) -> str:
    """The line under the title: what races against what (true whatever the outcome)."""
    if mode == "optimizers":
        return _(
            "**{schedule}** with {n} optimizers side by side on a noisy 2-D bowl, every run of each on the same "
            "minibatch noise.",
            schedule=lanes[0].schedule.named(_), n=len(lanes),
        )  # fmt: skip
    opt = _(lanes[0].optimizer.name)
    if mode == "schedules" or len(lanes) != 2:
        return _n(
            "Minibatch **{opt}** on a noisy 2-D bowl: {n} schedule side by side, every run of each on the same "
            "minibatch noise.",
            "Minibatch **{opt}** on a noisy 2-D bowl: {n} schedules side by side, every run of each on the same "
            "minibatch noise.",
            len(lanes),
            opt=opt,
        )  # fmt: skip
    return _(
        "Minibatch **{opt}** on a noisy 2-D bowl: **{first}** against **{second}**, every run of each on the same "
        "minibatch noise.",
        opt=opt, first=lanes[0].schedule.named(_), second=lanes[1].schedule.named(_),
    )  # fmt: skip


def ranking(claims: list[Claim], name: Namer) -> str | None:
    """Many lanes: who ends lowest and by how much the others end higher, in one sentence."""
    finals = [c for c in claims if isinstance(c, story.Final)]
    if len(finals) < 2:
        return None
    ratios = {c.higher: c.ratio for c in claims if isinstance(c, story.Lower)}
    best, *rest = finals
    others = listing(
        _("{lane} ({ratio}× higher)", lane=name(c.lane), ratio=ratio(ratios[c.lane]))
        if c.lane in ratios
        else _("{lane} (about the same)", lane=name(c.lane))
        for c in rest
    )
    return _(
        "{lane} ends lowest ({basis} {value}); then {others}.",
        lane=name(best.lane, True), basis=_basis(finals[0].exact), value=number(best.value), others=others,
    )  # fmt: skip


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
            parts.append(_("{lane} ends lowest, loss ≈ **{value}**", lane=name(finals[0].lane, True), value=number(finals[0].value)))
        if len(finals) > 1:
            parts.append(_("{lane} highest, ≈ **{value}**", lane=name(finals[-1].lane, True), value=number(finals[-1].value)))
        if gone:
            parts.append(_n("{n} lane diverged", "{n} lanes diverged", len(gone)))
        return " · ".join(parts)
    parts = []
    for k in range(len(labels)):
        mine = [c for c in claims if getattr(c, "lane", None) == k]
        diverged = next((c for c in mine if isinstance(c, story.Diverged)), None)
        floor = next((c for c in mine if isinstance(c, story.AtFloor) and c.reached), None)
        lower = next((c for c in claims if isinstance(c, story.Lower) and c.lower == k), None)
        final = next((c for c in mine if isinstance(c, story.Final)), None)
        if diverged is not None and diverged.share == 1:
            outcome = _("all runs diverged (first at step {step})", step=diverged.first_step)
        elif floor is not None:
            outcome = _("stuck at its noise floor, loss ≈ **{floor}**", floor=number(floor.floor))
        elif final is not None and diverged is not None:
            outcome = _(
                "{share} of runs diverged (first at step {step}), the rest end at loss ≈ **{value}**",
                share=share(diverged.share), step=diverged.first_step, value=number(final.value),
            )  # fmt: skip
        elif final is not None:
            outcome = _("loss ≈ **{value}**", value=number(final.value))
        else:
            outcome = _("no finite loss to report")
        if lower is not None and len(labels) == 2:
            outcome = _("{outcome}, **{ratio}× lower**", outcome=outcome, ratio=ratio(lower.ratio))
        parts.append(_("{lane}: {outcome}", lane=name(k, True), outcome=outcome))
    return " · ".join(parts)


# --------------------------------------------------------------------------- what is a step?


def step_story(result: StepResult) -> list[str]:
    """What the step page shows, in sentences, from the experiment's numbers."""
    cfg = result.config
    spe = result.steps_per_epoch
    partial = "" if cfg.drop_last or result.last_batch == cfg.batch_size else _(" (the last one holds only {n})", n=result.last_batch)
    drop = _(" The last, incomplete batch is dropped.") if cfg.drop_last and cfg.n_examples % cfg.batch_size else ""
    lines = [
        _(
            "A **step** is one update of the weights: one minibatch forward, backward and applied. {examples} examples "
            "in batches of {batch} make **{spe} steps per epoch**{partial}.{drop}",
            examples=i18n.integer(cfg.n_examples), batch=cfg.batch_size, spe=spe, partial=partial, drop=drop,
        ),
        _(
            "`decay_steps = {decay_steps}` counts steps, not epochs: here that is **{epochs} epochs** before the rate "
            "has been multiplied by {rate} once.",
            decay_steps=i18n.integer(cfg.decay_steps), epochs=f"{result.decay_in_epochs:,.1f}", rate=f"{cfg.decay_rate:g}",
        ),
    ]  # fmt: skip
    if cfg.forget:
        lines.append(
            _(
                "With `global_step` never incremented, `exponential_decay` sees step 0 every time: the rate stays at "
                "{lr}, and the decay does nothing at all.",
                lr=f"{cfg.initial_learning_rate:g}",
            )
        )
    r = result.stuck_ratio
    if math.isfinite(r) and r >= story.SIMILAR:
        lines.append(
            _(
                "On the right, the same training with `global_step` stuck ends **{ratio}× further** from the best "
                "possible loss than with it counting: a schedule only works if its counter moves.",
                ratio=ratio(r),
            )
        )
    elif math.isfinite(r) and r <= 1 / story.SIMILAR:
        lines.append(
            _(
                "On the right, the training with `global_step` stuck ends {ratio}× *closer* to the best possible loss: "
                "with these settings the counting decay shrinks the rate before the runs arrive.",
                ratio=ratio(1 / r),
            )
        )
    elif math.isfinite(r):
        lines.append(_("On the right, both trainings end at about the same loss: with these settings the decay barely matters."))
    return lines


def lane_rows(rows: list[dict]) -> list[dict]:
    """The lane table as a student reads it: numbers as on the page, "—" where there is none."""
    out = []
    for row in rows:
        out.append(
            {
                _("lane"): row["lane"],
                _("final loss"): number(row["final loss"]) + ("" if row["exact"] else _(" (measured)")),
                _("80% of runs between"): _("{low} and {high}", low=number(row["10% of runs below"]), high=number(row["90% of runs below"])),
                _("diverged"): share(row["diverged"]) if row["diverged"] else _("none"),
                _("noise floor of its last rate"): "—" if row["noise floor of its last rate"] is None else number(row["noise floor of its last rate"]),
            }
        )
    return out


def verdict(v, labels: list[str], exact: list[bool] | None = None) -> str:
    """Whether the class's prediction (:func:`lrcore.predict.judge`) was right, with its numbers.

    ``exact``: which lanes' finals are the theory's expected loss (the others are measured).
    """
    name = Namer(labels)
    exact = exact or [False] * len(labels)
    mark = _("**Right.**") if v.right else _("**Not this time.**")
    if v.kind == "lowest":
        finals = listing(_("{lane} {loss}", lane=name(k), loss=number(f)) for k, f in enumerate(v.finals))
        fields = dict(mark=mark, lane=name(v.lane, start=True), finals=finals)
        if all(exact):
            return _("{mark} {lane} ends lowest. Final expected losses: {finals}.", **fields)
        if not any(exact):
            return _("{mark} {lane} ends lowest. Final mean losses: {finals}.", **fields)
        return _("{mark} {lane} ends lowest. Final expected (or mean, where no theory) losses: {finals}.", **fields)
    if v.kind == "diverges":
        gone = v.shares[v.lane]
        did = _("{share} of its runs diverged", share=share(gone)) if gone > 0 else _("none of its runs diverged")
        fields = dict(mark=mark, lane=name(v.lane), did=did, threshold=share(predict.DIVERGED_SHARE))
        if v.answer:
            return _("{mark} You said {lane} would diverge: {did} (it diverges when over {threshold} do).", **fields)
        return _("{mark} You said {lane} would not diverge: {did} (it diverges when over {threshold} do).", **fields)
    floor = "" if v.floor is None else _(" (its noise floor is {floor})", floor=number(v.floor))
    return _(
        "{mark} You said {answer}; {lane} ends at {truth} ({loss}){floor}. A guess within a factor of {factor} counts.",
        mark=mark, answer=number(v.answer), lane=name(v.lane), truth=number(v.truth),
        loss=_("expected loss") if exact[v.lane] else _("mean loss"), floor=floor, factor=f"{predict.SETTLE_FACTOR:g}",
    )  # fmt: skip


# --------------------------------------------------------------------------- the texts' network


def _band(b: tuple[float, float, float]) -> str:
    return _("{middle} (seeds from {low} to {high})", middle=f"{b[1]:.3f}", low=f"{b[0]:.3f}", high=f"{b[2]:.3f}")


def net_story(o, labels: tuple[str, str], spe: int) -> list[str]:
    """What the network's training shows, from :class:`lrcore.nets.Outcome` (every number is its field).

    ``labels``: the two lanes' names, in the session's language (the page names them).
    """
    name = Namer(list(labels))
    epoch_of = lambda step: step // spe + 1  # noqa: E731  (update t falls in epoch t // spe + 1)
    lines = []
    if o.first_change is None:
        lines.append(
            _(
                "{lane} never changed its rate in these {steps} updates: it stayed at {rate}. Its schedule's first drop "
                "lies beyond the end of training.",
                lane=name(1, True), steps=i18n.integer(o.steps), rate=number(o.first_rate),
            )  # fmt: skip
        )
    else:
        lines.append(
            _(
                "{lane} first changed its rate at update {update} (epoch {epoch}) and ends at {last}, {ratio}× below "
                "where it started.",
                lane=name(1, True), update=i18n.integer(o.first_change), epoch=i18n.integer(epoch_of(o.first_change)),
                last=number(o.last_rate), ratio=ratio(o.first_rate / o.last_rate) if o.last_rate > 0 else "∞",
            )  # fmt: skip
        )
    final = _(
        "final training loss: {constant} {constant_band}, {decayed} {decayed_band}",
        constant=name(0), constant_band=_band(o.constant_final), decayed=name(1), decayed_band=_band(o.decayed_final),
    )  # fmt: skip
    if o.direction == "identical":
        lines.append(
            _(
                "So the two runs are **identical, step for step**: the same weights, batches and rates give the same "
                "final training loss, {band}.",
                band=_band(o.constant_final),
            )
        )
    elif o.direction == "lower":
        lines.append(_("The decayed run ends **lower than every constant seed**: its whole band lies below ({final}).", final=final))
    elif o.direction == "higher":
        lines.append(_("The decayed run ends **higher than every constant seed**: its rate shrank before the runs arrived ({final}).", final=final))
    elif o.decayed_final[1] < o.constant_final[1]:
        lines.append(_("The bands **overlap**: on average the decayed run ends lower ({final}).", final=final))
    else:
        lines.append(_("The bands **overlap**: on average the decayed run ends higher ({final}).", final=final))
    if o.direction != "identical":
        lines.append(
            _(
                "Seed by seed, on the same initial weights and batches, the decayed run ends lower in **{wins} of "
                "{seeds}**; final accuracy on the (noisy) training labels: {constant} against {decayed}.",
                wins=o.wins, seeds=o.seeds, constant=f"{o.constant_accuracy:.1%}", decayed=f"{o.decayed_accuracy:.1%}",
            )  # fmt: skip
        )
    return lines


def net_rate_check(o, factory: str) -> str:
    """The per-step agreement of torch's scheduler with lrcore's schedule, from ``o.rate_gap``.

    ``factory``: lrcore's English name of the scheduler used (marked ``N_``), translated here.
    """
    steps = i18n.integer(o.steps)
    if o.rate_gap == 0:
        agreement = _("it equals lrcore's schedule exactly at all {steps} updates of both lanes", steps=steps)
    elif o.rate_gap < nets.RATE_AGREES:
        agreement = _(
            "it agrees with lrcore's schedule at all {steps} updates of both lanes, to a relative {gap}", steps=steps, gap=f"{o.rate_gap:.1e}"
        )
    else:
        agreement = _("it differs from lrcore's schedule by up to a relative {gap}", gap=f"{o.rate_gap:.2g}")
    return _(
        "Every rate was set by PyTorch's scheduler ({factory}) and read back from `optimizer.param_groups[0]['lr']`: {agreement}.",
        factory=_(factory), agreement=agreement,
    )  # fmt: skip
