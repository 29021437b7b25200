"""Colours, line styles and the base Plotly layout, shared by every figure and page.

Okabe-Ito colours stay distinct for the common colour-vision deficiencies, and each
series also differs in line style, so a figure reads in greyscale and on a washed-out
projector.
"""

CONSTANT = "#D55E00"  # vermillion: the constant rate, rattling
DECAYED = "#0072B2"  # blue: the decayed rate, settling
OPTIMAL = "#009E73"  # bluish green: the optimal constant rate
DANGER = "#000000"  # black: the stability bound
DANGER_FILL = "rgba(0, 0, 0, 0.08)"
# The gallery's colours: vermillion is kept for the race's constant rate alone.
SERIES = ["#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999", "#D55E00"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash"]

# Lanes of the race, in order: Okabe-Ito colours (colour-blind safe), each with its own
# dash and marker so lanes also differ in greyscale. Lane 0 is the constant rate by default.
LANE_COLOURS = ["#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#000000"]
LANE_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
LANE_SYMBOLS = ["circle", "diamond", "square", "triangle-up", "cross", "x"]
# Streamlit Markdown's nearest named colour for each lane's name in the story.
LANE_MARKDOWN = ["red", "blue", "green", "violet", "orange", "gray"]


def lane_colour(k: int) -> str:
    return LANE_COLOURS[k % len(LANE_COLOURS)]


def lane_markdown_colour(k: int) -> str:
    return LANE_MARKDOWN[k % len(LANE_MARKDOWN)]


FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=16, color="#222222")


def base_layout(**overrides) -> dict:
    """A plain white layout with large type; no template payload is sent."""
    layout = dict(
        template={},  # no template payload: every style below is explicit
        font=FONT,
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=70, r=20, t=40, b=60),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, font=dict(size=15)),
        hoverlabel=dict(font_size=15),
    )
    layout.update(overrides)
    return layout


def axis(title: str | None = None, standoff: int | None = None, **overrides) -> dict:
    """An axis with large ticks; its title is always written as ``{"text": ...}``.

    (plotly.js 4 ignores a title given as a bare string, and ``title_font`` with it:
    Plotly's Python side converts them, but our figures are sent as written.)
    """
    out = dict(showgrid=True, gridcolor="#e6e6e6", zeroline=False, linecolor="#888", ticks="outside", tickfont=dict(size=15))
    if title is not None:
        out["title"] = dict(text=title, font=dict(size=17))
        if standoff is not None:
            out["title"]["standoff"] = standoff
    out.update(overrides)
    return out


LABEL = dict(size=16, color="#333")  # text drawn inside figures
