"""Learning-Rate Decay Lab: the entry point only configures the page and routes."""

import os
from pathlib import Path

# The labs' searches run SciPy's L-BFGS-B on tiny matrices: BLAS threads only contend for a
# class's shared cores there (52 ms alone, up to 360 ms threaded). SciPy loads its BLAS on
# first use, after this line.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import streamlit as st  # noqa: E402

from ui import charts, i18n, runtime  # noqa: E402,F401  (charts: plotly.js in place before any page draws)
from ui.i18n import _  # noqa: E402

runtime.freeze_startup_objects()

# A local image: an emoji or :material/: icon becomes a favicon fetched from the internet.
ICON = str(Path(__file__).parent / "assets" / "icon.png")
# A lesson or a presentation opens with the sidebar closed: the lesson bar holds its controls.
classroom_link = any(k in st.query_params for k in ("lesson", "present"))
st.set_page_config(
    page_title=_("Learning-Rate Decay Lab"),
    page_icon=ICON,
    layout="wide",
    initial_sidebar_state="collapsed" if classroom_link else "auto",
)

pages = [
    st.Page("app_pages/decay_race.py", title=_("The decay race"), icon=":material/sports_score:", default=True),
    st.Page("app_pages/schedule_gallery.py", title=_("Schedule gallery"), icon=":material/show_chart:"),
    st.Page("app_pages/what_is_a_step.py", title=_("What is a step?"), icon=":material/footprint:"),
    st.Page("app_pages/texts_network.py", title=_("The texts' network"), icon=":material/hub:"),
    st.Page("app_pages/from_the_texts.py", title=_("From the texts"), icon=":material/menu_book:"),
    st.Page("app_pages/lab_batch_size.py", title=_("Lab: batch size"), icon=":material/stacks:"),
    st.Page("app_pages/lab_warmup.py", title=_("Lab: warmup"), icon=":material/trending_up:"),
    st.Page("app_pages/lab_best_schedule.py", title=_("Lab: the best schedule"), icon=":material/emoji_events:"),
    st.Page("app_pages/lessons.py", title=_("Lessons"), icon=":material/school:"),
]
page = st.navigation(pages, position="top")
i18n.switch()  # on every page: the sidebar's first control
st.query_params[i18n.KEY] = i18n.lang()  # every page's link says its language, even the default
page.run()
