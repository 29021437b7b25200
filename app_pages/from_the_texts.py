"""From the texts: every formula, example and pitfall of the three source texts, and where to see it.

Each item quotes its text in the text's own Chinese (in both languages: it is the source,
not a translation), with what it says beside it: in English, or explained in Chinese.
"""

import streamlit as st

from ui import text
from ui.i18n import _
from ui.sources import SOURCES

st.title(_("From the texts"))
st.markdown(
    _(
        "The lab teaches from three texts: a Towards AI article on learning-rate decay, a Stack Overflow answer about "
        "TensorFlow's `global_step`, and a note on learning-rate strategies. Each formula, example and pitfall in them "
        "is below, with a link that opens the page showing it. The texts are quoted in their own Chinese, with what "
        "they say beside each quote."
    )
)


def _quote(original: str) -> str:
    """The text's own words as a Markdown block quote (paragraphs kept)."""
    return "\n".join(f"> {line}" if line else ">" for line in original.split("\n"))


for source in SOURCES:
    st.header(_(source.title))
    st.caption(_(source.summary))
    for item in source.items:
        with st.container(border=True):
            st.markdown(f"**{_(item.title)}**")
            original, summary = st.columns(2, gap="medium")
            original.caption(_("The text"))
            original.markdown(_quote(item.original))
            summary.caption(_("What it says"))
            summary.markdown(_(item.summary, **item.fields))
            # Code and formulas below, across the card: they need the width on a laptop.
            if item.code:
                st.code(item.code, language=item.code_language, wrap_lines=True)
            if item.latex:
                st.latex(text.latex(item.latex))
            if item.note:
                st.caption(_(item.note, **item.fields))
            st.page_link(item.page, label=_(item.link_label), icon=":material/arrow_forward:", query_params=item.query)
