"""Lessons: the course a class meets, in order, one link per step."""

import streamlit as st

from ui import lessons, state
from ui.i18n import _
from ui.state import Field

st.title(_("Lessons"))
link = state.Link("lessons")
present = st.toggle(
    _("open the steps in presentation mode"),
    key=link.field(Field("present", False, state.flag)),
    help=_("Large text for a projector, only each step's controls. Keys: Space plays or pauses, ← → step, N / B next and back."),
)
link.finish()
st.markdown(_(
    "Each lesson is a short sequence of steps. A step opens a page with its settings loaded and only the controls it "
    "needs; some ask the class to **predict first**, and the result plays once they have answered, with a verdict "
    "from the numbers. Move through a lesson with **Next** and **Back** (or N and B while presenting)."
))
for lesson in lessons.all_lessons().values():
    with st.container(border=True):
        st.markdown("### " + _("{number}. {title}", number=lesson.number, title=_(lesson.title)) + "\n" + _(lesson.summary))
        for i, step in enumerate(lesson.steps):
            label = _("Step {i}: {title}", i=i + 1, title=_(step.title))
            if step.question:
                label = _("{step} · asks first: {prompt}", step=label, prompt=_(step.question.prompt))
            st.page_link(
                lessons.PAGES[step.page],
                label=label,
                query_params=lessons.step_query(lesson, i, present),
                icon=":material/quiz:" if step.question else ":material/play_arrow:",
            )
