"""The labs' sentences: one template per claim of :mod:`lrcore.lab_story`, numbers from the claim.

Nothing here computes a fact: every number is a field of its claim (or a property that
rearranges the claim's own fields), so ``tests/test_lab_story.py``, which checks the
claims, checks the sentences too.
"""

from __future__ import annotations

import math

from lrcore import lab_story as L
from ui.words import number, share

RULE_NAMES = {
    "fixed": "the fixed rate",
    "inverse_sqrt": "the k/√B rule",
    "sqrt": "the square-root rule (rate × √(B/B₀))",
    "linear": "the linear scaling rule (rate × B/B₀)",
}


def _b(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 and float(x).is_integer() else number(x)


def _step(s: int | None) -> str:
    return "never" if s is None else f"at step {s:,}"


def sentence(claim) -> str:
    """The sentence for one lab claim."""
    if isinstance(claim, L.FloorFalls):
        return (
            f"At a fixed rate {number(claim.lr)} the noise floor falls from **{number(claim.floor_first)}** at B = "
            f"{_b(claim.b_first)} to **{number(claim.floor_last)}** at B = {_b(claim.b_last)}: as B^{claim.slope:.2f}, "
            "so doubling the batch halves it (the noise variance is c/B)."
        )
    if isinstance(claim, L.RuleCut):
        where = f"at B = **{_b(claim.exact)}**" if claim.shown else f"only at B = {_b(claim.exact)}, beyond the sizes drawn"
        tail = ": from there its runs diverge, and the rule stops working." if claim.shown else "."
        return f"{_rule_title(claim.rule)} reaches the stability bound {number(claim.bound)} {where}{tail}"
    if isinstance(claim, L.NotReached):
        where = f"within the {claim.horizon:,}-step horizon" if claim.horizon else ""
        return f"{claim.count} of the batch sizes never reach the target {where}: the target is below what that run gets to."
    if isinstance(claim, L.PerfectScaling):
        lead = "Doubling a small batch is nearly free speed" if claim.steps_2b <= 0.6 * claim.steps_b else "Doubling the smallest batch that gets there"
        return (
            f"{lead}: from B = {_b(claim.b)} to {_b(2 * claim.b)} the steps to the "
            f"target fall from **{claim.steps_b:,}** to **{claim.steps_2b:,}** ({claim.steps_2b / claim.steps_b:.0%} of them)."
        )
    if isinstance(claim, L.StopsHelping):
        return (
            f"From B = **{_b(claim.b)}** doubling stops helping: {claim.steps_b:,} steps become {claim.steps_2b:,} (a "
            f"{share(claim.saving)} saving) while the examples seen almost double."
        )
    if isinstance(claim, L.Critical):
        return (
            f"The critical batch size B_crit = E_min / S_min = {number(claim.e_min)} / {claim.s_min:.0f} = "
            f"**{number(claim.b_crit)}** (with the best constant rate for each B). The gradient noise scale B_noise is "
            f"{number(claim.noise_start)} at the start, where the gradient is large, and {number(claim.noise_target)} at "
            "the target: the batch worth using grows as training goes on."
        )
    if isinstance(claim, L.ExamplesGrow):
        return (
            f"Examples needed (B × steps): {_b(claim.examples_first)} at B = {_b(claim.b_first)}, "
            f"{_b(claim.examples_last)} at B = {_b(claim.b_last)}."
        )
    if isinstance(claim, L.SameEnd) and not claim.same:
        return (
            f"Exactly: with rate {number(claim.lr)} (below the bound {number(claim.bound)}) both runs converge, but after "
            f"{claim.steps:,} steps warmup's slower start still shows: expected loss **{number(claim.final_with)}** with "
            f"warmup against **{number(claim.final_without)}** without. Given time both reach the same floor."
        )
    if isinstance(claim, L.SameEnd):
        return (
            f"Exactly: with rate {number(claim.lr)} (below the bound {number(claim.bound)}) both runs end at the same "
            f"expected loss, **{number(claim.final_without)}** without warmup and **{number(claim.final_with)}** with it. "
            f"Warmup's expected loss is lower at {claim.lower_steps:,} of the {claim.steps:,} steps on the way: on a "
            "quadratic the curvature is the same everywhere, so warmup changes the road, never where it ends."
        )
    if isinstance(claim, L.BothDiverge):
        return (
            f"At rate {number(claim.lr)}, at or above the bound {number(claim.bound)}, warmup cannot save the run: "
            f"{share(claim.share_without)} of the runs without warmup diverge ({_step(claim.first_without)} first) and "
            f"{share(claim.share_with)} with it ({_step(claim.first_with)}), once the full rate arrives."
        )
    if isinstance(claim, L.BowlRescue):
        text = (
            f"On this bowl the rate {number(claim.lr)} is stable near the minimum (bound {number(claim.bound_minimum)}) "
            f"but not at the start (bound {number(claim.bound_start)}). Without warmup **{share(claim.share_without)}** "
            f"of the runs diverge ({_step(claim.first_without)} first); with a {claim.warmup_steps}-step warmup "
            f"**{share(claim.share_with)}** do"
        )
        if claim.shortest is not None:
            text += f". The shortest warmup that brings the noise-free run in is {claim.shortest} step{'s' if claim.shortest != 1 else ''}"
        return text + "."
    if isinstance(claim, L.AdamSummary):
        gone = (
            "no run diverges, so here warmup has no instability to prevent"
            if claim.diverged == 0
            else f"up to {share(claim.diverged)} of a lane's runs diverge"
        )
        ends = (
            f"all three end within a factor {claim.spread:.2f} of each other"
            if claim.spread < 1.5
            else f"**{claim.lowest}** ends lowest ({number(claim.lowest_final)}), **{claim.highest}** highest ({number(claim.highest_final)})"
        )
        return (
            f"Without warmup Adam's first steps are **{claim.step_ratio:.1f}×** as long as under the 2/(1 − β₂) warmup: "
            f"about the full rate in every direction, whatever the curvature, because v̂ rests on a few gradients. On "
            f"this quadratic {gone}; {ends}."
        )
    if isinstance(claim, L.AdamLane):
        reach = (
            f"reaches 1% of the start's loss at step {claim.reach_step:,}"
            if claim.reach_step is not None
            else "never reaches 1% of the start's loss"
        )
        return (
            f"**{claim.label}**" + (f" ({claim.warmup_steps:,} steps)" if claim.warmup_steps else "") + f": its largest mean step in the first {claim.window:,} updates is "
            f"{number(claim.largest_step)}; it {reach} and ends at loss ≈ **{number(claim.final)}** (80% of the runs "
            f"between {number(claim.low)} and {number(claim.high)})."
        )
    if isinstance(claim, L.OptimumGain):
        return (
            f"Over {claim.steps:,} steps the best constant rate ({number(claim.constant_rate)}) ends at expected loss "
            f"{number(claim.constant_loss)}; the optimal schedule at **{number(claim.optimal_loss)}**, "
            f"{number(claim.ratio)}× lower. No schedule ends lower on this problem."
        )
    if isinstance(claim, L.Score):
        above = " (a little above 100%: the optimum is constant on pieces, which costs it a fraction of a percent)" if claim.share > 1 else ""
        if math.isnan(claim.share):
            return f"**{claim.label}** ends at {number(claim.final)}; the optimum does not beat the best constant rate here."
        return (
            f"**{claim.label}** ends at {number(claim.final)}: it gets **{share(claim.share) if claim.share > 0 else f'{100 * claim.share:.0f}%'}** of "
            f"the possible improvement{above}."
        )
    if isinstance(claim, L.Excursion):
        steps = f"step {claim.first}" if claim.count == 1 else f"steps {claim.first} to {claim.last}"
        return (
            f"The optimum's first rates are **above the stability bound** {number(claim.bound)} ({steps}, up to "
            f"{number(claim.max_ratio)}× it): a constant rate there would diverge, but a few steps are forgiven. The "
            f"expected loss climbs from {number(claim.start_loss)} to {number(claim.peak_loss)} at step "
            f"{claim.peak_step} (the steep direction overshoots) and the smaller rates after pull it back, to "
            f"{number(claim.final_loss)} at the end."
        )
    if isinstance(claim, L.InverseTime):
        lo, hi = claim.middle
        return (
            f"In the middle of the horizon (steps {lo:,} to {hi:,}) the optimum is time-based decay 1/(h_min t): "
            f"η_t · h_min (t+1) runs from {claim.low:.2f} to {claim.high:.2f} (median {claim.median:.2f}; 1 is exact). "
            f"Near the end it anneals faster ({claim.last:.2f} at the last step)."
        )
    if isinstance(claim, L.Family):
        return (
            f"The library family closest to the optimum is **{claim.family.replace('_', ' ')}**, within a typical factor "
            f"of {claim.typical_factor:.2f} of its rate (mean squared log-rate error {claim.error:.3f}); next is "
            f"{claim.runner_up.replace('_', ' ')} ({claim.runner_up_factor:.2f})."
        )
    raise TypeError(f"no sentence for {claim!r}")


def _rule_title(rule: str) -> str:
    name = RULE_NAMES[rule]
    return name[:1].upper() + name[1:]


def story(claims) -> list[str]:
    return [sentence(c) for c in claims]
