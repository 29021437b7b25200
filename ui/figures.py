"""Figure builders: arrays (or a view of them) in, a Plotly figure out. No Streamlit here.

Builders write Plotly's JSON directly, arrays as float32 typed arrays (``{"dtype",
"bdata"}``, which plotly.js reads natively), and return a :class:`PrebuiltFigure`.
Plotly's Python side would validate every trace and encode every array one by one:
200 ms and 70 ms for the race's 60 animation frames, on each slider move. The inputs are
our own checked arrays, and the tests put every builder's output through Plotly's full
validation (:func:`validated`), so the browser gets the same figure, only sooner.
"""

from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go

from lrcore.race import RaceMarks
from ui import theme
from ui.i18n import _
from ui.words import number
from ui.views import LaneView, NetView, RaceView


class PrebuiltFigure(go.Figure):
    """A figure whose JSON-ready spec is final; ``to_dict`` hands it over as is."""

    def __init__(self, spec: dict):
        super().__init__(_validate=False)
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec

    to_plotly_json = to_dict

    @property
    def spec(self) -> dict:
        return self._spec


def validated(fig: PrebuiltFigure) -> go.Figure:
    """The same figure through Plotly's full validation (raises on any invalid property)."""
    return go.Figure(fig.to_dict())


def _f4(a) -> np.ndarray:
    """``a`` as contiguous float32 for the wire; values beyond its range (a diverged run) become gaps."""
    a = np.asarray(a, dtype=np.float64)
    return np.ascontiguousarray(np.where(np.abs(a) < 1e37, a, np.nan).astype(np.float32))


def _wire(a) -> dict:
    """A float32 typed array for the wire (a diverged run's values become gaps)."""
    a = _f4(a)
    out = {"dtype": "f4", "bdata": base64.b64encode(a.tobytes()).decode()}
    if a.ndim > 1:
        out["shape"] = ",".join(map(str, a.shape))
    return out


def _wire_each(a) -> list[dict]:
    """``_wire(a[i])`` for every ``i`` (the animation's frames), converted in one pass."""
    a = _f4(a)
    shape = {"shape": ",".join(map(str, a.shape[1:]))} if a.ndim > 2 else {}
    return [{"dtype": "f4", "bdata": base64.b64encode(row.tobytes()).decode(), **shape} for row in a]


def decode(typed) -> np.ndarray:
    """The array a typed-array spec holds (for tests and downloads)."""
    if not isinstance(typed, dict):
        return np.asarray(typed, dtype=np.float64)
    a = np.frombuffer(base64.b64decode(typed["bdata"]), dtype=np.float32).astype(np.float64)
    return a.reshape([int(n) for n in typed["shape"].split(",")]) if "shape" in typed else a


def _trace(x, y, axes: tuple[str, str] = ("x", "y"), **style) -> dict:
    """A line trace on ``axes``; no hover unless a template is given, no legend unless named."""
    trace = dict(type="scatter", x=x, y=y, mode="lines", xaxis=axes[0], yaxis=axes[1], showlegend="name" in style)
    if "hovertemplate" not in style:
        trace["hoverinfo"] = "skip"
    trace.update(style)
    return trace


def _figure(data: list[dict], layout: dict, frames: list[dict] | None = None) -> PrebuiltFigure:
    spec = {"data": data, "layout": layout}
    if frames:
        spec["frames"] = frames
    return PrebuiltFigure(spec)


def _positive(y: np.ndarray) -> np.ndarray:
    """For log axes: non-positive and infinite values become gaps."""
    y = np.asarray(y, dtype=np.float64)
    return np.where(np.isfinite(y) & (y > 0), y, np.nan)


# --------------------------------------------------------------------------- the race: the plane


def _runs_label(lane: LaneView) -> str:
    """A divergence label that says how many runs it is about."""
    if lane.diverged_share == 1:
        return _("all {lane} runs diverged (first at step {step})", lane=lane.label, step=lane.diverged_first)
    return _("{share:.0%} of {lane} runs diverged (first at step {step})", share=lane.diverged_share, lane=lane.label, step=lane.diverged_first)


def _has_floor(lane: LaneView) -> bool:
    """A noise floor worth drawing: a constant lane's, finite and not (numerically) zero."""
    return lane.constant and lane.floor is not None and np.isfinite(lane.floor) and lane.floor > 1e-12 * float(np.nanmax(lane.mean))


def race_plane(view: RaceView) -> PrebuiltFigure:
    """The loss surface with every lane's runs, animated in the browser.

    Top: the whole run, from the start down the valley. Bottom: a close-up of the minimum
    framed on the rattling of a constant rate (the same whatever the lanes), where the
    lesson is. Play, pause and the scrubber are Plotly frames with ``redraw: false``:
    nothing asks the server.
    """
    centre = view.minimum
    data: list[dict] = []
    for axes, rings in ((("x", "y"), view.contours), (("x2", "y2"), view.zoom_contours)):
        data.append(_trace(_wire(rings[:, 0]), _wire(rings[:, 1]), axes, line=dict(color="#b4b4b4", width=1.2)))
        data.append(
            _trace(
                [float(centre[0])], [float(centre[1])], axes,
                mode="markers", marker=dict(symbol="star", size=20, color="#222", line=dict(color="white", width=1)),
            )
        )  # fmt: skip
        for lane in view.lanes:
            if len(lane.ellipse) and _has_floor(lane):
                ellipse = _trace(
                    _wire(lane.ellipse[:, 0]), _wire(lane.ellipse[:, 1]), axes,
                    line=dict(color=lane.colour, width=2.5, dash="dash"), legendrank=20,
                )  # fmt: skip
                if axes[0] == "x2":
                    ellipse.update(name=_("where {lane} rattles (2σ)", lane=lane.label), showlegend=True)
                data.append(ellipse)
    static = len(data)
    n = len(view.lanes)

    # Every frame's arrays encoded up front, a lane at a time (one conversion, not one a frame).
    clouds = [(_wire_each(lane.clouds[..., 0]), _wire_each(lane.clouds[..., 1])) for lane in view.lanes]
    trails = [(_wire_each(lane.trail[..., 0]), _wire_each(lane.trail[..., 1])) for lane in view.lanes]
    heads = [(_wire_each(lane.trail[:, -1:, 0]), _wire_each(lane.trail[:, -1:, 1])) for lane in view.lanes]

    def moving(f: int) -> list[dict]:
        traces = []
        for axes in (("x", "y"), ("x2", "y2")):
            for xs, ys in clouds:
                traces.append(dict(type="scatter", x=xs[f], y=ys[f], xaxis=axes[0], yaxis=axes[1]))
        for (xs, ys), (hx, hy) in zip(trails, heads):
            traces.append(dict(type="scatter", x=xs[f], y=ys[f]))
            traces.append(dict(type="scatter", x=hx[f], y=hy[f]))
        return traces

    # The figure opens on the last frame, where the lesson is: a constant rate's cloud
    # still spread over its ellipse, a decayed one gathered at the minimum.
    last = len(view.frame_steps) - 1
    first = moving(last)
    styles = []
    for row in (1, 2):
        for k, lane in enumerate(view.lanes):
            styles.append(
                dict(
                    mode="markers",
                    marker=dict(color=lane.colour, size=8 if row == 1 else 10, opacity=0.55, symbol=lane.symbol),
                    name=_("{lane} ({shown} of {runs} runs)", lane=lane.label, shown=lane.clouds.shape[1], runs=view.runs),
                    legendgroup=f"lane{k}",
                    legendrank=k + 1,
                    showlegend=row == 1,
                    # The step is the scrubber's; a point says where one run is.
                    hovertemplate="w₁ %{x:.3g}, w₂ %{y:.3g}<extra>" + lane.label + "</extra>",
                )
            )
    for k, lane in enumerate(view.lanes):
        styles.append(dict(mode="lines", line=dict(color=lane.colour, width=3, dash=lane.dash), showlegend=False, hoverinfo="skip"))
        # Earlier lanes' heads are drawn larger, so at the start (every run at the same
        # point) each lane's marker still shows around the next one's.
        styles.append(
            dict(
                mode="markers",
                marker=dict(color=lane.colour, size=20 - 7 * k / max(n - 1, 1), line=dict(color="white", width=2), symbol=lane.symbol),
                showlegend=False,
                hoverinfo="skip",
            )
        )
    for trace, style in zip(first, styles):
        trace.update(style)
    data.extend(first)
    moving_ids = list(range(static, static + len(first)))
    frames = [dict(name=str(int(step)), data=moving(f), traces=moving_ids) for f, step in enumerate(view.frame_steps)]

    annotations = [
        dict(text=_("the whole run"), xref="x domain", yref="y domain", x=0.01, y=0.99, showarrow=False, xanchor="left", yanchor="top", font=theme.LABEL),
        dict(
            text=_("close-up of the minimum, ×{zoom:.0f}", zoom=view.extent[0] / view.zoom[0]),
            xref="x2 domain", yref="y2 domain", x=0.01, y=0.99, showarrow=False, xanchor="left", yanchor="top",
            font=theme.LABEL, bgcolor="rgba(255,255,255,0.85)",
        ),
    ]  # fmt: skip
    gone = [lane for lane in view.lanes if lane.diverged_first >= 0]
    for i, lane in enumerate(gone):
        annotations.append(
            dict(
                text=f"<b>{_runs_label(lane)}</b>",
                xref="x domain", yref="y domain", x=0.5, y=0.82 - 0.16 * i,
                showarrow=False, font=dict(color=lane.colour, size=16), bgcolor="rgba(255,255,255,0.9)",
            )
        )  # fmt: skip
    # Play and Pause in a row of their own, under the step scrubber; the speed beside them
    # (charts.js plays at it: Space, the arrow keys and Play all use it).
    play = dict(
        type="buttons",
        direction="left",
        x=0.0,
        y=-0.27,
        xanchor="left",
        yanchor="top",
        pad=dict(t=0, r=10),
        showactive=False,
        font=dict(size=15),
        buttons=[
            dict(
                label=_("▶ Play"),
                method="animate",
                args=[None, dict(frame=dict(duration=FRAME_MS, redraw=False), fromcurrent=False, transition=dict(duration=0), mode="immediate")],
            ),
            dict(
                label=_("❚❚ Pause"),
                method="animate",
                args=[[None], dict(frame=dict(duration=0, redraw=False), transition=dict(duration=0), mode="immediate")],
            ),
        ],
    )
    speed = dict(
        type="buttons",
        name="speed",
        direction="left",
        x=1.0,
        y=-0.27,
        xanchor="right",
        yanchor="top",
        pad=dict(t=0),
        showactive=True,
        active=SPEEDS.index(1.0),
        font=dict(size=14),
        # Each plays on from the frame shown at its speed (also in a downloaded HTML file).
        buttons=[
            dict(
                label=_speed_label(v),
                method="animate",
                args=[None, dict(frame=dict(duration=FRAME_MS / v, redraw=False), fromcurrent=True, transition=dict(duration=0), mode="immediate")],
            )
            for v in SPEEDS
        ],
    )
    scrubber = dict(
        active=last,
        x=0.0,
        len=1.0,
        y=-0.05,
        yanchor="top",
        pad=dict(t=0, b=0),
        currentvalue=_current_value(),
        # No tick labels: ~35 log-spaced steps do not fit; the current step is written above.
        font=dict(size=13, color="rgba(0,0,0,0)"),
        ticklen=4,
        minorticklen=0,
        transition=dict(duration=0),
        steps=[
            dict(
                label=str(int(step)),
                method="animate",
                args=[[str(int(step))], dict(frame=dict(duration=0, redraw=False), mode="immediate", transition=dict(duration=0))],
            )
            for step in view.frame_steps
        ],
    )
    zx, zy = view.zoom
    ex, ey = view.extent
    # Equal aspect by widening ranges ("range"), not shrinking plot areas: the latter
    # costs the browser more than everything else in this figure together.
    layout = theme.base_layout(
        height=660,
        margin=dict(l=55, r=10, t=50 + 22 * max(0, (n + 1) // 2 - 1), b=175),
        xaxis=theme.axis(range=[centre[0] - ex, centre[0] + ex], constrain="range", anchor="y"),
        yaxis=theme.axis("w₂", 4, range=[centre[1] - ey, centre[1] + ey], scaleanchor="x", constrain="range", domain=[0.62, 1.0], anchor="x"),
        xaxis2=theme.axis("w₁", 2, range=[centre[0] - zx, centre[0] + zx], constrain="range", anchor="y2"),
        yaxis2=theme.axis("w₂", 4, range=[centre[1] - zy, centre[1] + zy], scaleanchor="x2", constrain="range", domain=[0.0, 0.54], anchor="x2"),
        updatemenus=[play, speed],
        sliders=[scrubber],
        annotations=annotations,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, font=dict(size=15), traceorder="normal"),
        # For charts.js: the speeds, and what the loss chart's step marker says at each frame.
        meta=dict(playback=dict(frame_ms=FRAME_MS, speeds=SPEEDS), readout=readouts(view)),
    )
    return _figure(data, layout, frames)


FRAME_MS = 300  # a frame's time at 1x: the ~26 log-spaced frames of the default race take about 8 s
SPEEDS = [0.25, 0.5, 1.0, 2.0, 4.0]


def _current_value() -> dict:
    """The scrubber's "step 120": one template, cut around the step (Chinese puts words on both sides)."""
    prefix, _field, suffix = _("step {step}").partition("{step}")
    out = dict(prefix=prefix, xanchor="right", font=dict(size=16))
    if suffix:
        out["suffix"] = suffix
    return out


def _speed_label(v: float) -> str:
    return {0.25: "¼×", 0.5: "½×"}.get(v, f"{v:g}×")


def readouts(view: RaceView) -> list[str]:
    """The step marker's text at each frame: the step, and each lane's mean loss there."""
    head, line = _("<b>step {step:,}</b>, mean loss of the runs"), _("{lane}: {loss}")
    return [
        head.format(step=int(step)) + "<br>" + "<br>".join(line.format(lane=lane.label, loss=number(float(lane.frame_loss[f]))) for lane in view.lanes)
        for f, step in enumerate(view.frame_steps)
    ]


# --------------------------------------------------------------------------- the race: curves


def race_curves(view: RaceView, marks: RaceMarks | None = None) -> PrebuiltFigure:
    """Loss (top) and learning rate (bottom) against the step, sharing the x axis.

    ``marks`` (the race's optimizer's theory, :func:`lrcore.race.race_marks`) adds the
    fastest noise-free rates to the rate panel.
    """
    data: list[dict] = []
    start_loss = max(float(np.nanmax(lane.mean)) for lane in view.lanes)
    theory_named = False
    for k, lane in enumerate(view.lanes):
        x, band_x = _wire(lane.loss_steps), _wire(lane.band_steps)
        # The band between two invisible edges; an infinite upper edge (runs gone to
        # infinity) is drawn off the top of the chart.
        high = np.where(np.isposinf(lane.band[1]), 1e30, lane.band[1])
        data.append(_trace(band_x, _wire(_positive(high)), line=dict(width=0)))
        data.append(_trace(band_x, _wire(_positive(lane.band[0])), line=dict(width=0), fill="tonexty", fillcolor=_rgba(lane.colour, 0.16)))
        data.append(
            _trace(
                x,
                _wire(_positive(lane.mean)),
                line=dict(color=lane.colour, width=3.5, dash=lane.dash),
                name=_("{lane} (mean of surviving runs)", lane=lane.label) if lane.diverged_share > 0 else lane.label,
                legendrank=k + 1,
                hovertemplate=_("step %{x}<br>mean loss %{y:.3g}") + "<extra>" + lane.label + "</extra>",
            )
        )
        if lane.expected is not None and np.isfinite(lane.expected).any():
            exact = _trace(
                _wire(lane.theory_steps),
                _wire(_positive(lane.expected)),
                line=dict(color="#222", width=1.8, dash="dot"),
                legendgroup="theory",
                legendrank=20,
                hovertemplate=_("step %{x}<br>expected %{y:.3g}") + "<extra>" + _("exact, {lane}", lane=lane.label) + "</extra>",
            )
            if not theory_named:
                exact.update(name=_("exact expected loss"), showlegend=True)
                theory_named = True
            data.append(exact)
    shapes, annotations = [], []
    bounds = sorted({lane.bound for lane in view.lanes if lane.bound is not None})
    for b in bounds:
        # Danger first, so the rate lines are drawn over it.
        shapes.append(_hline(b, "y2", theme.DANGER, "dash", 2))
        shapes.append(dict(type="rect", xref="x domain", yref="y2", x0=0, x1=1, y0=b, y1=b * 1000, fillcolor=theme.DANGER_FILL, line=dict(width=0), layer="below"))
    if len(bounds) == 1:
        data.append(_legend_line(_("stability bound {bound:.3g}: runs diverge above it", bound=bounds[0]), theme.DANGER, "dash", rank=30))
    danger_named = False
    for lane in view.lanes:
        if lane.above_bound:
            above = np.where(lane.lr >= lane.bound, lane.lr, np.nan)
            danger = _trace(_wire(lane.lr_steps), _wire(above), ("x", "y2"), line=dict(color=theme.DANGER, width=9), opacity=0.25, name=_("dangerous: rate above the bound"), legendrank=31)
            danger["showlegend"] = not danger_named
            danger_named = True
            data.append(danger)
    for lane in view.lanes:
        data.append(
            _trace(
                _wire(lane.lr_steps),
                _wire(_positive(lane.lr)),
                ("x", "y2"),
                line=dict(color=lane.colour, width=3.5, dash=lane.dash),
                hovertemplate=_("step %{x}<br>rate %{y:.3g}") + "<extra>" + lane.label + "</extra>",
            )
        )
    for lane in view.lanes:
        if _has_floor(lane):
            shapes.append(_hline(lane.floor, "y", lane.colour, "dash", 2.5))
            annotations.append(_label(_("noise floor of {lane} ≈ {floor:.3g}", lane=lane.label, floor=lane.floor), lane.floor, "y", lane.colour, "above"))
    if marks is not None:
        fast = marks.fastest
        if fast.single:
            shapes.append(_hline(fast.low, "y2", theme.OPTIMAL, "dot", 2.5))
            data.append(_legend_line(_("fastest rate without noise {rate:.3g}", rate=fast.low), theme.OPTIMAL, "dot", rank=32))
        else:
            shapes.append(dict(type="rect", xref="x domain", yref="y2", x0=0, x1=1, y0=fast.low, y1=fast.high, fillcolor=_rgba(theme.OPTIMAL, 0.10), line=dict(width=0), layer="below"))
            data.append(_legend_line(_("fastest rates without noise {low:.2g}–{high:.2g}", low=fast.low, high=fast.high), theme.OPTIMAL, "solid", rank=32))
    for i, lane in enumerate(l for l in view.lanes if l.diverged_first >= 0):
        step = lane.diverged_first
        shapes.append(dict(type="line", xref="x", yref="paper", x0=step, x1=step, y0=0, y1=1, line=dict(color=lane.colour, width=2, dash="dot")))
        annotations.append(
            dict(
                text=_runs_label(lane), x=step, xref="x", y=1.0 - 0.06 * i, yref="paper", showarrow=False,
                xanchor="left", font=dict(color=lane.colour, size=15), bgcolor="rgba(255,255,255,0.85)",
            )
        )  # fmt: skip
    rates = np.concatenate([lane.lr for lane in view.lanes])
    lr_values = rates[np.isfinite(rates) & (rates > 0)]
    lr_lo = float(lr_values.min()) if lr_values.size else 1e-4
    marks_hi = [marks.fastest.high] if marks is not None else []
    lr_hi = max([float(lr_values.max()) if lr_values.size else 1.0] + bounds + marks_hi)
    if marks is not None:
        lr_lo = min(lr_lo, marks.fastest.low)
    # Loss axis: from the lowest value drawn (but not below 1e-12 of the start, where
    # float round-off is all that is left) to a little above the start. A diverging run
    # (or the expectation of one) leaves the chart upwards; the labels say what happened.
    drawn = [lane.mean for lane in view.lanes] + [lane.band[0] for lane in view.lanes]
    drawn += [lane.expected for lane in view.lanes if lane.expected is not None]
    positive = np.concatenate([np.ravel(a) for a in drawn])
    positive = positive[np.isfinite(positive) & (positive > 0)]
    loss_lo = max(float(positive.min()) if positive.size else start_loss / 100, 1e-12 * start_loss)
    loss_range = [np.log10(loss_lo) - 0.2, np.log10(max(start_loss, loss_lo)) + 0.6]
    # The step marker: where the plane's animation is (charts.js moves it, frame by frame).
    last_step = float(view.frame_steps[-1])
    marker = dict(shape=len(shapes), annotation=len(annotations))
    shapes.append(dict(type="line", xref="x", yref="paper", x0=last_step, x1=last_step, y0=0, y1=1, line=dict(color="#444", width=1.5)))
    annotations.append(
        dict(
            text=readouts(view)[-1], x=0.03, xref="x domain", y=0.99, yref="paper", yanchor="top", xanchor="left", align="left",
            showarrow=False, font=dict(size=14, color="#222"), bgcolor="rgba(255,255,255,0.85)",
        )
    )  # fmt: skip
    layout = theme.base_layout(
        height=640,
        margin=dict(l=80, r=15, t=90 + 22 * max(0, (len(view.lanes) + 1) // 2 - 1), b=55),
        xaxis=theme.axis(_("step (update)"), 6, anchor="y2"),
        yaxis=theme.axis(_("loss"), type="log", domain=[0.45, 1.0], exponentformat="power", range=loss_range),
        yaxis2=theme.axis(
            _("learning rate"), type="log", domain=[0.0, 0.36], range=[np.log10(lr_lo) - 0.3, np.log10(lr_hi) + 0.8], exponentformat="power"
        ),
        shapes=shapes,
        annotations=annotations,
        hovermode="x",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, font=dict(size=14), traceorder="normal"),
        meta=dict(marker=marker),
    )
    return _figure(data, layout)


def _legend_line(name: str, colour: str, dash: str, rank: int) -> dict:
    """A legend entry for a reference line drawn as a shape (shapes have no legend)."""
    return dict(
        type="scatter", x=[None], y=[None], mode="lines", line=dict(color=colour, dash=dash, width=2.5),
        name=name, showlegend=True, legendrank=rank, hoverinfo="skip", xaxis="x", yaxis="y2",
    )  # fmt: skip


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _hline(y: float, yref: str, colour: str, dash: str, width: float) -> dict:
    return dict(type="line", xref="x domain", x0=0, x1=1, yref=yref, y0=y, y1=y, line=dict(color=colour, dash=dash, width=width))


def _label(text: str, y: float, yref: str, colour: str, side: str, x: float = 0.99, anchor: str = "right") -> dict:
    return dict(
        text=text,
        xref="x domain",
        x=x,
        xanchor=anchor,
        yref=yref,
        y=float(np.log10(y)),
        yanchor="bottom" if side == "above" else "top",
        showarrow=False,
        font=dict(color=colour, size=15),
        bgcolor="rgba(255,255,255,0.75)",
    )


def rate_ruler(lr: float, marks: RaceMarks | None, high: float, scale: float = 1.0) -> str:
    """The learning-rate slider's marks, as HTML to sit under the slider on its scale.

    The runs' rate ``lr`` (◆), the unstable zone beyond the stability bound, the fastest
    noise-free rate (▲, or a band where momentum has an interval of them) and the best
    constant rate for this race (●). Marks are rates the runs use; with the k/√B rule on,
    the slider's value is ``scale`` times the runs' rate, so each mark is placed where the
    slider gives that rate. ``marks`` is None where the theory does not apply. HTML rather
    than a chart: it is the slider's decoration and costs the browser nothing to redraw.
    """

    def at(x: float) -> str:
        return f"{100 * min(max(x * scale / high, 0.0), 1.0):.2f}%"

    parts = ['<div style="position:relative;height:70px;margin:0 10px 6px 10px;font-size:14px;color:#444">']
    parts.append('<div style="position:absolute;left:0;right:0;top:25px;height:2px;background:#c8c8c8"></div>')
    if marks is not None:
        bound, fast = marks.bound, marks.fastest
        parts.append(
            f'<div style="position:absolute;left:{at(bound)};right:0;top:12px;height:28px;background:rgba(0,0,0,0.12);'
            'display:flex;align-items:center;justify-content:center">' + _("diverges") + "</div>"
            f'<div style="position:absolute;left:{at(bound)};top:6px;height:40px;border-left:3px solid {theme.DANGER}"></div>'
            f'<div style="position:absolute;left:{at(bound)};top:-14px;padding-left:4px;white-space:nowrap">' + _("stability bound {bound}", bound=f"{bound:.3g}") + "</div>"
        )
        if fast.single:
            parts.append(
                f'<div style="position:absolute;left:{at(fast.low)};top:14px;transform:translateX(-50%);color:{theme.OPTIMAL};'
                'font-size:20px;line-height:20px">▲</div>'
                # Ends at the mark; on a narrow screen it wraps upwards rather than leaving the page.
                f'<div style="position:absolute;right:calc(100% - {at(fast.low)});max-width:{at(fast.low)};bottom:52px;'
                f'padding-right:6px;text-align:right;line-height:1.15;color:{theme.OPTIMAL}">' + _("fastest without noise {rate:.3g}", rate=fast.low) + "</div>"
            )
        else:
            parts.append(
                f'<div style="position:absolute;left:{at(fast.low)};width:calc({at(fast.high)} - {at(fast.low)});top:20px;'
                f'height:12px;background:{theme.OPTIMAL};opacity:0.35"></div>'
                f'<div style="position:absolute;left:{at(fast.low)};top:-14px;color:{theme.OPTIMAL};white-space:nowrap">'
                + _("fastest without noise: {low:.2g} to {high:.2g}", low=fast.low, high=fast.high) + "</div>"
            )
        parts.append(
            f'<div style="position:absolute;left:{at(marks.best)};top:15px;transform:translateX(-50%);color:{theme.OPTIMAL};'
            'font-size:18px;line-height:18px">●</div>'
            f'<div style="position:absolute;left:{at(marks.best)};top:34px;padding-left:2px;color:{theme.OPTIMAL};'
            f'white-space:nowrap">' + _("best for this race {rate:.2g}", rate=marks.best) + "</div>"
        )
    title = _("learning rate {lr:.3g}", lr=lr)
    parts.append(
        f'<div style="position:absolute;left:{at(lr)};top:13px;transform:translateX(-50%);color:{theme.lane_colour(0)};'
        f'font-size:24px;line-height:24px" title="{title}">◆</div>'
    )
    for x in np.linspace(0, high, 6):
        parts.append(f'<div style="position:absolute;left:{100 * x / high:.2f}%;top:52px;transform:translateX(-50%);font-size:14px;color:#555">{x:g}</div>')
    parts.append("</div>")
    return "".join(parts)


# --------------------------------------------------------------------------- schedule curves


def schedule_curves(
    curves: list[tuple[str, np.ndarray, np.ndarray]],
    x_title: str | None = None,
    log_y: bool = False,
    height: int = 480,
    vlines: list[tuple[float, str]] | None = None,
    from_zero: bool = True,
    colours: list[str] | None = None,
) -> PrebuiltFigure:
    """Overlaid rate curves ``(name, x, rate)``, each in its own colour and dash.

    ``from_zero=False`` lets the axis hug the curves (a slow decay then shows its steps);
    ``colours`` keeps a run in the colour it has elsewhere on the page.
    """
    palette = colours or theme.SERIES
    x_title = _("step") if x_title is None else x_title
    # Braces doubled: Plotly's own %{x} fields pass through the format unchanged.
    hover = _("{axis} %{{x}}<br>rate %{{y:.6g}}", axis=x_title)
    data = []
    for i, (name, x, y) in enumerate(curves):
        data.append(
            dict(
                type="scatter",
                x=_wire(x),
                y=_wire(_positive(y) if log_y else y),
                mode="lines",
                line=dict(color=palette[i % len(palette)], dash=theme.DASHES[i % len(theme.DASHES)], width=3, shape="linear"),
                name=name,
                hovertemplate=hover + "<extra>" + name + "</extra>",
            )
        )
    shapes, annotations = [], []
    for x, text in vlines or []:
        shapes.append(dict(type="line", x0=x, x1=x, yref="paper", y0=0, y1=1, line=dict(color="#777", dash="dot", width=1.5)))
        annotations.append(dict(x=x, y=0.02, yref="paper", text=text, showarrow=False, xanchor="left", yanchor="bottom", font=dict(size=15, color="#444")))
    layout = theme.base_layout(
        height=height,
        xaxis=theme.axis(x_title),
        yaxis=theme.axis(
            _("learning rate (log)") if log_y else _("learning rate"),
            type="log" if log_y else "linear",
            exponentformat="power",
            rangemode="tozero" if from_zero and not log_y else "normal",
        ),
        hovermode="x unified",
        shapes=shapes,
        annotations=annotations,
    )
    return _figure(data, layout)


def loss_by_epoch(curves: list[tuple[str, np.ndarray, np.ndarray, str, str]], floor: float | None = None) -> PrebuiltFigure:
    """Loss curves ``(name, epoch, loss, colour, dash)`` on a log axis."""
    data = [
        dict(
            type="scatter",
            x=_wire(x),
            y=_wire(_positive(y)),
            mode="lines",
            line=dict(color=colour, dash=dash, width=3.5),
            name=name,
            hovertemplate=_("epoch %{x:.2f}<br>loss %{y:.4g}") + "<extra>" + name + "</extra>",
        )
        for name, x, y, colour, dash in curves
    ]
    shapes, annotations = [], []
    if floor is not None:
        shapes.append(_hline(floor, "y", "#555", "dot", 1.5))
        annotations.append(_label(_("best possible (least-squares) loss {floor:.4g}", floor=floor), floor, "y", "#555", "below"))
    layout = theme.base_layout(
        height=420,
        xaxis=theme.axis(_("epoch")),
        yaxis=theme.axis(_("excess loss (log)"), type="log", exponentformat="power"),
        shapes=shapes,
        annotations=annotations,
        hovermode="x unified",
    )
    return _figure(data, layout)


def net_curves(view: NetView, colours: tuple[str, str] = (theme.CONSTANT, theme.DECAYED), labels: tuple[str, str] | None = None) -> PrebuiltFigure:
    """The network's training against the step: loss (top), accuracy (middle), rate (bottom).

    Each lane: the mean over seeds (thick) and the band from its lowest to its highest seed.
    The rate panel (linear: the staircase's drops show as steps) draws the rate the torch
    optimizer applied, with lrcore's schedule dotted on top of it (the page says how
    closely they agree). ``labels`` names the lanes in the page's language (the cached
    result holds lrcore's English names).
    """
    r = view.result
    labels = labels or r.labels
    dashes = ("solid", "dash")
    x = _wire(view.steps)
    data: list[dict] = []
    hovers = (_("step %{x}<br>mean loss %{y:.4f}"), _("step %{x}<br>mean accuracy %{y:.1%}"))
    for panel, (values, axis) in enumerate(((view.loss, "y"), (view.accuracy, "y2"))):
        for k in range(2):
            low, mean, high = values[k]
            data.append(_trace(x, _wire(high), ("x", axis), line=dict(width=0)))
            data.append(_trace(x, _wire(low), ("x", axis), line=dict(width=0), fill="tonexty", fillcolor=_rgba(colours[k], 0.18)))
            trace = _trace(
                x, _wire(mean), ("x", axis),
                line=dict(color=colours[k], width=3.5, dash=dashes[k]),
                hovertemplate=hovers[panel] + f"<extra>{labels[k]}</extra>",
            )  # fmt: skip
            if panel == 0:
                trace.update(name=_("{lane} (mean of {seeds} seeds)", lane=labels[k], seeds=r.config.seeds), showlegend=True, legendrank=k + 1)
            data.append(trace)
    rx = _wire(view.rate_steps)
    for k in range(2):
        data.append(
            _trace(
                rx, _wire(view.rate_used[k]), ("x", "y3"),
                line=dict(color=colours[k], width=3.5, dash=dashes[k]),
                hovertemplate=_("update %{x}<br>rate %{y:.6g}") + "<extra>" + labels[k] + " (torch)</extra>",
            )
        )  # fmt: skip
    data.append(_trace(rx, _wire(view.rate[1]), ("x", "y3"), line=dict(color="#222", width=1.5, dash="dot"), name=_("lrcore's schedule"), showlegend=True, legendrank=3))
    spe = r.config.steps_per_epoch
    layout = theme.base_layout(
        height=720,
        margin=dict(l=80, r=15, t=70, b=55),
        xaxis=theme.axis(_("step (update; {spe} per epoch)", spe=spe), 6, anchor="y3"),
        yaxis=theme.axis(_("training loss"), domain=[0.56, 1.0]),
        yaxis2=theme.axis(_("accuracy"), domain=[0.29, 0.5], tickformat=".0%"),
        yaxis3=theme.axis(_("learning rate"), domain=[0.0, 0.23], rangemode="tozero"),
        hovermode="x",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, font=dict(size=14), traceorder="normal"),
    )
    return _figure(data, layout)


def payload_bytes(fig: go.Figure) -> int:
    """Size of what Streamlit sends to the browser for this figure (its JSON spec)."""
    import plotly.io

    return len(plotly.io.to_json(fig.to_dict(), validate=False).encode())
