"""The landing page starts without error and previews a schedule."""

from streamlit.testing.v1 import AppTest


def test_landing_page_runs_and_changing_the_preview_changes_the_formula():
    at = AppTest.from_file("../app.py", default_timeout=30).run()
    assert not at.exception
    first = at.latex[0].value
    at.selectbox(key="preview").set_value("cosine").run()
    assert not at.exception
    assert at.latex[0].value != first and "cos" in at.latex[0].value
