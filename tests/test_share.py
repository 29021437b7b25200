"""Sharing a view: the copy button, the address for phones and its QR code, drawn on demand."""

import base64
from pathlib import Path
from urllib.parse import urlencode

import segno
from streamlit.testing.v1 import AppTest

from ui import classroom

ROOT = Path(__file__).resolve().parents[1]


def _images(at) -> list[str]:
    """Each image's SVG text (st.image sends an SVG as a data URL)."""
    return [base64.b64decode(img.url.partition("base64,")[2]).decode() for el in at.get("image") for img in el.proto.imgs]


def test_share_is_drawn_only_while_open_and_its_qr_code_is_this_views_link():
    at = AppTest.from_file(str(ROOT / "app_pages/decay_race.py"), default_timeout=120)
    at.query_params["lr"] = "0.05"
    at.run()
    assert not at.exception
    assert not [t for t in at.text_input if t.key == "share_address"]  # a first load builds no QR code
    assert not _images(at)

    at.session_state["share_open"] = True
    at.run()
    address = at.text_input(key="share_address")
    assert address.value == classroom.address_for_students()
    target = address.value.rstrip("?") + "?" + urlencode({k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()})
    assert "lr=0.05" in target and "lang=en" in target
    assert _images(at) == [classroom.qr_svg(target)]  # the QR code of this very link
    assert target in [c.value for c in at.caption]

    at.text_input(key="share_address").set_value("http://10.1.2.3:8501/").run()  # the teacher's own address
    at.session_state["share_open"] = False
    at.run()
    assert not [t for t in at.text_input if t.key == "share_address"]
    at.session_state["share_open"] = True
    at.run()
    assert at.text_input(key="share_address").value == "http://10.1.2.3:8501/"  # kept while closed
    assert any(c.value.startswith("http://10.1.2.3:8501/?") for c in at.caption)


def test_the_qr_code_is_segnos_drawing_of_the_text_with_no_fetch():
    text = "http://10.1.2.3:8501/?lr=0.05&lang=zh"
    svg = classroom.qr_svg(text)
    assert svg.startswith("<svg") and "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert segno.make(text, error="m").designator == segno.make(text, error="m").designator  # stable version/error
    assert svg == classroom.qr_svg(text)  # deterministic: same link, same picture


def test_in_a_lesson_the_bar_shares_the_steps_link():
    at = AppTest.from_file(str(ROOT / "app_pages/decay_race.py"), default_timeout=120)
    at.query_params.update({"lesson": "constant-vs-decay", "step": "2"})
    at.run()
    assert not at.exception and not [t for t in at.text_input if t.key == "share_address"]
    at.session_state["share_open"] = True
    at.run()
    caption = next(c.value for c in at.caption if c.value.startswith("http"))
    assert "lesson=constant-vs-decay" in caption and "step=2" in caption
