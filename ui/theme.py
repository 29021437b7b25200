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
SERIES = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash"]

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


AXIS = dict(showgrid=True, gridcolor="#e6e6e6", zeroline=False, linecolor="#888", ticks="outside", title_font=dict(size=17))
