"""The labs' sentences: one template per claim of :mod:`lrcore.lab_story`, numbers from the claim.

Nothing here computes a fact: every number is a field of its claim (or a property that
rearranges the claim's own fields), so ``tests/test_lab_story.py``, which checks the
claims, checks the sentences too.
"""

from __future__ import annotations

import math

from lrcore import lab_story as L
from ui.i18n import N_, _, _n
from ui.words import number, share

RULE_NAMES = {
    "fixed": N_("the fixed rate"),
    "inverse_sqrt": N_("the k/√B rule"),
    "sqrt": N_("the square-root rule (rate × √(B/B₀))"),
    "linear": N_("the linear scaling rule (rate × B/B₀)"),
}
RULE_TITLES = {  # the same names at the start of a sentence
    "fixed": N_("The fixed rate"),
    "inverse_sqrt": N_("The k/√B rule"),
    "sqrt": N_("The square-root rule (rate × √(B/B₀))"),
    "linear": N_("The linear scaling rule (rate × B/B₀)"),
}
FAMILY_NAMES = {  # lrcore.families.FAMILIES as a page names them
    "constant": N_("constant"),
    "exponential": N_("exponential"),
    "inverse_time": N_("inverse time"),
    "inverse_sqrt": N_("inverse sqrt"),
    "polynomial": N_("polynomial"),
    "cosine": N_("cosine"),
    "step": N_("step"),
}


def family(name: str) -> str:
    """A library family's name (:data:`lrcore.families.FAMILIES`) in the session's language."""
    return _(FAMILY_NAMES[name]) if name in FAMILY_NAMES else name.replace("_", " ")


def _b(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 and float(x).is_integer() else number(x)


def _first(s: int | None) -> str:
    """When a lane's runs first diverged, as a parenthesis."""
    return _("(never first)") if s is None else _("(at step {k} first)", k=f"{s:,}")


def _at(s: int | None) -> str:
    return _("(never)") if s is None else _("(at step {k})", k=f"{s:,}")


def _label(label: str, names: dict | None) -> str:
    """A lane's or schedule's name: ``names`` first (names the page translated), else the catalog."""
    return (names or {}).get(label) or _(label)


def _percent(x: float) -> str:
    return share(x) if x > 0 else f"{100 * x:.0f}%"


def sentence(claim, names: dict | None = None) -> str:
    """The sentence for one lab claim (``names``: display names for labels the claim carries)."""
    if isinstance(claim, L.FloorFalls):
        return _(
            "At a fixed rate {lr} the noise floor falls from **{first}** at B = {b_first} to **{last}** at B = {b_last}: "
            "as B^{slope}, so doubling the batch halves it (the noise variance is c/B).",
            lr=number(claim.lr), first=number(claim.floor_first), b_first=_b(claim.b_first), last=number(claim.floor_last),
            b_last=_b(claim.b_last), slope=f"{claim.slope:.2f}",
        )  # fmt: skip
    if isinstance(claim, L.RuleCut):
        fields = dict(rule=_rule_title(claim.rule), bound=number(claim.bound), b=_b(claim.exact))
        if claim.shown:
            return _("{rule} reaches the stability bound {bound} at B = **{b}**: from there its runs diverge, and the rule stops working.", **fields)
        return _("{rule} reaches the stability bound {bound} only at B = {b}, beyond the sizes drawn.", **fields)
    if isinstance(claim, L.NotReached):
        if claim.horizon:
            return _(
                "{count} of the batch sizes never reach the target within the {horizon}-step horizon: the target is below what that run gets to.",
                count=claim.count, horizon=f"{claim.horizon:,}",
            )
        return _("{count} of the batch sizes never reach the target : the target is below what that run gets to.", count=claim.count)
    if isinstance(claim, L.PerfectScaling):
        fields = dict(b=_b(claim.b), b2=_b(2 * claim.b), steps=f"{claim.steps_b:,}", steps2=f"{claim.steps_2b:,}", share=f"{claim.steps_2b / claim.steps_b:.0%}")
        if claim.steps_2b <= 0.6 * claim.steps_b:
            return _(
                "Doubling a small batch is nearly free speed: from B = {b} to {b2} the steps to the target fall from **{steps}** to "
                "**{steps2}** ({share} of them).",
                **fields,
            )
        return _(
            "Doubling the smallest batch that gets there: from B = {b} to {b2} the steps to the target fall from **{steps}** to "
            "**{steps2}** ({share} of them).",
            **fields,
        )
    if isinstance(claim, L.StopsHelping):
        return _(
            "From B = **{b}** doubling stops helping: {steps} steps become {steps2} (a {saving} saving) while the examples seen almost double.",
            b=_b(claim.b), steps=f"{claim.steps_b:,}", steps2=f"{claim.steps_2b:,}", saving=share(claim.saving),
        )  # fmt: skip
    if isinstance(claim, L.Critical):
        return _(
            "The critical batch size B_crit = E_min / S_min = {e_min} / {s_min} = **{b_crit}** (with the best constant rate for "
            "each B). The gradient noise scale B_noise is {start} at the start, where the gradient is large, and {target} at the "
            "target: the batch worth using grows as training goes on.",
            e_min=number(claim.e_min), s_min=f"{claim.s_min:.0f}", b_crit=number(claim.b_crit), start=number(claim.noise_start),
            target=number(claim.noise_target),
        )  # fmt: skip
    if isinstance(claim, L.ExamplesGrow):
        return _(
            "Examples needed (B × steps): {first} at B = {b_first}, {last} at B = {b_last}.",
            first=_b(claim.examples_first), b_first=_b(claim.b_first), last=_b(claim.examples_last), b_last=_b(claim.b_last),
        )  # fmt: skip
    if isinstance(claim, L.SameEnd) and not claim.same:
        return _(
            "Exactly: with rate {lr} (below the bound {bound}) both runs converge, but after {steps} steps warmup's slower start "
            "still shows: expected loss **{with_}** with warmup against **{without}** without. Given time both reach the same floor.",
            lr=number(claim.lr), bound=number(claim.bound), steps=f"{claim.steps:,}", with_=number(claim.final_with),
            without=number(claim.final_without),
        )  # fmt: skip
    if isinstance(claim, L.SameEnd):
        return _(
            "Exactly: with rate {lr} (below the bound {bound}) both runs end at the same expected loss, **{without}** without "
            "warmup and **{with_}** with it. Warmup's expected loss is lower at {lower} of the {steps} steps on the way: on a "
            "quadratic the curvature is the same everywhere, so warmup changes the road, never where it ends.",
            lr=number(claim.lr), bound=number(claim.bound), without=number(claim.final_without), with_=number(claim.final_with),
            lower=f"{claim.lower_steps:,}", steps=f"{claim.steps:,}",
        )  # fmt: skip
    if isinstance(claim, L.BothDiverge):
        return _(
            "At rate {lr}, at or above the bound {bound}, warmup cannot save the run: {without} of the runs without warmup "
            "diverge {first_without} and {with_} with it {first_with}, once the full rate arrives.",
            lr=number(claim.lr), bound=number(claim.bound), without=share(claim.share_without), first_without=_first(claim.first_without),
            with_=share(claim.share_with), first_with=_at(claim.first_with),
        )  # fmt: skip
    if isinstance(claim, L.BowlRescue):
        fields = dict(
            lr=number(claim.lr), bound_min=number(claim.bound_minimum), bound_start=number(claim.bound_start),
            without=share(claim.share_without), first=_first(claim.first_without), n=claim.warmup_steps, with_=share(claim.share_with),
        )  # fmt: skip
        text = _(
            "On this bowl the rate {lr} is stable near the minimum (bound {bound_min}) but not at the start (bound {bound_start}). "
            "Without warmup **{without}** of the runs diverge {first}; with a {n}-step warmup **{with_}** do.",
            **fields,
        )
        if claim.shortest is not None:
            text += " " + _n("The shortest warmup that brings the noise-free run in is {n} step.", "The shortest warmup that brings the noise-free run in is {n} steps.", claim.shortest)
        return text
    if isinstance(claim, L.AdamSummary):
        gone = (
            _("no run diverges, so here warmup has no instability to prevent")
            if claim.diverged == 0
            else _("up to {share} of a lane's runs diverge", share=share(claim.diverged))
        )
        ends = (
            _("all three end within a factor {spread} of each other", spread=f"{claim.spread:.2f}")
            if claim.spread < 1.5
            else _(
                "**{lowest}** ends lowest ({lowest_final}), **{highest}** highest ({highest_final})",
                lowest=_label(claim.lowest, names), lowest_final=number(claim.lowest_final),
                highest=_label(claim.highest, names), highest_final=number(claim.highest_final),
            )
        )  # fmt: skip
        return _(
            "Without warmup Adam's first steps are **{ratio}×** as long as under the 2/(1 − β₂) warmup: about the full rate in "
            "every direction, whatever the curvature, because v̂ rests on a few gradients. On this quadratic {gone}; {ends}.",
            ratio=f"{claim.step_ratio:.1f}", gone=gone, ends=ends,
        )  # fmt: skip
    if isinstance(claim, L.AdamLane):
        label = _label(claim.label, names)
        head = _("**{label}** ({n} steps)", label=label, n=f"{claim.warmup_steps:,}") if claim.warmup_steps else f"**{label}**"
        fields = dict(
            head=head, window=f"{claim.window:,}", largest=number(claim.largest_step), final=number(claim.final),
            low=number(claim.low), high=number(claim.high),
        )  # fmt: skip
        if claim.reach_step is not None:
            return _(
                "{head}: its largest mean step in the first {window} updates is {largest}; it reaches 1% of the start's loss at "
                "step {reach} and ends at loss ≈ **{final}** (80% of the runs between {low} and {high}).",
                reach=f"{claim.reach_step:,}", **fields,
            )  # fmt: skip
        return _(
            "{head}: its largest mean step in the first {window} updates is {largest}; it never reaches 1% of the start's loss "
            "and ends at loss ≈ **{final}** (80% of the runs between {low} and {high}).",
            **fields,
        )
    if isinstance(claim, L.OptimumGain):
        return _(
            "Over {steps} steps the best constant rate ({rate}) ends at expected loss {constant}; the optimal schedule at "
            "**{optimal}**, {ratio}× lower. No schedule ends lower on this problem.",
            steps=f"{claim.steps:,}", rate=number(claim.constant_rate), constant=number(claim.constant_loss),
            optimal=number(claim.optimal_loss), ratio=number(claim.ratio),
        )  # fmt: skip
    if isinstance(claim, L.Score):
        label = _label(claim.label, names)
        if math.isnan(claim.share):
            return _("**{label}** ends at {final}; the optimum does not beat the best constant rate here.", label=label, final=number(claim.final))
        fields = dict(label=label, final=number(claim.final), share=_percent(claim.share))
        if claim.share > 1:
            return _(
                "**{label}** ends at {final}: it gets **{share}** of the possible improvement (a little above 100%: the optimum is "
                "constant on pieces, which costs it a fraction of a percent).",
                **fields,
            )
        return _("**{label}** ends at {final}: it gets **{share}** of the possible improvement.", **fields)
    if isinstance(claim, L.Excursion):
        steps = _("step {first}", first=claim.first) if claim.count == 1 else _("steps {first} to {last}", first=claim.first, last=claim.last)
        return _(
            "The optimum's first rates are **above the stability bound** {bound} ({steps}, up to {ratio}× it): a constant rate "
            "there would diverge, but a few steps are forgiven. The expected loss climbs from {start} to {peak} at step "
            "{peak_step} (the steep direction overshoots) and the smaller rates after pull it back, to {final} at the end.",
            bound=number(claim.bound), steps=steps, ratio=number(claim.max_ratio), start=number(claim.start_loss),
            peak=number(claim.peak_loss), peak_step=claim.peak_step, final=number(claim.final_loss),
        )  # fmt: skip
    if isinstance(claim, L.InverseTime):
        lo, hi = claim.middle
        return _(
            "In the middle of the horizon (steps {lo} to {hi}) the optimum is time-based decay 1/(h_min t): η_t · h_min (t+1) "
            "runs from {low} to {high} (median {median}; 1 is exact). Near the end it anneals faster ({last} at the last step).",
            lo=f"{lo:,}", hi=f"{hi:,}", low=f"{claim.low:.2f}", high=f"{claim.high:.2f}", median=f"{claim.median:.2f}",
            last=f"{claim.last:.2f}",
        )  # fmt: skip
    if isinstance(claim, L.Family):
        return _(
            "The library family closest to the optimum is **{family}**, within a typical factor of {factor} of its rate (mean "
            "squared log-rate error {error}); next is {runner_up} ({runner_up_factor}).",
            family=family(claim.family), factor=f"{claim.typical_factor:.2f}", error=f"{claim.error:.3f}",
            runner_up=family(claim.runner_up), runner_up_factor=f"{claim.runner_up_factor:.2f}",
        )  # fmt: skip
    raise TypeError(f"no sentence for {claim!r}")


def _rule_title(rule: str) -> str:
    return _(RULE_TITLES[rule])


def story(claims, names: dict | None = None) -> list[str]:
    return [sentence(c, names) for c in claims]
