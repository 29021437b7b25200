"""The "Code" panel: the schedule on screen as PyTorch, Keras 3, TensorFlow 1 and optax code.

Every snippet is :func:`lrcore.export.code` for the very schedule object the page plots, so
the numbers in the code are the numbers on screen. Where a framework cannot express the
schedule, the tab shows lrcore's reason as text. The panel is drawn only while it is open
(``on_change="rerun"``: four code blocks a lane are a large part of a first load), and the
download builds the ``.py`` file only when it is pressed (``data`` is a callable).
"""

from __future__ import annotations

import functools

import streamlit as st

from lrcore import export
from lrcore.registry import ParameterError
from ui import text
from ui.i18n import N_, _

__all__ = ["code_panel"]

EXPANDER_LABEL = N_("Code: PyTorch · Keras · TensorFlow 1 · optax")  # translated where shown
NOTES = {
    "pytorch": N_("Runs as pasted. `scheduler.step()` sits where this schedule needs it: after every update, or once per epoch."),
    "keras": N_(
        "Keras 3, any backend. Keras calls the schedule with `optimizer.iterations` (0 for the first batch); "
        "a schedule of the epoch goes through the `LearningRateScheduler` callback instead, once per epoch."
    ),
    "tf1": N_("Graph mode, `tf.compat.v1`. `minimize(loss, global_step=global_step)` increments the step for you."),
    "optax": N_("optax counts updates itself: `lr_schedule(0)` is the rate of the first update."),
}


def code_panel(schedule, key: str, steps: int = export.DEFAULT_STEPS) -> None:
    """Draw the expander with one tab a framework for ``schedule`` (an lrcore schedule object)."""
    with st.expander(_(EXPANDER_LABEL), key=f"{key}.open", on_change="rerun") as panel:
        if not panel.open:
            return
        tabs = st.tabs([export.LABELS[f] for f in export.FRAMEWORKS])
        for framework, tab in zip(export.FRAMEWORKS, tabs):
            with tab:
                try:
                    source = export.code(schedule, framework, steps=steps)
                except ParameterError as err:
                    st.info(text.error_message(err), icon="ℹ️")
                    continue
                st.caption(_(NOTES[framework]))
                st.code(source, language="python", wrap_lines=True, height=440)  # fits a 768-pixel projector
                st.download_button(
                    _("Download {file}", file=export.filename(schedule, framework)),
                    functools.partial(export.code, schedule, framework, steps=steps),
                    file_name=export.filename(schedule, framework),
                    mime="text/x-python",
                    key=f"{key}.{framework}.download",
                    on_click="ignore",
                )
