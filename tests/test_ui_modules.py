"""The dashboard's plain-Python layer: views, figure builders, narrative, link parsers."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrcore import global_step, registry, story
from lrcore.problems import NoisyQuadratic
from lrcore.race import RaceConfig, race_marks
from ui import figures, state, views, words

CONFIGS = {
    "default": RaceConfig(),
    "diverging": RaceConfig(lr=0.25),
    "adam": RaceConfig.duel("exponential", "Adam", lr=0.05),
    "momentum": RaceConfig.duel("exponential", "momentum"),
    "plateau": RaceConfig.duel("reduce_on_plateau"),
    "long": RaceConfig(steps=100_000, runs=50),
    "rotated-curvature": RaceConfig(angle=35, noise="curvature", batch_size=16, condition_number=50),
}


@pytest.fixture(scope="module", params=list(CONFIGS))
def view(request):
    return views.compute_race_view(CONFIGS[request.param])


# --------------------------------------------------------------------------- views


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 200_000), max_points=st.integers(2, 2000), seed=st.integers(0, 10))
def test_decimate_is_bounded_and_keeps_ends_and_extremes(n, max_points, seed):
    y = np.random.default_rng(seed).standard_normal(n).cumsum()
    idx = views.decimate(n, y, max_points=max_points)
    assert len(idx) <= max(n, 0) and (n <= max_points or len(idx) <= 3 * max_points + 2)
    assert idx[0] == 0 and idx[-1] == n - 1 and np.all(np.diff(idx) > 0)
    assert y[idx].max() == y.max() and y[idx].min() == y.min()


def test_decimate_survives_gaps_and_infinities():
    y = np.linspace(1, 2, 10_000)
    y[100:200] = np.nan
    y[5000] = np.inf
    idx = views.decimate(len(y), y, max_points=100)
    assert len(idx) < 400 and np.nanmax(np.where(np.isfinite(y[idx]), y[idx], np.nan)) == 2.0


def test_contours_are_exact_level_sets():
    p = NoisyQuadratic(h=(0.5, 8.0), angle=30, minimum=(1.0, -1.0))
    rings = p.level_sets(np.array([3.0, 2.0]), levels=5, points=40)
    loss = p.loss(rings[np.isfinite(rings).all(axis=1)]).reshape(5, 40)
    np.testing.assert_allclose(loss, loss[:, :1] * np.ones((1, 40)), rtol=1e-12)
    assert np.all(np.diff(loss[:, 0]) < 0)  # nested, shrinking


def test_view_is_small_and_bounded_whatever_the_settings(view):
    assert len(view.frame_steps) <= views.MAX_FRAMES
    for lane in view.lanes:
        assert lane.clouds.shape[1] <= views.CLOUD_RUNS and lane.trail.shape[1] == views.TRAIL
        assert len(lane.loss_steps) <= 4 * views.MAX_LINE_POINTS and len(lane.lr) <= 4 * views.MAX_LINE_POINTS
        assert lane.clouds.dtype == np.float32
    assert 0 < view.zoom[0] <= view.extent[0] and 0 < view.zoom[1] <= view.extent[1]


def test_the_close_up_does_not_move_when_the_optimizer_or_the_lanes_change():
    zooms = {views.compute_race_view(CONFIGS[name]).zoom for name in ("default", "momentum")}
    zooms.add(views.compute_race_view(RaceConfig.duel("cosine", "Adam")).zoom)
    assert len(zooms) == 1


# --------------------------------------------------------------------------- figures


def test_every_figure_passes_plotlys_full_validation(view):
    for fig in (figures.race_plane(view), figures.race_curves(view)):
        validated = figures.validated(fig)  # raises on any invalid property
        assert len(validated.data) == len(fig.spec["data"])


def test_figure_payload_stays_under_a_megabyte(view):
    for fig in (figures.race_plane(view), figures.race_curves(view)):
        assert figures.payload_bytes(fig) < 1_000_000


def test_plane_opens_on_the_last_frame_and_animates_without_redraw(view):
    spec = figures.race_plane(view).spec
    frames, slider = spec["frames"], spec["layout"]["sliders"][0]
    assert [f["name"] for f in frames] == [str(int(s)) for s in view.frame_steps]
    assert slider["active"] == len(frames) - 1
    last = frames[-1]["data"][0]
    first_cloud = next(t for t in spec["data"] if t.get("legendgroup") == "lane0")
    np.testing.assert_array_equal(figures.decode(first_cloud["x"]), figures.decode(last["x"]))
    play = spec["layout"]["updatemenus"][0]["buttons"][0]["args"][1]
    assert play["frame"]["redraw"] is False and play["fromcurrent"] is False  # Play restarts from the start


def marks(config: RaceConfig):
    return race_marks(config.problem(), config.optimizers[0].build(), config.steps)


def test_curves_mark_the_floor_the_bound_and_divergence():
    default = figures.race_curves(views.compute_race_view(RaceConfig()), marks(RaceConfig())).spec
    texts = " ".join(a["text"] for a in default["layout"]["annotations"])
    legend = " ".join(t.get("name") or "" for t in default["data"] if t.get("showlegend"))
    assert "noise floor of Constant rate ≈ 0.0763" in texts
    assert "stability bound 0.2" in legend and "fastest rate without noise 0.182" in legend
    diverging = figures.race_curves(views.compute_race_view(RaceConfig(lr=0.25))).spec
    texts = " ".join(a["text"] for a in diverging["layout"]["annotations"])
    assert "all Constant rate runs diverged (first at step 17)" in texts
    assert "18% of Exponential decay runs diverged (first at step 28)" in texts
    assert any(t.get("name") == "dangerous: rate above the bound" for t in diverging["data"])
    assert any("(mean of surviving runs)" in (t.get("name") or "") for t in diverging["data"])


def test_momentum_marks_its_own_theory_not_sgds():
    spec = figures.race_curves(views.compute_race_view(CONFIGS["momentum"]), marks(CONFIGS["momentum"])).spec
    legend = " ".join(t.get("name") or "" for t in spec["data"] if t.get("showlegend"))
    assert "stability bound 0.38" in legend and "fastest rates without noise 0.0026–0.38" in legend
    assert "0.182" not in legend and "0.2:" not in legend


def test_adaptive_optimizers_get_no_theory_marks():
    view = views.compute_race_view(CONFIGS["adam"])
    assert marks(CONFIGS["adam"]) is None and not view.has_theory
    spec = figures.race_curves(view, None).spec
    legend = " ".join(t.get("name") or "" for t in spec["data"] if t.get("showlegend"))
    assert "stability bound" not in legend and "fastest" not in legend and "exact" not in legend


def test_without_noise_there_is_no_floor_to_draw():
    from dataclasses import replace

    quiet = views.compute_race_view(replace(RaceConfig(), sigma=0.0))
    spec = figures.race_curves(quiet).spec
    assert not any("noise floor" in a["text"] for a in spec["layout"]["annotations"])
    low = spec["layout"]["yaxis"]["range"][0]
    assert low >= np.log10(1e-12 * quiet.lanes[0].mean.max()) - 0.21  # no axis down to 1e-84
    assert "no noise floor" in " ".join(words.race_story(list(quiet.claims), quiet.labels, quiet.config.steps))


def _axis_titles(spec: dict) -> dict:
    return {k: v.get("title") for k, v in spec["layout"].items() if k.startswith(("xaxis", "yaxis"))}


def test_every_axis_title_is_sent_in_the_form_plotly_js_draws(view):
    # plotly.js 4 ignores a bare-string title; Plotly's Python side would convert it, but
    # these specs go to the browser as written, so check them raw.
    specs = [figures.race_plane(view).spec, figures.race_curves(view).spec]
    x = np.arange(10)
    specs += [figures.schedule_curves([("a", x, x)], "epoch").spec, figures.loss_by_epoch([("a", x, x + 1, "#000", "solid")]).spec]
    for spec in specs:
        for name, title in _axis_titles(spec).items():
            assert title is None or (isinstance(title, dict) and title["text"]), (name, title)
    curves = _axis_titles(figures.race_curves(view).spec)
    assert curves["yaxis"]["text"] == "loss" and curves["yaxis2"]["text"] == "learning rate"


def test_wire_arrays_round_trip_and_turn_overflow_into_gaps():
    a = np.array([[1.5, -2.0], [1e300, np.inf]])
    typed = figures._wire(a)
    assert typed["dtype"] == "f4" and typed["shape"] == "2,2"
    back = figures.decode(typed)
    np.testing.assert_array_equal(back[0], [1.5, -2.0])
    assert np.isnan(back[1]).all()


def test_rate_ruler_places_the_theory_marks_on_the_sliders_scale():
    default = marks(RaceConfig())
    html = figures.rate_ruler(0.1, default, 0.5)
    assert "left:20.00%" in html and "left:36.36%" in html and "left:40.00%" in html  # lr, fastest, bound
    assert "stability bound 0.2" in html and "fastest without noise 0.182" in html and "best for this race 0.0049" in html
    assert "fastest" not in figures.rate_ruler(0.1, None, 0.5)  # adaptive optimizers: no marks
    # With k/√B on (B = 16) the runs use lr/4: the runs' rate 0.025 sits where the slider says 0.1.
    assert "left:20.00%" in figures.rate_ruler(0.025, default, 0.5, scale=4.0)


def test_momentum_ruler_shows_its_interval_of_fastest_rates():
    html = figures.rate_ruler(0.1, marks(CONFIGS["momentum"]), 0.5)
    assert "fastest without noise: 0.0026 to 0.38" in html and "stability bound 0.38" in html


def test_schedule_curves_and_loss_figures_validate():
    x = np.arange(100)
    figures.validated(figures.schedule_curves([("a", x, 0.1 * 0.9**x), ("b", x / 12, np.full(100, 0.05))], "epoch", True, vlines=[(1, "epoch 1")]))
    figures.validated(figures.loss_by_epoch([("run", x / 12, 1 / (1 + x), "#0072B2", "solid")], floor=0.01))


def test_in_chinese_the_race_figures_speak_chinese_and_keep_their_structure():
    """The same figures, the texts in the catalog's Chinese: Play and Pause, the scrubber's
    "第 120 步" (a prefix and a suffix), the readouts, the axes; Plotly's %{x} fields untouched."""
    from ui import i18n

    view = views.compute_race_view(RaceConfig(steps=200, runs=20))
    with i18n.using("zh"):
        plane = figures.race_plane(view).spec
        curves = figures.race_curves(view, race_marks(view.config.problem(), view.config.lanes[0].optimizer.build(), 200)).spec
    for spec in (plane, curves):
        figures.validated(figures.PrebuiltFigure(spec))
    layout = plane["layout"]
    assert [b["label"] for b in layout["updatemenus"][0]["buttons"]] == ["▶ 播放", "❚❚ 暂停"]
    value = layout["sliders"][0]["currentvalue"]
    assert (value["prefix"], value["suffix"]) == ("第 ", " 步")
    assert layout["meta"]["readout"][-1].startswith("<b>第 200 步</b>")
    assert curves["layout"]["xaxis"]["title"]["text"] == "步数（更新）"
    hovers = [t["hovertemplate"] for t in curves["data"] if "hovertemplate" in t]
    assert hovers and all("%{x}" in h and "第" in h for h in hovers)


# --------------------------------------------------------------------------- words


def test_step_story_speaks_of_steps_epochs_and_the_stuck_counter():
    lines = " ".join(words.step_story(global_step.run(global_step.StepConfig(forget=True))))
    assert "12 steps per epoch" in lines and "8,333.3 epochs" in lines and "does nothing" in lines
    assert "further" in lines


def test_step_story_does_not_call_a_stuck_counter_worse_when_it_is_not():
    # A decay that halves every epoch starves the counting run: there the stuck one ends closer.
    lines = " ".join(words.step_story(global_step.run(global_step.StepConfig(sim_decay_epochs=1, lr=0.01))))
    assert "closer" in lines or "about the same" in lines


# --------------------------------------------------------------------------- link parsers


@pytest.mark.parametrize(
    "parser, raw, value",
    [
        (state.number(0, 1), "0.25", 0.25),
        (state.integer(1, 10), "7", 7),
        (state.integer(1, 10), "7.0", 7),
        (state.choice([1, 2, 4]), "4", 4),
        (state.choice(["a", None]), "none", None),
        (state.flag, "1", True),
        (state.flag, "false", False),
        (state.number_list(0, 100, whole=True), "1, 2;3", "1, 2, 3"),
        (state.optional_number(0, 1), "none", None),
        (state.optional_number(0, 1), "0.5", 0.5),
    ],
)
def test_link_parsers_read_good_values(parser, raw, value):
    assert parser(raw) == value


@pytest.mark.parametrize(
    "parser, raw, reason",
    [
        (state.number(0, 1), "x", "is not a number"),
        (state.number(0, 1), "2", "must be between 0 and 1"),
        (state.number(0, 1), "nan", "is not a finite number"),
        (state.integer(1, 10), "2.5", "must be a whole number"),
        (state.choice([1, 2, 4]), "3", "must be one of 1, 2, 4"),
        (state.flag, "maybe", "must be 1 or 0"),
        (state.number_list(0, 10), "1, x", "is not a number"),
        (state.number_list(0, 10), "", "must list at least one number"),
        (state.text(5), "too long", "longer than 5"),
    ],
)
def test_link_parsers_say_what_is_wrong(parser, raw, reason):
    with pytest.raises(ValueError, match=reason):
        parser(raw)


def test_a_relabelled_race_view_shares_the_cached_arrays_and_leaves_the_cached_view_in_english():
    from lrcore.race import lane_labels
    from ui import i18n

    config = RaceConfig.duel("exponential", "momentum", steps=50, runs=4)
    cached = views.compute_race_view(config)
    with i18n.using("zh"):
        shown = views.relabelled(cached, lane_labels(config.lanes, i18n._))
    assert shown.labels == ["恒定学习率", "指数衰减"] and cached.labels == ["Constant rate", "Exponential decay"]
    assert shown.lanes[1].mean is cached.lanes[1].mean
    assert views.relabelled(cached, cached.labels) is cached  # English: nothing to copy
