"""Downloads: the curves on screen as CSV, the race's animation as one HTML file, the figures as PNG.

Builders are plain functions (arrays or figures in, bytes out; no Streamlit), so they are
tested directly. :func:`download_row` draws the buttons; each button's data is a callable
(``st.download_button(data=callable)``), which Streamlit runs only when the button is
pressed, on a thread of its own: a slider move builds nothing, it only registers the
callables.

* CSV: the arrays the page draws, exactly (float64, each as its shortest exact repr), one row per
  step that any of a lane's curves is drawn at; a cell is empty where that curve has no
  point.
* HTML: Plotly's ``to_html`` with the installed package's plotly.js inlined, so the file
  plays on a machine with no network (a projector's laptop, a slide deck).
* PNG: Kaleido (Plotly's image export) driving the system's Chromium, with the installed
  plotly.js and MathJax off (Kaleido's defaults load MathJax from a CDN and look for a Chrome
  it downloaded itself), and a Chromium that resolves no host name (:data:`OFFLINE_FLAGS`).
  ``plotly.io.to_image`` cannot turn MathJax off (it passes only a truthy setting on), so
  this calls Kaleido itself. Where it cannot run, the button says why.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import copy
import importlib.util
import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from ui import figures, i18n
from ui.charts import PLOTLY_JS, spec_of
from ui.i18n import _

CHROMIUM = os.environ.get("LRLAB_CHROMIUM", "/usr/bin/chromium")
PNG_SIZE = (1920, 1080)  # a projector's full HD
PNG_SCALE = 1.5  # layout pixels are 1280 x 720: the figures' fonts keep their size on a slide
RENDER_TIMEOUT = 90.0  # seconds, a first render included (Chromium's start and plotly.js' parse)
IDLE_SECONDS = 300.0  # the renderer's Chromium is closed after this long without a PNG


# --------------------------------------------------------------------------- CSV


def _csv(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)  # floats as their shortest exact repr: they read back bit for bit
    return buffer.getvalue().encode()


def _on(grid: np.ndarray, steps: np.ndarray, values: np.ndarray | None) -> np.ndarray:
    """``values`` (given at ``steps``) placed on ``grid``; NaN (an empty cell) elsewhere."""
    out = np.full(len(grid), np.nan)
    if values is not None:
        out[np.searchsorted(grid, steps)] = values
    return out


# Column headers stay English identifiers in every language: a CSV is read by code (pandas,
# a spreadsheet's formulas), and one header set keeps files from both languages comparable.
# The cells a student named (lanes, curves, charts) are in the page's language.
RACE_COLUMNS = ["lane", "step", "learning_rate", "mean_loss", "band_10", "band_90", "expected_loss", "stability_bound", "noise_floor"]


def race_frame(view) -> pd.DataFrame:
    """Every curve of the race's loss and rate chart, lane by lane, as a table.

    ``mean_loss`` is the mean over the surviving runs, ``band_10``/``band_90`` the band that
    holds 80% of the runs (``inf`` once runs diverged), ``expected_loss`` the exact
    expectation where the theory covers the lane, ``learning_rate`` the rate of the update
    at that step. The stability bound and the noise floor are the chart's horizontal lines
    (empty where the chart draws none).
    """
    parts = []
    for lane in view.lanes:
        steps = (lane.loss_steps, lane.band_steps, lane.lr_steps) + ((lane.theory_steps,) if lane.expected is not None else ())
        grid = np.unique(np.concatenate([np.asarray(s, dtype=np.int64) for s in steps]))
        floor = lane.floor if figures._has_floor(lane) else np.nan
        parts.append(
            pd.DataFrame(
                {
                    "lane": lane.label,
                    "step": grid,
                    "learning_rate": _on(grid, lane.lr_steps, lane.lr),
                    "mean_loss": _on(grid, lane.loss_steps, lane.mean),
                    "band_10": _on(grid, lane.band_steps, lane.band[0]),
                    "band_90": _on(grid, lane.band_steps, lane.band[1]),
                    "expected_loss": _on(grid, lane.theory_steps, lane.expected),
                    "stability_bound": np.nan if lane.bound is None else lane.bound,
                    "noise_floor": floor,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[RACE_COLUMNS]


def race_csv(view) -> bytes:
    """:func:`race_frame` as CSV bytes."""
    return _csv(race_frame(view))


def curves_frame(charts: dict[str, list[tuple[str, np.ndarray, np.ndarray]]], x_name: str = "x") -> pd.DataFrame:
    """Curves ``{chart: [(curve, x, y), ...]}`` as one long table: chart, curve, x, value."""
    parts = [
        pd.DataFrame({"chart": chart, "curve": name, x_name: np.asarray(x, dtype=np.float64), "value": np.asarray(y, dtype=np.float64)})
        for chart, curves in charts.items()
        for name, x, y in curves
    ]
    return pd.concat(parts, ignore_index=True)


def curves_csv(charts: dict[str, list[tuple[str, np.ndarray, np.ndarray]]], x_name: str = "x") -> bytes:
    return _csv(curves_frame(charts, x_name))


def rates_csv(rates: dict[str, np.ndarray], steps_per_epoch: int) -> bytes:
    """Every step's rate of each schedule (the gallery's table, at every step): step, epoch, lr_<name>, ...

    Rate columns are prefixed: a schedule is called ``step``.
    """
    horizon = len(next(iter(rates.values())))
    steps = np.arange(horizon)
    return _csv(pd.DataFrame({"step": steps, "epoch": steps // steps_per_epoch} | {f"lr_{name}": r for name, r in rates.items()}))


# --------------------------------------------------------------------------- HTML


def animation_html(fig: Any, title: str | None = None) -> bytes:
    """One self-contained HTML page that draws ``fig`` and plays its frames offline.

    plotly.js is inlined from the installed package (``include_plotlyjs=True``), no MathJax,
    no toolbar button that sends the chart to Plotly's cloud: the file asks nothing of the network.
    """
    import plotly.io as pio

    spec = spec_of(fig)
    title = _("Learning-Rate Decay Lab") if title is None else title
    html = pio.to_html(
        spec,
        include_plotlyjs=True,
        include_mathjax=False,
        full_html=True,
        validate=False,
        auto_play=False,
        default_height=f"{spec.get('layout', {}).get('height', 660)}px",
        # No "Share chart" button: it uploads the figure to Plotly's cloud.
        config={"displaylogo": False, "showSendToCloud": False, "responsive": True, "toImageButtonOptions": {"filename": "decay_race"}},
    )
    html = html.replace('<meta charset="utf-8" />', f'<meta charset="utf-8" />\n    <title>{title}</title>', 1)
    return html.encode("utf-8")


# --------------------------------------------------------------------------- PNG


def still(fig: Any) -> dict:
    """The figure as a picture: no frames, Play button or scrubber, and no room kept for them."""
    spec = copy.deepcopy(spec_of(fig))
    spec.pop("frames", None)
    layout = spec.setdefault("layout", {})
    controls = [layout.pop(name, None) for name in ("sliders", "updatemenus")]
    if any(controls):
        layout["margin"] = {**layout.get("margin", {}), "b": 60}
    return spec


def png_unavailable() -> str | None:
    """Why PNGs cannot be made on this machine, or None."""
    if importlib.util.find_spec("kaleido") is None:
        return _("PNG export needs the kaleido package (pip install -r requirements.txt).")
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return _("PNG export draws the figure in Chromium, which is not installed at {path} (apt-get install chromium).", path=CHROMIUM)
    return None


# Chromium, as Kaleido starts it, talks to Google at start-up (component and extension
# updates, network time, accounts, model downloads: some of it ignores the flags that should
# stop it) and its new-tab page preconnects to a search engine. None of it is needed to draw,
# so no host name resolves (no DNS query, no connection: nothing leaves the machine), and the
# first tab is a blank page. The figure's own page only loads files (plotly.js, Kaleido's script).
OFFLINE_FLAGS = (
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-extensions",
    "--no-pings",
    "--dns-prefetch-disable",
    "--disable-features=OptimizationHints,OptimizationGuideModelDownloading,NetworkTimeServiceQuerying,MediaRouter,Translate",
    "about:blank",
)


def _offline_chromium():
    """choreographer's Chromium, started with :data:`OFFLINE_FLAGS` (Kaleido passes ``browser_cls`` on)."""
    from choreographer.browsers.chromium import Chromium

    class OfflineChromium(Chromium):
        def get_cli(self):
            return [*super().get_cli(), *OFFLINE_FLAGS]

    return OfflineChromium


class _Renderer:
    """One Kaleido (one headless Chromium) on an event loop of its own, shared by the server.

    Chromium's start and its first parse of plotly.js take seconds; later figures take a
    fraction of one. So the browser is started at the first PNG asked for, kept, and closed
    after :data:`IDLE_SECONDS` without one (and at exit). One figure at a time.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.kaleido = None
        self.closer: asyncio.TimerHandle | None = None
        self.registered = False  # close at exit

    def _start_loop(self) -> asyncio.AbstractEventLoop:
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
            threading.Thread(target=self.loop.run_forever, name="lrlab-png", daemon=True).start()
        return self.loop

    async def _render(self, spec: dict, opts: dict) -> bytes:
        if self.closer is not None:
            self.closer.cancel()
        if self.kaleido is None:
            import kaleido

            k = kaleido.Kaleido(
                path=CHROMIUM, browser_cls=_offline_chromium(), plotlyjs=str(PLOTLY_JS), mathjax=False, timeout=RENDER_TIMEOUT
            )
            try:
                await k.open()
            except BaseException:
                with contextlib.suppress(Exception):
                    await k.close()
                raise
            self.kaleido = k
            if not self.registered:  # after Kaleido's temporary folders exist, so this runs before their finalizers
                atexit.register(self.close)
                self.registered = True
        try:
            return await self.kaleido.calc_fig(spec, opts=opts)
        except BaseException:
            await self._close()  # a browser in an unknown state: start afresh next time
            raise
        finally:
            self.closer = asyncio.get_running_loop().call_later(IDLE_SECONDS, lambda: asyncio.ensure_future(self._close()))

    async def _close(self) -> None:
        k, self.kaleido = self.kaleido, None
        if k is not None:
            with contextlib.suppress(Exception):  # it is going anyway
                await k.close()

    def render(self, spec: dict, opts: dict) -> bytes:
        with self.lock:
            loop = self._start_loop()
            future = asyncio.run_coroutine_threadsafe(self._render(spec, opts), loop)
            try:
                return future.result(RENDER_TIMEOUT + 30)
            except TimeoutError:
                future.cancel()  # the render closes its browser on the way out
                raise RuntimeError(_("Chromium took more than {seconds:.0f} s to draw the figure.", seconds=RENDER_TIMEOUT + 30)) from None
            except Exception as err:  # say what failed, not how to download a Chrome (it cannot work offline)
                first = err.args[0] if err.args else type(err).__name__
                raise RuntimeError(_("Chromium at {path} could not draw the figure: {error}", path=CHROMIUM, error=first)) from err

    def close(self) -> None:
        if self.loop is not None and self.kaleido is not None:
            asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(30)


_renderer = _Renderer()


def figure_png(fig: Any, width: int = PNG_SIZE[0], height: int = PNG_SIZE[1], scale: float = PNG_SCALE) -> bytes:
    """``fig`` (a :func:`still` of it) as a ``width`` x ``height`` PNG, drawn by plotly.js in Chromium.

    The layout is ``width/scale`` x ``height/scale`` pixels, drawn ``scale`` times finer.
    Raises RuntimeError saying why where it cannot run (:func:`png_unavailable`).
    """
    why = png_unavailable()
    if why:
        raise RuntimeError(why)
    spec = still(fig)
    spec["layout"] = {**spec.get("layout", {}), "width": width / scale, "height": height / scale}
    return _renderer.render(spec, dict(format="png", width=width / scale, height=height / scale, scale=scale))


# --------------------------------------------------------------------------- the buttons


@dataclass(frozen=True)
class Download:
    """One button: what it says, how to build its file (called on press only), and why not."""

    label: str
    build: Callable[[], bytes]
    file_name: str
    mime: str
    help: str | None = None
    unavailable: str | None = None  # why this file cannot be built here (the button is disabled)


def _in_this_language(build: Callable[[], bytes]) -> Callable[[], bytes]:
    """``build``, to run in this run's language: Streamlit calls it on press, on a thread of
    its own, where the session's language cannot be read (figures and titles would be English)."""
    language = i18n.lang()

    def run() -> bytes:
        with i18n.using(language):
            return build()

    return run


def csv_download(label: str, build: Callable[[], bytes], file_name: str, help: str | None = None) -> Download:
    return Download(label, _in_this_language(build), file_name, "text/csv", help)


def _figure(figure: Any) -> Any:
    """A figure, or a function that builds one (then built on press only)."""
    return figure() if callable(figure) else figure


def html_download(label: str, figure: Any, file_name: str, help: str | None = None) -> Download:
    return Download(label, _in_this_language(lambda: animation_html(_figure(figure))), file_name, "text/html", help)


def png_download(label: str, figure: Any, file_name: str) -> Download:
    why = png_unavailable()
    width, height = PNG_SIZE
    help = why or _("{width} × {height} pixels, for a projector.", width=width, height=height)
    return Download(label, _in_this_language(lambda: figure_png(_figure(figure))), file_name, "image/png", help, why)


def download_row(items: Sequence[Download], key: str) -> None:
    """The buttons side by side, each building its file only when pressed, and a note for any that cannot."""
    import streamlit as st

    columns = st.columns(max(len(items), 4))  # a button is as wide on every page
    for i, (item, column) in enumerate(zip(items, columns)):
        column.download_button(
            item.label,
            item.build,
            file_name=item.file_name,
            mime=item.mime,
            key=f"download.{key}.{i}",
            help=item.help,
            on_click="ignore",
            icon=":material/download:",
            disabled=item.unavailable is not None,
            width="stretch",
        )
    notes = list(dict.fromkeys(item.unavailable for item in items if item.unavailable))
    if notes:
        st.caption(" ".join(notes))


def race_downloads(view, marks=None) -> list[Download]:
    """The race's files: its curves, its animation, its two figures."""
    stem = "decay_race"
    return [
        csv_download(
            _("Curves (CSV)"),
            lambda: race_csv(view),
            f"{stem}_curves.csv",
            _("Per lane and step: the rate, the mean loss, the 10–90% band, the exact expected loss."),
        ),
        html_download(
            _("Animation (HTML)"),
            lambda: figures.race_plane(view),
            f"{stem}_animation.html",
            _("One file that plays in any browser with no network: for slides."),
        ),
        png_download(_("Plane (PNG)"), lambda: figures.race_plane(view), f"{stem}_plane.png"),
        png_download(_("Loss and rates (PNG)"), lambda: figures.race_curves(view, marks), f"{stem}_curves.png"),
    ]


def gallery_downloads(rates: dict[str, np.ndarray], steps_per_epoch: int, figure: Any) -> list[Download]:
    """The gallery's files: every step of every schedule shown, and its chart."""
    return [
        csv_download(_("Every step (CSV)"), lambda: rates_csv(rates, steps_per_epoch), "learning_rates.csv", _("Each schedule's rate at every step, with its epoch.")),
        png_download(_("The curves (PNG)"), figure, "schedule_gallery.png"),
    ]


def step_downloads(loss_curves, rate_curves, stairs, loss_figure: Any, rate_figure: Any, stairs_figure: Any) -> list[Download]:
    """The step page's files: its three charts' curves (x in epochs) and the charts."""
    charts = {
        _("excess loss"): [(name, x, y) for name, x, y, *_rest in loss_curves],
        _("learning rate"): list(rate_curves),
        _("staircase or smooth"): list(stairs),
    }
    return [
        csv_download(_("Curves (CSV)"), lambda: curves_csv(charts, "epoch"), "what_is_a_step_curves.csv", _("Every curve of the three charts: chart, curve, epoch, value.")),
        png_download(_("Training loss (PNG)"), loss_figure, "what_is_a_step_loss.png"),
        png_download(_("Training rate (PNG)"), rate_figure, "what_is_a_step_rate.png"),
        png_download(_("Staircase or smooth (PNG)"), stairs_figure, "what_is_a_step_staircase.png"),
    ]
