"""Learning-Rate Decay Lab: landing page (the dashboard pages arrive with the simulator)."""

import numpy as np
import streamlit as st

from lrcore import registry

st.set_page_config(page_title="Learning-Rate Decay Lab", page_icon="📉", layout="wide")
st.title("Learning-Rate Decay Lab")
st.markdown(
    "Why does minibatch SGD with a **constant** learning rate keep rattling around the minimum, "
    "while a **decayed** rate settles into it? This lab will show it live.\n\n"
    "**Coming next:** the decay race on a noisy quadratic, the schedule gallery and "
    "*What is a step?* (TensorFlow's `global_step`). The schedule library is ready: "
    f"{len(registry.SCHEDULES)} schedules, each exact against Keras/TensorFlow or PyTorch."
)
names = list(registry.SCHEDULES)
choice = st.selectbox("Preview a schedule", names, index=names.index("exponential"), key="preview")
schedule = registry.build(registry.default_spec(choice))
if hasattr(schedule, "latex"):
    st.latex(schedule.latex)
    st.caption(schedule.description)
    if not registry.closed_loop({"name": choice}):
        steps = np.arange(1000)
        st.line_chart({"learning rate": schedule(steps)})
