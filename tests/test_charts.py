"""The chart host's Python half: plotly.js served from the package, figures as data, one id per key."""

import json
import re

from streamlit.testing.v1 import AppTest

from tests.apptest_charts import elements, figures, payloads
from ui import charts


def test_plotly_js_is_the_installed_packages_copy_served_from_static():
    assert charts.SERVED.parent == charts.ROOT / "static"
    assert charts.SERVED.read_bytes() == charts.PLOTLY_JS.read_bytes()
    header = charts.SERVED.read_bytes()[:200].decode()
    assert re.search(r"plotly\.js v(\S+)", header).group(1) == charts.VERSION
    assert f"/app/static/plotly-{charts.VERSION}.min.js" in charts._JS and "@PLOTLY_SRC@" not in charts._JS


def test_plotly_js_is_copied_when_missing_or_different_and_old_versions_go(tmp_path):
    source = tmp_path / "plotly.min.js"
    source.write_text("/* plotly.js v9.9.9 */ window.Plotly = {};")
    target = tmp_path / "static" / "plotly-9.9.9.min.js"
    old = tmp_path / "static" / "plotly-1.0.0.min.js"
    old.parent.mkdir()
    old.write_text("old")
    charts.install_plotly_js(source, target)
    assert target.read_bytes() == source.read_bytes() and not old.exists()
    target.write_text("/* interrupted")  # a partial copy is replaced
    charts.install_plotly_js(source, target)
    assert target.read_bytes() == source.read_bytes()
    stamp = target.stat().st_mtime_ns
    charts.install_plotly_js(source, target)  # the same file is left alone
    assert target.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in target.parent.iterdir()) == ["plotly-9.9.9.min.js"]


def _page():
    import plotly.graph_objects as go
    import streamlit as st

    from ui import charts
    from ui.figures import PrebuiltFigure

    a = st.slider("a", 1, 10, 2, key="a")
    charts.plotly(PrebuiltFigure({"data": [{"type": "scatter", "y": [a, 2 * a]}], "layout": {"height": 300}}), key="first", config={"displayModeBar": False})
    charts.plotly(go.Figure(go.Bar(y=[a])), key="second", height=200)


def test_the_figure_travels_as_data_under_an_id_that_survives_reruns():
    at = AppTest.from_function(_page).run()
    assert not at.exception
    first, second = figures(at)
    assert first == {"data": [{"type": "scatter", "y": [2, 4]}], "layout": {"height": 300}}
    assert second["data"][0]["type"] == "bar" and second["data"][0]["y"] == [2]  # any Plotly figure, as JSON
    assert [json.loads(p)["config"] for p in payloads(at)] == [{"displayModeBar": False}, {}]
    assert [json.loads(p)["height"] for p in payloads(at)] == [None, 200]
    ids = [e.proto.id for e in elements(at)]
    at.slider(key="a").set_value(5).run()
    assert figures(at)[0]["data"][0]["y"] == [5, 10]
    # The element's id is the key's, whatever the figure: the browser keeps the same
    # element, so its graph is updated in place instead of mounted anew.
    assert [e.proto.id for e in elements(at)] == ids
    assert all(e.key in ("first", "second") for e in elements(at))
