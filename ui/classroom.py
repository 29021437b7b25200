"""Classroom mode: a lesson's step on a page, predict-then-reveal, presenting, sharing.

A page makes one :class:`Classroom` right after its :class:`ui.state.Link` and asks it
where each control goes (:meth:`Classroom.box`): in a lesson, the step's controls sit in
the lesson bar and every other control is drawn into a hidden container (its value, and
the link, stay as the step set them). ``lesson``, ``step`` and ``present`` are link
settings like any other, so each lesson step has a link of its own.

Presenting (``present=1``, or the toggle) collapses the sidebar, hides the title, sets
body text at 20 px and asks the charts for matching fonts; the keyboard (Space, ← →, N B)
is handled in the browser by ``charts.js``.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

import segno
import streamlit as st
from streamlit import config as st_config
from streamlit import net_util

from ui import copy_link, lessons, state
from ui.i18n import N_, _
from ui.lessons import Lesson, Step
from ui.state import Field, Link

__all__ = ["Classroom", "sidebar_panel", "lesson_picker", "open_step", "share", "address_for_students", "qr_svg"]

HIDDEN = "lrlab_hidden"  # key prefix of the containers that hold a lesson's hidden controls
PRESENT_FONT_PX = 20
CSS_HIDDEN = f'<style>div[class*="st-key-{HIDDEN}"] {{display: none !important;}}</style>'
CSS_PRESENT = f"""<style>
[data-testid="stMainBlockContainer"] {{padding-top: 3.6rem; padding-bottom: 1rem;}}
[data-testid="stMainBlockContainer"] h1 {{display: none;}}
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stWidgetLabel"] p, [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
.stRadio label p, button p {{font-size: {PRESENT_FONT_PX}px !important; line-height: 1.35;}}
[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"] {{color: #000 !important;}}
</style>"""
YES_NO = (N_("yes"), N_("no"))
# The pages draw the classroom menu themselves: they show these through _().
MENU = N_("Classroom: lessons, presenting, sharing")
PRESENT = N_("Present")
PRESENT_HELP = N_("Projector mode: large text, only the lesson's controls. Keys: Space plays or pauses, ← → step, N / B next and back.")
SWITCH = "_lesson_switch"  # a step on another page: (page path, query), switched to on the next run


def _answer_key(lesson: Lesson, index: int) -> str:
    return f"answer:{lesson.id}:{index}"


class Classroom:
    """The lesson (if any) on this page, where its controls go, and presenting."""

    def __init__(self, link: Link, page: str, point_below: bool = False):
        if SWITCH in st.session_state:
            path, query = st.session_state.pop(SWITCH)
            st.switch_page(path, query_params=query)
        self.link, self.page = link, page
        self._point_below = point_below  # presenting, the page draws the step's point itself (room.point())
        ids = list(lessons.all_lessons())
        link.field(Field("lesson", "", state.choice(ids)))
        link.field(Field("step", 1, state.integer(1, 12)))
        self.present = bool(st.session_state[link.field(Field("present", False, state.flag))])
        self.lesson: Lesson | None = lessons.all_lessons().get(st.session_state["lesson"])
        self.index = 0
        self.step: Step | None = None
        if self.lesson is not None:
            self.index = min(int(st.session_state["step"]), len(self.lesson.steps)) - 1
            self.step = self.lesson.steps[self.index]
            if self.step.page != page:  # a link to a step of another page: open that page
                st.switch_page(lessons.PAGES[self.step.page], query_params=st.query_params.to_dict())
            for key, raw in self.step.settings:
                link.suggest(key, raw)
            st.html(CSS_HIDDEN)
        if self.present:
            st.html(CSS_PRESENT)
        self._hidden = 0
        self._bar = st.container() if self.step is not None else None
        self._slots: dict[str, Any] = {}
        self.share_box = None  # in a lesson, the bar's column for sharing this step
        if self._bar is not None:
            self._draw_bar()

    # ------------------------------------------------------------------ placement
    @property
    def active(self) -> bool:
        return self.step is not None

    def shows(self, control: str) -> bool:
        return self.step is None or control in self.step.controls

    def box(self, control: str, default):
        """Where ``control``'s widgets go: ``default``, the lesson bar, or out of sight."""
        if self.step is None:
            return default
        if control in self._slots:
            return self._slots[control]
        if control in self.step.controls:
            return default
        self._hidden += 1
        return default.container(key=f"{HIDDEN}_{control}_{self._hidden}")

    # ------------------------------------------------------------------ the lesson bar
    def _draw_bar(self) -> None:
        lesson, step, n = self.lesson, self.step, len(self.lesson.steps)
        head, back, nxt, tools, self.share_box = self._bar.columns([4.4, 1.3, 1.3, 1.2, 1.2], vertical_alignment="center")  # Back and Next fit at 20 px, 中文 too
        head.markdown(_(
            "**Lesson {number}: {lesson}** · step {i} of {n}: *{step}*",
            number=lesson.number, lesson=_(lesson.title), i=self.index + 1, n=n, step=_(step.title),
        ))
        back.button(_("◀ Back"), key="lesson_back", on_click=self._go, args=(self.index - 1,), disabled=self.index == 0, width="stretch")
        nxt.button(_("Next ▶"), key="lesson_next", on_click=self._go, args=(self.index + 1,), disabled=self.index == n - 1, width="stretch")
        with tools.popover(_("Class"), width="stretch"):
            st.toggle(_(PRESENT), key="present", help=_(PRESENT_HELP))
            st.button(_("Leave the lesson"), key="lesson_leave", on_click=self._leave)
        shown = [c for c in step.controls if c != "lr"]  # the rate slider lives with the race
        if shown:
            for control, column in zip(shown, self._bar.columns(len(shown))):
                self._slots[control] = column
        if not (self.present and self._point_below):
            self._bar.caption(self._look_at())

    def point(self) -> None:
        """The step's "what to point at", where the page wants it (presenting, with ``point_below``)."""
        if self.step is not None and self.present and self._point_below:
            st.caption(self._look_at())

    def _look_at(self) -> str:
        return _("**Look at:** {point}", point=_(self.step.point))

    def _go(self, index: int) -> None:
        open_step(self.link, self.lesson, index, self.present)

    def _leave(self) -> None:
        _forget(self.link, self.link.page)
        st.query_params.from_dict(state.app_wide({"present": "1"} if self.present else {}))

    # ------------------------------------------------------------------ predict, then reveal
    def ask(self, labels: list[str]):
        """Ask the step's question (if any) here; return the class's answer or None.

        ``labels`` are the race's lanes, the choices of a "which lane ends lowest" question.
        """
        step = self.step
        if step is None or step.question is None:
            return None
        q, key = step.question, _answer_key(self.lesson, self.index)
        prompt = _(q.prompt)
        if q.kind == "lowest":
            return st.radio(prompt, labels, index=None, key=key, horizontal=True)
        if q.kind == "diverges":
            # The options are the words shown (no format_func: Streamlit may call it outside the run).
            yes, no = (_(word) for word in YES_NO)
            said = st.radio(prompt, (yes, no), index=None, key=key, horizontal=True)
            return None if said is None else said == yes
        return st.number_input(prompt, min_value=0.0, value=None, format="%g", step=None, key=key, placeholder=_("a loss, e.g. 0.01"))

    @property
    def asks(self) -> bool:
        return self.step is not None and self.step.question is not None

    @property
    def question_lane(self) -> int:
        return 0 if self.step is None or self.step.question is None else self.step.question.lane

    def reveal_token(self, answer) -> str | None:
        """A token that changes when the class answers: the charts play from the start once per answer."""
        if self.step is None or self.step.question is None or answer is None:
            return None
        return f"{self.lesson.id}:{self.index}:{answer}"


# ---------------------------------------------------------------------- moving between steps


def _forget(link: Link, page: str) -> None:
    """Drop this page's settings and answers, so the next run reads the (new) URL afresh."""
    for key in list(link.fields):
        if key != "present":
            st.session_state.pop(key, None)
    st.session_state[f"_link_loaded:{page}"] = False
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith("answer:")]:
        del st.session_state[key]


def open_step(link: Link, lesson: Lesson, index: int, present: bool) -> None:
    """A callback: open step ``index`` of ``lesson`` with exactly its settings."""
    target = lesson.steps[index]
    query = lessons.step_query(lesson, index, present)
    _forget(link, target.page)
    query = state.app_wide(query)
    if target.page == link.page:
        st.query_params.from_dict(query)
    else:
        _forget(link, link.page)
        st.session_state[SWITCH] = (lessons.PAGES[target.page], query)


def _start_picked(link: Link) -> None:
    picked = st.session_state.pop("lesson_pick", None)
    if picked:
        open_step(link, lessons.all_lessons()[picked], 0, bool(st.session_state.get("present")))


def lesson_picker(link: Link) -> None:
    """Start one of the shipped lessons (its first step, with its settings)."""
    all_ = lessons.all_lessons()
    # Made now, in this run's language (Streamlit may call format_func outside the run).
    shown = {i: _("{number}. {title}", number=lesson.number, title=_(lesson.title)) for i, lesson in all_.items()}
    st.selectbox(
        _("Start a lesson"),
        list(all_),
        index=None,
        format_func=shown.__getitem__,
        key="lesson_pick",
        on_change=_start_picked,
        args=(link,),
        placeholder=_("choose a lesson"),
    )


# ---------------------------------------------------------------------- sharing


def address_for_students() -> str:
    """The network address Streamlit prints for other machines ("Network URL"), with this page's path."""
    host = net_util.get_internal_ip() or "localhost"
    port = st_config.get_option("server.port")
    base = (st_config.get_option("server.baseUrlPath") or "").strip("/")
    url = st.context.url or ""
    path = url.split("://", 1)[-1].partition("/")[2].partition("?")[0] if url else ""
    path = path.removeprefix(base).strip("/") if base else path.strip("/")
    parts = [p for p in (base, path) if p]
    return f"http://{host}:{port}/" + "/".join(parts)


def qr_svg(text_: str) -> str:
    """A QR code of ``text_`` as inline SVG (segno, drawn here: nothing is fetched)."""
    buffer = io.BytesIO()
    segno.make(text_, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


def _query_string() -> str:
    query = st.query_params.to_dict()
    return ("?" + urlencode(query)) if query else ""


def share(link: Link, box) -> None:
    """Copy this view's link, and a QR code of it for phones, at an address the teacher can set.

    ``box`` is the container :func:`sidebar_panel` kept for it; a page calls this last, once
    every setting is in the link, so the QR code says all of them. The copy button, the
    address and the QR code are drawn only while their popover is open (``on_change="rerun"``):
    a student's first load does not pay for them.
    """
    with box.popover(_("Share"), icon=":material/share:", key="share_open", on_change="rerun", width="stretch") as pop:
        if not pop.open:
            return
        copy_link.button(key="copy_link")
        code = st.container()  # the QR code above the address: in view at 1366 x 768
        address = st.text_input(
            _("address for students' phones"),
            value=address_for_students(),
            key="share_address",
            help=_("The Network URL Streamlit printed when it started. localhost only works on this machine."),
            persist_state="session",  # the address a teacher typed outlives the popover
        )
        target = address.rstrip("?") + _query_string()
        code.image(qr_svg(target), width=180)  # st.html would strip the <svg>
        code.caption(target)


def sidebar_panel(room: Classroom, link: Link):
    """The sidebar's classroom panel (start a lesson, present); returns where :func:`share` goes.

    In a lesson the lesson bar replaces the panel, and sharing sits in the bar.
    """
    if room.active:
        return room.share_box
    with st.sidebar.expander(_(MENU)):
        lesson_picker(link)
        st.toggle(_(PRESENT), key="present", help=_(PRESENT_HELP))
        return st.container()
