"""A "Copy link" button that runs in the browser: it copies the address bar, with a fallback.

The address is read where it is exact, in the browser, at the moment of the click: a
fragment's rerun (the learning-rate slider) changes the URL without rerunning the page.
"""

from pathlib import Path

import streamlit as st

_HTML = (
    '<div class="lrlab-copy"><button type="button">Copy link</button>'
    '<input type="text" readonly hidden aria-label="this view\'s link"><span class="note" role="status"></span></div>'
)
_CSS = """
.lrlab-copy {display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; font-family: inherit;}
.lrlab-copy button {font: inherit; padding: .3rem .8rem; border-radius: .5rem; border: 1px solid #bbb; background: #fff; cursor: pointer;}
.lrlab-copy input {font: inherit; width: 100%;}
"""
_mount = st.components.v2.component(
    "lrlab.copy_link", html=_HTML, css=_CSS, js=Path(__file__).with_name("copy_link.js").read_text()
)


def button(key: str) -> None:
    _mount(key=key)
