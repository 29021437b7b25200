"""Plotly charts that stay on screen: one graph per key, updated in place (STYLE.md §8).

``st.plotly_chart`` derives its element's id from the figure, so every new figure is a
new element and the browser builds the graph again (``Plotly.newPlot``: axes, fonts,
layout), on every slider move. :func:`plotly` mounts a keyed Streamlit component instead:
its id is the key, so the same element, and the same graph div, survive reruns, and its
JavaScript (``charts.js``) hands each new figure to ``Plotly.react``, which redraws only
what changed. Frames are replaced with the new ones, so Play and the scrubber animate the
new data.

plotly.js is the copy inside the installed ``plotly`` package (versions always match),
copied at start-up into the app's ``static/`` folder, which Streamlit serves at
``/app/static/`` (``server.enableStaticServing``), and loaded once per page by one script
tag. Nothing comes from the network, and no websocket message carries it.

The figure spec travels as the component's JSON data, as given: no theme is applied. Tests
read it back with :func:`figure_of` (``tests/apptest_charts.py`` for AppTest).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import plotly
import plotly.io as pio
import streamlit as st
from plotly.offline import get_plotlyjs_version
from streamlit import config as st_config

from ui.i18n import _

NAME = "lrlab.plotly_chart"
ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"  # served at /app/static/ (see .streamlit/config.toml)
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
VERSION = get_plotlyjs_version()
SERVED = STATIC / f"plotly-{VERSION}.min.js"


def install_plotly_js(source: Path = PLOTLY_JS, target: Path = SERVED) -> Path:
    """Copy the package's plotly.js to ``target`` unless the same file is there already.

    The version is in the file name; a copy of another size (an interrupted copy) is
    replaced, and other versions are removed. The copy is atomic, so a server that is
    serving the file never sends half of it.
    """
    if not (target.is_file() and target.stat().st_size == source.stat().st_size):
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    for old in target.parent.glob("plotly-*.min.js"):
        if old != target:
            old.unlink(missing_ok=True)
    return target


def _served_url() -> str:
    base = (st_config.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + "/".join(part for part in (base, "app", "static", SERVED.name) if part)


install_plotly_js()
_JS = (Path(__file__).with_name("charts.js")).read_text().replace("@PLOTLY_SRC@", _served_url())
# Not style-isolated: plotly.js puts its stylesheet in the document's head, which a
# shadow root would not see.
_mount = st.components.v2.component(NAME, js=_JS, isolate_styles=False)


def spec_of(fig: Any) -> dict:
    """The JSON-ready spec of a figure: a prebuilt spec as is, any other through Plotly."""
    spec = getattr(fig, "spec", None)
    if isinstance(spec, dict):
        return spec
    if isinstance(fig, dict):
        return fig
    return json.loads(pio.to_json(fig, validate=False))


def plotly(
    fig: Any,
    key: str,
    *,
    height: int | None = None,
    config: dict | None = None,
    present: bool = False,
    autoplay: str | None = None,
    follow: str | None = None,
) -> None:
    """Draw ``fig`` in the chart keyed ``key``, updating it in place on later reruns.

    ``height`` overrides the figure's layout height; the width is the column's.
    ``config`` is plotly.js's (``displayModeBar``, ``doubleClick``, ...). ``present``
    scales the figure's fonts for a projector and turns on the keyboard. A new
    ``autoplay`` token plays the animation from the start once. ``follow`` names the chart
    whose step marker follows this chart's animation (:func:`ui.figures.race_curves`).
    """
    data = {
        "figure": spec_of(fig),
        "config": config or {},
        "height": height,
        "key": key,
        "present": present,
        "autoplay": autoplay,
        "follow": follow,
        # What charts.js itself writes, in the page's language (the browser half holds no words).
        "texts": {
            "failed": _("The chart could not be drawn: {error}"),
            "zoom": _("🔍 zoom"),
            "scroll": _("↕ scroll"),
        },
    }
    _mount(key=key, data=data, width="stretch", height="content")


def figure_of(proto: Any) -> dict | None:
    """The figure spec a chart element carries (a ``BidiComponent`` proto), or None."""
    if getattr(proto, "component_name", None) != NAME:
        return None
    return json.loads(proto.json)["figure"]
