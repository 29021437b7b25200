"""From the texts: every formula, example and pitfall of the three source texts, and where to see it."""

import streamlit as st

from ui.sources import SOURCES

st.title("From the texts")
st.markdown(
    "The lab teaches from three texts: a Towards AI article on learning-rate decay, a Stack Overflow answer about "
    "TensorFlow's `global_step`, and a note on learning-rate strategies. Each formula, example and pitfall in them "
    "is below, with a link that opens the page showing it."
)

for source in SOURCES:
    st.header(source.title)
    st.caption(source.summary)
    for item in source.items:
        with st.container(border=True):  # one column: formulas need the width on a laptop
            st.markdown(f"**{item.title}**")
            st.markdown(f"> {item.quote}")
            if item.latex:
                st.latex(item.latex)
            if item.note:
                st.caption(item.note)
            st.page_link(item.page, label=item.link_label, icon=":material/arrow_forward:", query_params=item.query)
