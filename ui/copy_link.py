"""A "Copy link" button that runs in the browser: it copies the address bar, with a fallback.

The address is read where it is exact, in the browser, at the moment of the click: a
fragment's rerun (the learning-rate slider) changes the URL without rerunning the page.
Its words come from Python, translated (the browser cannot read the catalog).
"""

from pathlib import Path

import streamlit as st

from ui.i18n import _

_HTML = (
    '<div class="lrlab-copy"><button type="button"></button>'
    '<input type="text" readonly hidden><span class="note" role="status"></span></div>'
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
    _mount(key=key, data={
        "button": _("Copy link"),
        "field": _("this view's link"),
        "copied": _("Copied."),
        "select": _("Press Ctrl+C (⌘C) to copy the selected link."),
    })
