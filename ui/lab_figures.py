"""The labs' figure builders: arrays in, a Plotly figure out (as :mod:`ui.figures`). No Streamlit here."""

from __future__ import annotations

import math

import numpy as np

from ui import theme
from ui.i18n import N_, _
from ui.figures import PrebuiltFigure, _figure, _hline, _legend_line, _positive, _rgba, _trace, _wire

RULE_STYLE = {  # colour, dash, legend name
    "fixed": (theme.SERIES[0], "solid", N_("fixed rate")),
    "inverse_sqrt": (theme.SERIES[1], "dash", "× 1/√(B/B₀) (k/√B)"),
    "sqrt": (theme.SERIES[2], "dot", "× √(B/B₀)"),
    "linear": (theme.SERIES[3], "dashdot", N_("× B/B₀ (linear)")),
}


def _vline(x: float, colour: str, dash: str, text: str, y: float, yref_domain: str = "paper", xref: str = "x") -> tuple[dict, dict]:
    shape = dict(type="line", xref=xref, x0=x, x1=x, yref=yref_domain, y0=0, y1=1, line=dict(color=colour, width=2, dash=dash))
    note = dict(
        text=text, x=math.log10(x), xref=xref, y=y, yref=yref_domain, showarrow=False, xanchor="left",
        font=dict(color=colour, size=14), bgcolor="rgba(255,255,255,0.85)",
    )  # fmt: skip
    return shape, note


def _log_range(b: np.ndarray) -> list[float]:
    return [math.log10(b[0]) - 0.1, math.log10(b[-1]) + 0.1]


def batch_floors(b: np.ndarray, curves: list[tuple[str, np.ndarray, np.ndarray, float | None]], bound: float, b0: float) -> PrebuiltFigure:
    """Noise floor (top) and the rate (bottom) against the batch size, one line per rule.

    ``curves`` are ``(rule, rates, floors, cutoff_exact)``; a rule's floor stops where its
    rate reaches ``bound`` (it is infinite from there), marked with a dotted line.
    """
    data, shapes, notes = [], [], []
    x = _wire(b)
    for k, (rule, rates, floors, cutoff) in enumerate(curves):
        colour, dash, name = RULE_STYLE[rule]
        name = _(name)
        data.append(
            _trace(
                x, _wire(_positive(floors)), line=dict(color=colour, dash=dash, width=3.5), name=name, legendrank=k,
                mode="lines+markers", marker=dict(size=6),
                hovertemplate=_("B = %{x:.3g}<br>floor %{y:.3g}") + "<extra>" + name + "</extra>",
            )
        )  # fmt: skip
        data.append(_trace(x, _wire(rates), ("x2", "y2"), line=dict(color=colour, dash=dash, width=3.5), hovertemplate=_("B = %{x:.3g}<br>rate %{y:.3g}") + "<extra>" + name + "</extra>"))
        if cutoff is not None and b[0] <= cutoff <= b[-1]:
            for xref, yref in (("x", "y domain"), ("x2", "y2 domain")):
                shapes.append(dict(type="line", xref=xref, x0=cutoff, x1=cutoff, yref=yref, y0=0, y1=1, line=dict(color=colour, width=2, dash="dot")))
            notes.append(
                dict(
                    text=_("rate {rule} reaches the bound at B = {b}", rule=name.split(" (")[0].split("（")[0], b=f"{cutoff:.3g}"),
                    x=math.log10(cutoff), xref="x",
                    y=0.97 - 0.1 * len(notes), yref="y domain", showarrow=False, xanchor="left", font=dict(color=colour, size=14),
                    bgcolor="rgba(255,255,255,0.85)",
                )
            )  # fmt: skip
    shapes.append(_hline(bound, "y2", theme.DANGER, "dash", 2))
    shapes[-1]["xref"] = "x2 domain"
    shapes.append(dict(type="rect", xref="x2 domain", yref="y2", x0=0, x1=1, y0=bound, y1=bound * 1e3, fillcolor=theme.DANGER_FILL, line=dict(width=0), layer="below"))
    leg = _legend_line(_("stability bound {bound}", bound=f"{bound:.3g}"), theme.DANGER, "dash", rank=10)
    leg.update(xaxis="x2", yaxis="y2")
    data.append(leg)
    rates = np.concatenate([c[1] for c in curves])
    layout = theme.base_layout(
        height=620,
        margin=dict(l=80, r=15, t=70, b=55),
        xaxis=theme.axis(None, type="log", anchor="y", domain=[0, 1], matches="x2", showticklabels=False),
        yaxis=theme.axis(_("noise floor E[loss]"), type="log", domain=[0.5, 1.0], exponentformat="power"),
        xaxis2=theme.axis(_("batch size B (reference B₀ = {b0})", b0=f"{b0:g}"), 6, type="log", anchor="y2", range=_log_range(b)),
        # up to 10× the bound: a rule's rate beyond it leaves the chart (its floor is gone long before)
        yaxis2=theme.axis(_("rate"), type="log", domain=[0.0, 0.4], exponentformat="power",
                          range=[math.log10(max(rates.min(), 1e-6)) - 0.2, math.log10(min(max(rates.max(), bound), 10 * bound)) + 0.1]),
        shapes=shapes,
        annotations=notes,
        hovermode="x",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, font=dict(size=14), entrywidth=0.5, entrywidthmode="fraction", traceorder="normal"),
    )  # fmt: skip
    return _figure(data, layout)


def batch_steps(
    b: np.ndarray, steps: np.ndarray, examples: np.ndarray, s_min: float, e_min: float, marks: list[tuple[str, float, str, str]]
) -> PrebuiltFigure:
    """Steps (top) and examples ``B × steps`` (bottom) to reach the target, against B.

    The two limits are drawn as lines: perfect scaling ``S = E_min / B`` (examples held
    at ``E_min``) and the large-batch floor ``S_min``. ``marks`` are vertical lines
    ``(label, B, colour, dash)``: the critical batch size and the noise scales.
    """
    ok = steps >= 0
    s = np.where(ok, steps, np.nan).astype(float)
    e = np.where(ok, examples, np.nan)
    x = _wire(b)
    perfect = e_min / b
    data = [
        _trace(x, _wire(s), line=dict(color=theme.DECAYED, width=3.5), mode="lines+markers", marker=dict(size=7), name=_("steps to the target"),
               hovertemplate=_("B = %{x:.3g}<br>%{y:.0f} steps") + "<extra></extra>"),
        _trace(x, _wire(perfect), line=dict(color=theme.OPTIMAL, width=2.5, dash="dash"), name=_("perfect scaling E_min/B")),
        _trace(x, _wire(np.full(len(b), s_min)), line=dict(color=theme.DANGER, width=2.5, dash="dot"), name=_("S_min = {s_min} (no noise)", s_min=f"{s_min:.0f}")),
        _trace(x, _wire(e), ("x2", "y2"), line=dict(color=theme.CONSTANT, width=3.5), mode="lines+markers", marker=dict(size=7), name=_("examples B × steps"),
               hovertemplate=_("B = %{x:.3g}<br>%{y:.3g} examples") + "<extra></extra>"),
        _trace(x, _wire(np.full(len(b), e_min)), ("x2", "y2"), line=dict(color=theme.OPTIMAL, width=2.5, dash="dash")),
    ]  # fmt: skip
    shapes, notes = [], []
    for i, (label, value, colour, dash) in enumerate(marks):
        if not (math.isfinite(value) and b[0] <= value <= b[-1]):  # said at the edge it lies beyond
            left = math.isfinite(value) and value < b[0]
            notes.append(
                dict(text=("← " if left else "") + label + ("" if left else " →"), x=0.01 if left else 0.99, xref="x domain",
                     xanchor="left" if left else "right", y=0.03, yref="y domain", yanchor="bottom", showarrow=False,
                     font=dict(color=colour, size=14), bgcolor="rgba(255,255,255,0.85)")
            )  # fmt: skip
            continue
        for xref in ("x", "x2"):
            shapes.append(dict(type="line", xref=xref, x0=value, x1=value, yref="y domain" if xref == "x" else "y2 domain", y0=0, y1=1, line=dict(color=colour, width=2, dash=dash)))
        right = math.log10(value / b[0]) > 0.6 * math.log10(b[-1] / b[0])  # near the right edge: the label on the line's left
        notes.append(
            dict(text=label, x=math.log10(value), xref="x", y=0.97 - 0.11 * i, yref="y domain", showarrow=False, xanchor="right" if right else "left",
                 font=dict(color=colour, size=14), bgcolor="rgba(255,255,255,0.85)")
        )  # fmt: skip
    finite = s[np.isfinite(s)]
    top = max(float(finite.max()) if finite.size else 10.0, s_min) * 2
    layout = theme.base_layout(
        height=620,
        margin=dict(l=80, r=15, t=70, b=55),
        xaxis=theme.axis(None, type="log", anchor="y", matches="x2", showticklabels=False),
        yaxis=theme.axis(_("steps"), type="log", domain=[0.5, 1.0], range=[math.log10(max(s_min, 1)) - 0.3, math.log10(top)], dtick="D2"),
        xaxis2=theme.axis(_("batch size B"), 6, type="log", anchor="y2", range=_log_range(b)),
        yaxis2=theme.axis(_("examples"), type="log", domain=[0.0, 0.4], exponentformat="power"),
        shapes=shapes,
        annotations=notes,
        hovermode="x",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, font=dict(size=14), entrywidth=0.5, entrywidthmode="fraction", traceorder="normal"),
    )
    return _figure(data, layout)


# --------------------------------------------------------------------------- warmup


def warmup_plane(view) -> PrebuiltFigure:
    """The loss surface, one run of each lane (same noise) and where all runs end."""
    data = [_trace(_wire(view.contours[:, 0]), _wire(view.contours[:, 1]), line=dict(color="#b4b4b4", width=1.2))]
    data.append(_trace([float(view.minimum[0])], [float(view.minimum[1])], mode="markers", marker=dict(symbol="star", size=18, color="#222")))
    for k, lane in enumerate(view.lanes):
        data.append(
            _trace(_wire(lane.cloud[:, 0]), _wire(lane.cloud[:, 1]), mode="markers",
                   marker=dict(color=lane.colour, size=6, opacity=0.35), name=_("{lane}: where the runs end", lane=lane.label), legendrank=10 + k)
        )  # fmt: skip
    for k, lane in enumerate(view.lanes):
        data.append(
            _trace(_wire(lane.path[:, 0]), _wire(lane.path[:, 1]), mode="lines+markers", line=dict(color=lane.colour, width=2.5, dash=lane.dash),
                   marker=dict(size=4), name=_("{lane}: one run", lane=lane.label), legendrank=k)
        )  # fmt: skip
    lo, hi = view.minimum - view.extent, view.minimum + view.extent
    layout = theme.base_layout(
        height=520,
        margin=dict(l=60, r=15, t=110, b=55),
        xaxis=theme.axis("w₁", range=[float(lo[0]), float(hi[0])]),
        yaxis=theme.axis("w₂", range=[float(lo[1]), float(hi[1])], scaleanchor="x"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, font=dict(size=13), traceorder="normal"),
    )
    return _figure(data, layout)


def warmup_curves(view) -> PrebuiltFigure:
    """Loss (top: the runs' mean, their 10-90% band, the exact expectation where there is one) and the rate (bottom)."""
    data, shapes = [], []
    log_x = True  # divergence, warmup and Adam's first steps all happen early: a log step axis shows them
    shift = 1 if log_x else 0  # a log axis starts at step 0 drawn at 1
    for k, lane in enumerate(view.lanes):
        x = _wire(lane.steps + shift)
        high = np.where(np.isposinf(lane.high), 1e30, lane.high)
        data.append(_trace(x, _wire(_positive(high)), line=dict(width=0)))
        data.append(_trace(x, _wire(_positive(lane.low)), line=dict(width=0), fill="tonexty", fillcolor=_rgba(lane.colour, 0.16)))
        label = lane.label
        if lane.diverged_share:
            name = _("{lane} (mean of surviving runs; {share} diverged)", lane=label, share=f"{lane.diverged_share:.0%}")
        else:
            name = _("{lane} (mean of the runs)", lane=label)
        data.append(
            _trace(x, _wire(_positive(lane.mean)), line=dict(color=lane.colour, width=3.5, dash=lane.dash), name=name,
                   legendrank=k, hovertemplate=_("step %{x}<br>mean loss %{y:.3g}") + "<extra>" + label + "</extra>")
        )  # fmt: skip
        if lane.expected is not None:
            exact = _trace(x, _wire(_positive(lane.expected)), line=dict(color="#222", width=1.8, dash="dot"), legendgroup="exact", legendrank=20)
            if k == 0:
                exact.update(name=_("exact expected loss"), showlegend=True)
            data.append(exact)
    for k, lane in enumerate(view.lanes):
        data.append(_trace(_wire(lane.rate_steps + shift), _wire(_positive(lane.rates)), ("x", "y2"), line=dict(color=lane.colour, width=3.5, dash=lane.dash),
                           hovertemplate=_("step %{x}<br>rate %{y:.3g}") + "<extra>" + lane.label + "</extra>"))  # fmt: skip
        if lane.local_bound is not None:
            local = _trace(_wire(lane.rate_steps + shift), _wire(_positive(lane.local_bound)), ("x", "y2"), line=dict(color=lane.colour, width=1.8, dash="dot"),
                           name=_("the bound where {lane}'s run is", lane=lane.label), legendrank=30 + k)  # fmt: skip
            data.append(local)
    if math.isfinite(view.bound):
        shapes.append(_hline(view.bound, "y2", theme.DANGER, "dash", 2))
        bound = f"{view.bound:.3g}"
        name = _("stability bound {bound} (at the minimum)", bound=bound) if view.config.case == "bowl" else _("stability bound {bound}", bound=bound)
        data.append(_legend_line(name, theme.DANGER, "dash", rank=40))
    for lane in view.lanes:
        if lane.first_divergence is not None:
            shapes.append(dict(type="line", xref="x", yref="paper", x0=lane.first_divergence + shift, x1=lane.first_divergence + shift, y0=0, y1=1,
                               line=dict(color=lane.colour, width=2, dash="dot")))  # fmt: skip
    rates = np.concatenate([lane.rates for lane in view.lanes])  # a diverged run's local bound may leave the chart below
    rates = rates[np.isfinite(rates) & (rates > 0)]
    r_hi = max(float(rates.max()) if rates.size else 1.0, view.bound if math.isfinite(view.bound) else 0)
    r_lo = float(rates.min()) if rates.size else 1e-4
    x_axis = theme.axis(_("step t + 1") if log_x else _("step (update)"), 6, anchor="y2", type="log" if log_x else "linear")
    layout = theme.base_layout(
        height=620,
        margin=dict(l=80, r=15, t=110, b=55),
        xaxis=x_axis,
        yaxis=theme.axis(_("loss"), type="log", domain=[0.45, 1.0], exponentformat="power"),
        yaxis2=theme.axis(_("learning rate"), type="log", domain=[0.0, 0.36], exponentformat="power",
                          range=[math.log10(r_lo) - 0.2, math.log10(r_hi) + 0.3]),
        shapes=shapes,
        hovermode="x",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, font=dict(size=13), traceorder="normal"),
    )  # fmt: skip
    if log_x:
        layout["xaxis"]["range"] = [0, math.log10(float(view.lanes[0].steps[-1]) + 1)]
    return _figure(data, layout)


# --------------------------------------------------------------------------- the best schedule

BEST_NAMES = {  # the views' series names, as the legends say them
    "optimum": N_("optimum"),
    "greedy": N_("greedy"),
    "best constant": N_("best constant"),
    "your schedule": N_("your schedule"),
}
BEST_STYLE = {
    "optimum": (theme.OPTIMAL, "solid", 4.5),
    "greedy": (theme.SERIES[2], "dash", 3),
    "best constant": (theme.CONSTANT, "dot", 3),
    "your schedule": (theme.DECAYED, "solid", 3),
}


def best_rates(t, rates: dict, bound: float, h_min: float, gain: float, names: dict | None = None) -> PrebuiltFigure:
    """Every schedule's rate against the step (both axes log, from step 1): the bound, and 1/(g h_min (t+1))."""
    names = names or {}
    x = _wire(t + 1)
    data = []
    for k, (label, r) in enumerate(rates.items()):
        colour, dash, width = BEST_STYLE.get(label, ("#555555", "longdash", 2.5))
        name = names.get(label) or _(BEST_NAMES.get(label, label))
        data.append(_trace(x, _wire(_positive(r)), line=dict(color=colour, dash=dash, width=width), name=name, legendrank=k,
                           hovertemplate=_("step %{x}<br>rate %{y:.3g}") + "<extra>" + name + "</extra>"))  # fmt: skip
    guide = 1 / (gain * h_min * (t + 1))
    data.append(_trace(x, _wire(guide), line=dict(color="#777", width=2, dash="dot"), name=_("time-based decay 1/(h_min·t)"), legendrank=20))
    shapes = [
        _hline(bound, "y", theme.DANGER, "dash", 2),
        dict(type="rect", xref="x domain", yref="y", x0=0, x1=1, y0=bound, y1=bound * 1e3, fillcolor=theme.DANGER_FILL, line=dict(width=0), layer="below"),
    ]
    data.append(_legend_line(_("stability bound 2/h_max = {bound}: a constant rate above it diverges", bound=f"{bound:.3g}"), theme.DANGER, "dash", rank=30))
    data[-1]["yaxis"] = "y"
    allr = np.concatenate([np.ravel(r) for r in rates.values()])
    allr = allr[np.isfinite(allr) & (allr > 0)]
    layout = theme.base_layout(
        height=500,
        margin=dict(l=80, r=15, t=165, b=55),
        xaxis=theme.axis(_("step t + 1"), 6, type="log"),
        yaxis=theme.axis(_("learning rate"), type="log", exponentformat="power",
                         range=[math.log10(allr.min()) - 0.2, math.log10(max(allr.max(), bound)) + 0.2]),
        shapes=shapes,
        hovermode="x",
        # One entry a row: the family's and the bound's names are long, and half a row cut them off.
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, font=dict(size=14), traceorder="normal", entrywidth=1.0, entrywidthmode="fraction"),
    )  # fmt: skip
    return _figure(data, layout)


def best_losses(t, losses: dict, names: dict | None = None) -> PrebuiltFigure:
    """Every schedule's exact expected loss against the step (both axes log, from step 1)."""
    names = names or {}
    data = []
    for k, (label, y) in enumerate(losses.items()):
        colour, dash, width = BEST_STYLE.get(label, ("#555555", "longdash", 2.5))
        name = names.get(label) or _(BEST_NAMES.get(label, label))
        data.append(_trace(_wire(t + 1), _wire(_positive(y)), line=dict(color=colour, dash=dash, width=width), name=name, legendrank=k,
                           hovertemplate=_("step %{x}<br>E[loss] %{y:.3g}") + "<extra>" + name + "</extra>"))  # fmt: skip
    layout = theme.base_layout(
        height=500,
        margin=dict(l=80, r=15, t=120, b=55),
        xaxis=theme.axis(_("step t + 1"), 6, type="log"),
        yaxis=theme.axis(_("exact expected loss"), type="log", exponentformat="power"),
        hovermode="x",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, font=dict(size=14), traceorder="normal"),
    )
    return _figure(data, layout)
