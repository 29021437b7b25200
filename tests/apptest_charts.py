"""The charts a page drew, read back from AppTest (or any element tree).

Pages draw figures with ``ui.charts.plotly``, a Streamlit component whose data is the
figure spec; AppTest lists such elements as ``bidi_component`` nodes, with the
component's protobuf (its JSON data included) as ``.proto``.
"""

from __future__ import annotations

from ui import charts


def elements(at) -> list:
    """The page's chart elements, in page order."""
    return [node for node in at.get("bidi_component") if node.proto.component_name == charts.NAME]


def figures(at) -> list[dict]:
    """The figure specs the page drew (``{"data", "layout", "frames"?}``), in page order."""
    return [charts.figure_of(node.proto) for node in elements(at)]


def payloads(at) -> list[str]:
    """Each chart's data as it goes over the websocket (JSON), for size checks."""
    return [node.proto.json for node in elements(at)]
