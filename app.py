"""Learning-Rate Decay Lab: the entry point only configures the page and routes."""

import streamlit as st

st.set_page_config(page_title="Learning-Rate Decay Lab", page_icon="📉", layout="wide")

pages = [
    st.Page("pages/decay_race.py", title="The decay race", icon=":material/sports_score:", default=True),
    st.Page("pages/schedule_gallery.py", title="Schedule gallery", icon=":material/show_chart:"),
    st.Page("pages/what_is_a_step.py", title="What is a step?", icon=":material/footprint:"),
    st.Page("pages/from_the_texts.py", title="From the texts", icon=":material/menu_book:"),
]
st.navigation(pages, position="top").run()
