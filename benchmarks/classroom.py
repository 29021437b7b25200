"""A class of students on one server: sessions that speak Streamlit's websocket protocol.

Each student is one websocket session on loopback, as a browser tab would be: it opens
the page (its own ``seed=N`` in the query string), waits for the first run to finish,
then moves one slider ``presses`` times, ``gap`` seconds apart, each press a full rerun
with the slider's new value, and records the seconds from sending the press to the
server's "script finished". All students run concurrently from one asyncio loop; every
wait has a timeout, so a run always ends by itself.

Used by ``benchmarks/bench_classroom.py``; the protocol pieces (BackMsg, ForwardMsg,
WidgetState) are Streamlit's own protobufs.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


@dataclass
class Student:
    seed: int
    first_run: float = float("nan")  # seconds from connecting to the first script finished
    presses: list[float] = field(default_factory=list)  # seconds per press
    failures: list[str] = field(default_factory=list)
    largest_frame: int = 0  # bytes


def _rerun(query: str, slider_id: str | None = None, value: float | None = None) -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = query
    if slider_id is not None:
        state = msg.rerun_script.widget_states.widgets.add()
        state.id = slider_id
        state.double_array_value.data.append(value)
    return msg.SerializeToString()


async def _until_finished(ws, student: Student, label: str, timeout: float) -> tuple[str | None, float | None]:
    """Read messages until the script finishes; return the slider ``label``'s id and value."""
    slider_id = value = None
    deadline = time.monotonic() + timeout
    while True:
        raw = await asyncio.wait_for(ws.recv(), max(deadline - time.monotonic(), 0.01))
        student.largest_frame = max(student.largest_frame, len(raw))
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "slider" and element.slider.label == label:
                slider_id = element.slider.id
                value = element.slider.value[0] if element.slider.value else element.slider.default[0]
            if element.WhichOneof("type") == "exception":
                student.failures.append(element.exception.message[:200])
        elif kind == "script_finished":
            if msg.script_finished in FINISHED:
                return slider_id, value
            if msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                student.failures.append(f"script finished with {msg.script_finished}")
                return slider_id, value


async def student_session(url: str, student: Student, label: str, presses: int, gap: float, step: float, timeout: float):
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    query = f"seed={student.seed}"
    start = time.monotonic()
    try:
        async with websockets.connect(ws_url, subprotocols=["streamlit"], origin=url, max_size=None) as ws:
            await ws.send(_rerun(query))
            slider_id, value = await _until_finished(ws, student, label, timeout)
            student.first_run = time.monotonic() - start
            if slider_id is None:
                student.failures.append(f"no slider labelled {label!r}")
                return
            for i in range(presses):
                await asyncio.sleep(gap)
                value = round(value + step, 6)
                sent = time.monotonic()
                await ws.send(_rerun(query, slider_id, value))
                await _until_finished(ws, student, label, timeout)
                student.presses.append(time.monotonic() - sent)
    except (asyncio.TimeoutError, OSError, websockets.WebSocketException) as err:
        student.failures.append(f"{type(err).__name__}: {err}")


async def classroom(url: str, n: int, label: str, presses: int = 5, gap: float = 0.5, step: float = 0.001, timeout: float = 180.0):
    students = [Student(seed=k + 1) for k in range(n)]
    await asyncio.gather(*(student_session(url, s, label, presses, gap, step, timeout) for s in students))
    return students
