"""中文 and English: the catalog is complete, nothing a student reads is left in English, the
language is chosen from the link or the browser and kept across pages.

The walk opens every page at its defaults and every lesson step (before and after its
question is answered) with ``lang=zh`` and reads every text element and chart text back
(:mod:`tests.i18n_walk`); an English word there is a string that skipped the catalog.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.i18n_walk import english, english_left
from tools import messages
from ui import i18n, lessons
from ui import text as ui_text

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app_pages").glob("*.py"))
STEPS = [(lesson, i) for lesson in lessons.all_lessons().values() for i in range(len(lesson.steps))]


def _first(value):
    return value[0] if isinstance(value, list) else value


@pytest.fixture(scope="module")
def template():
    return messages.extract()


def test_every_id_is_translated_with_the_same_placeholders(template):
    zh = messages.read("zh")
    missing, mismatched = [], []
    for message in template:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        done = zh.get(message.id, message.context)
        strings = (done.string if isinstance(done.string, tuple) else (done.string,)) if done is not None else ()
        if done is None or done.fuzzy or not all(strings):
            missing.append(f"{message.locations[0][0]}:{message.locations[0][1]}: {ids[0]!r}")
            continue
        if ui_text.LATEX_WORDS.fullmatch(ids[0]):  # a formula's words: braces are LaTeX, not fields
            if not all(re.fullmatch(r"\\text\{[^{}]*\}", t) for t in strings):
                mismatched.append(f"{ids[0]!r} -> {strings!r} (not a \\text{{…}} piece)")
            continue
        for text in strings:
            if i18n.placeholders(text) != set().union(*(i18n.placeholders(m) for m in ids)):
                mismatched.append(f"{ids[0]!r} -> {text!r}")
    assert not missing, f"{len(missing)} ids untranslated (python tools/messages.py lists them):\n" + "\n".join(missing[:40])
    assert not mismatched, "placeholders differ:\n" + "\n".join(mismatched)


def test_every_plural_call_is_extracted_as_a_plural(template):
    """Babel's extractor can drop a plural's second form (a call nested in the arguments did):
    every ``_n(`` in the code must come out as a (singular, plural) id."""

    calls = sum(len(re.findall(r"(?<![\w.])_n\(", p.read_text())) for d in ("app.py", "app_pages", "ui", "lrcore")
                for p in ([ROOT / d] if d.endswith(".py") else (ROOT / d).rglob("*.py")) if p.name != "i18n.py")
    assert calls == sum(isinstance(m.id, tuple) for m in template) > 0


def test_bold_in_a_translation_renders_as_bold():
    """CommonMark closes ``**`` after punctuation only before a space or punctuation, and Chinese has
    no spaces: ``**请看：**拖动`` shows its asterisks. Each pair must open and close (fields filled with 字)."""
    import unicodedata

    def punct(c):
        return unicodedata.category(c)[0] in "PS"

    wrong = []
    for message in messages.read("zh"):
        text = message.string if isinstance(message.string, str) else (message.string or ("",))[0]
        text = re.sub(r"\{[^{}]*\}", "字", text or "")
        for k, at in enumerate(m.start() for m in re.finditer(r"\*\*", text)):
            before, after = (text[at - 1] if at else " "), (text[at + 2] if at + 2 < len(text) else " ")
            opens = not after.isspace() and (not punct(after) or before.isspace() or punct(before))
            closes = not before.isspace() and (not punct(before) or after.isspace() or punct(after))
            if not (opens if k % 2 == 0 else closes):
                wrong.append(text[max(0, at - 12):at + 12])
    assert not wrong, wrong


def test_the_catalog_has_no_stale_or_untranslated_entries(template):
    """Every entry of messages.po is an id the code still uses (no dead translations)."""
    used = {m.id for m in template if m.id}
    stale = [m.id for m in messages.read("zh", parts=False) if m.id and m.id not in used]
    assert not stale, f"{len(stale)} entries no longer in the code: {stale[:10]}"


def test_a_translation_fills_its_placeholders_and_falls_back_to_english():
    with i18n.using("zh"):
        assert i18n._("The decay race") != "The decay race"
        assert i18n._("no such sentence {k}", k=3) == "no such sentence 3"
    with i18n.using("en"):
        assert i18n._("The decay race") == "The decay race"
    assert i18n.placeholders("diverged at step {k} ({share:.0%})") == {"k", "share"}


def test_a_formulas_words_are_translated_and_its_math_and_labels_kept():
    expr = r"E[\text{loss}_T],\ B_{\text{noise}} = \text{after } 3 \text{ bad epochs},\ \text{global\_step}"
    with i18n.using("zh"):
        shown = ui_text.latex(expr)
    assert shown == r"E[\text{损失}_T],\ B_{\text{noise}} = \text{坏轮次数 } 3 \text{ 时},\ \text{global\_step}"
    with i18n.using("en"):
        assert ui_text.latex(expr) == expr
    ids = {m.id for m in messages.extract() if isinstance(m.id, str)}
    assert {r"\text{loss}", r"\text{after }", r"\text{ bad epochs}"} <= ids and r"\text{noise}" not in ids


def test_the_detector_finds_english_and_spares_names():
    assert english("The loss settles") == ["The", "loss", "settles"]
    assert english("学习率 `decay_steps` 与 ExponentialDecay、SGD、Adam、PyTorch") == []
    assert english("$\\eta_t = \\eta_0 \\cdot 0.96^{t}$ 的衰减") == []


NEEDS_NAVIGATION = {"app_pages/from_the_texts.py", "app_pages/lessons.py"}  # their st.page_link needs app.py's pages


def _open(path: str, query: dict) -> AppTest:
    entry = "app.py" if path in NEEDS_NAVIGATION else path
    at = AppTest.from_file(str(ROOT / entry), default_timeout=180)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(path).run() if entry != path else at


def _open_on_demand(at: AppTest) -> AppTest:
    """Open what is drawn only on demand (the Code panels, the share popover): a student reads it too."""
    lazy = [e.key for e in at.expander if e.key] + (["share_open"] if "share_open" in at.session_state else [])
    for key in lazy:
        at.session_state[key] = True
    return at.run() if lazy else at


def _report(at) -> str:
    left = english_left(at)
    return "\n".join(f"  [{kind}] {text[:110]!r} -> {words[:6]}" for kind, text, words in left[:40]) + (
        f"\n  … {len(left)} texts with English" if left else ""
    )


@pytest.mark.parametrize(
    "path", PAGES
)
def test_no_english_left_on_any_page_in_chinese(path):
    at = _open_on_demand(_open(path, {"lang": "zh"}))
    assert not at.exception, at.exception[0].value
    assert not english_left(at), f"{path} in zh shows English:\n{_report(at)}"


@pytest.mark.parametrize("item", STEPS, ids=lambda it: f"{it[0].id}-{it[1] + 1}")
def test_no_english_left_in_any_lesson_step_in_chinese(item):
    lesson, i = item
    at = _open_on_demand(_open(lessons.PAGES[lesson.steps[i].page], {**lessons.step_query(lesson, i), "lang": "zh"}))
    assert not at.exception, at.exception[0].value
    assert not english_left(at), f"{lesson.id} step {i + 1} in zh shows English:\n{_report(at)}"
    question = lesson.steps[i].question
    if question is not None and question.kind != "settles":
        at.radio(key=next(r.key for r in at.radio if r.key and r.key.startswith("answer:"))).set_value(
            at.radio(key=next(r.key for r in at.radio if r.key and r.key.startswith("answer:"))).options[0]
        ).run()
        assert not english_left(at), f"{lesson.id} step {i + 1} answered, in zh shows English:\n{_report(at)}"


def test_lang_survives_a_link_round_trip_page_switches_and_the_switch():
    at = _open("app.py", {"lang": "zh"})
    assert at.session_state[i18n.KEY] == "zh"
    assert _first(at.query_params[i18n.KEY]) == "zh"
    assert not [w.value for w in at.warning], [w.value for w in at.warning]  # never "not a setting"
    link = {k: _first(v) for k, v in at.query_params.items()}
    again = _open("app.py", link)  # the link, opened in a new session
    assert again.session_state[i18n.KEY] == "zh" and again.title[0].value == at.title[0].value
    at.radio(key=i18n.KEY).set_value("en").run()
    assert _first(at.query_params[i18n.KEY]) == "en"  # the default is written too
    assert at.title[0].value == "The decay race"
    # Page switches run app.py, which writes the session's language into the new page's
    # link: AppTest runs a switched-to page without its entry point, so
    # tests/test_i18n_browser.py checks that in Chromium.


def test_a_page_run_alone_reads_lang_from_its_link_and_keeps_it():
    at = _open("app_pages/schedule_gallery.py", {"lang": "zh"})
    assert at.session_state[i18n.KEY] == "zh" and _first(at.query_params[i18n.KEY]) == "zh"
    assert at.title[0].value != "Schedule gallery"


def test_without_lang_the_browser_language_decides(monkeypatch):
    import streamlit as st

    class Context:
        locale = "zh-CN"

    monkeypatch.setattr(st, "context", Context())
    assert i18n._from_browser() == "zh"
    Context.locale = "en-GB"
    assert i18n._from_browser() == "en"
