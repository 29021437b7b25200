"""Lessons: declarative files in ``lessons/`` read into plain values. No code per lesson.

A lesson is a TOML file ``lessons/NN-id.toml`` (NN orders the course) that
``lessons/schema.json`` describes; ``tests/test_lessons.py`` validates every file against
it and opens every step. A step names the page it opens, the settings it loads (query
parameters, exactly as a link writes them), the controls it shows (every other control of
the page is hidden), what to point at, and optionally a question to predict before the
result is shown. The answer is never in the file: :func:`lrcore.predict.judge` reads it off
the race.

A lesson's texts (titles, summary, points, prompts) are English message ids:
``tools/messages.py`` extracts them, and the classroom and the Lessons page show them
through ``_()``; the values here stay English.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1] / "lessons"
SCHEMA = FOLDER / "schema.json"

# The pages a lesson can open, and the controls each can show (a control is a widget, or
# a group of widgets that belong together, such as the race's lane picker).
PAGES = {"race": "app_pages/decay_race.py", "step": "app_pages/what_is_a_step.py"}
CONTROLS = {
    "race": ("lr", "lanes", "steps", "runs", "seed", "epoch", "batch", "sigma", "noise", "kappa", "angle", "scale"),
    "step": ("n", "batch", "drop", "lr0", "ds", "dr", "stair", "forget", "experiment"),
}


@dataclass(frozen=True)
class Question:
    kind: str  # lrcore.predict.KINDS
    prompt: str
    lane: int = 0


@dataclass(frozen=True)
class Step:
    page: str
    title: str
    point: str
    settings: tuple[tuple[str, str], ...] = ()  # (query key, raw value), as a link says it
    controls: tuple[str, ...] = ()
    question: Question | None = None


@dataclass(frozen=True)
class Lesson:
    id: str
    number: int
    title: str
    summary: str
    steps: tuple[Step, ...]


def _raw(value) -> str:
    """A TOML value as a link would write it (true -> "1", 0.25 -> "0.25")."""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _step(data: dict, where: str) -> Step:
    page = data["page"]
    if page not in PAGES:
        raise ValueError(f"{where}: page must be one of {', '.join(PAGES)}; got {page!r}")
    unknown = [c for c in data.get("controls", []) if c not in CONTROLS[page]]
    if unknown:
        raise ValueError(f"{where}: controls must be among {', '.join(CONTROLS[page])}; got {', '.join(unknown)}")
    question = data.get("question")
    return Step(
        page=page,
        title=data["title"],
        point=data["point"],
        settings=tuple((k, _raw(v)) for k, v in data.get("settings", {}).items()),
        controls=tuple(data.get("controls", [])),
        question=None if question is None else Question(question["kind"], question["prompt"], int(question.get("lane", 0))),
    )


def read(path: Path) -> Lesson:
    number, _, ident = path.stem.partition("-")
    if not (number.isdigit() and ident):
        raise ValueError(f"{path.name}: a lesson file is named NN-id.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    steps = tuple(_step(s, f"{path.name} step {i + 1}") for i, s in enumerate(data["steps"]))
    return Lesson(id=ident, number=int(number), title=data["title"], summary=data["summary"], steps=steps)


@functools.cache
def all_lessons() -> dict[str, Lesson]:
    """Every lesson, in course order, by id."""
    lessons = sorted((read(p) for p in FOLDER.glob("*.toml")), key=lambda lesson: lesson.number)
    return {lesson.id: lesson for lesson in lessons}


def step_query(lesson: Lesson, index: int, present: bool = False) -> dict[str, str]:
    """The query parameters that open step ``index`` (0-based) of ``lesson``."""
    query = {"lesson": lesson.id, "step": str(index + 1)}
    if present:
        query["present"] = "1"
    return query
