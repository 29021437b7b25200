"""Lessons: the course a class meets, in order, one link per step."""

import streamlit as st

from ui import lessons, state
from ui.state import Field

st.title("Lessons")
link = state.Link("lessons")
present = st.toggle(
    "open the steps in presentation mode",
    key=link.field(Field("present", False, state.flag)),
    help="Large text for a projector, only each step's controls. Keys: Space plays or pauses, ← → step, N / B next and back.",
)
link.finish()
st.markdown(
    "Each lesson is a short sequence of steps. A step opens a page with its settings loaded and only the controls it "
    "needs; some ask the class to **predict first**, and the result plays once they have answered, with a verdict "
    "from the numbers. Move through a lesson with **Next** and **Back** (or N and B while presenting)."
)
for lesson in lessons.all_lessons().values():
    with st.container(border=True):
        st.markdown(f"### {lesson.number}. {lesson.title}\n{lesson.summary}")
        for i, step in enumerate(lesson.steps):
            ask = " · asks first: " + step.question.prompt if step.question else ""
            st.page_link(
                lessons.PAGES[step.page],
                label=f"Step {i + 1}: {step.title}{ask}",
                query_params=lessons.step_query(lesson, i, present),
                icon=":material/quiz:" if step.question else ":material/play_arrow:",
            )
