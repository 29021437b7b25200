"""The message catalog's upkeep: extract the English ids, merge them into each language, list gaps.

    python tools/messages.py            # extract + update every language + list what is untranslated
    python tools/messages.py --check    # only list (exit 1 if anything is missing or stale)
    python tools/messages.py --files app_pages/decay_race.py ui/lanes.py   # list gaps from these files only
    python tools/messages.py --part race --files app_pages/decay_race.py ui/lanes.py
        # write the untranslated ids of those files into locales/zh/parts/race.po (kept
        # translations stay): for translating in parallel without touching messages.po
    python tools/messages.py --fold     # merge locales/zh/parts/*.po into messages.po, delete them

The ids come from ``_("…")``, ``_n("…", "…", n)`` and ``N_("…")`` in ``app.py``, ``app_pages/``,
``ui/`` and ``lrcore/``, and from the text fields of ``lessons/*.toml`` (title, summary, each
step's title, point, question prompt and choices). ``locales/messages.pot`` is the list of
ids (generated, not kept in git); ``locales/<lang>/LC_MESSAGES/messages.po`` the translations (Babel keeps what is there,
adds new ids empty and marks vanished ones obsolete).
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tomllib
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
POT = LOCALES / "messages.pot"
LANGUAGES = ("zh",)
STAMP = datetime.datetime(2026, 12, 3, tzinfo=datetime.timezone.utc)  # fixed: no churn in the header
KEYWORDS = {"_": None, "N_": None, "_n": (1, 2)}
METHODS = [
    ("app.py", "python"),
    ("app_pages/**.py", "python"),
    ("ui/**.py", "python"),
    ("lrcore/**.py", "python"),
    ("lessons/*.toml", "tools.messages:extract_lessons"),
]
LESSON_TEXT = ("title", "summary", "point", "prompt")


def extract_lessons(fileobj, keywords, comment_tags, options):
    """Babel extractor for a lesson file: every text a student reads, with its line number."""
    raw = fileobj.read().decode("utf-8")
    data = tomllib.loads(raw)
    lines = raw.splitlines()

    def line_of(text: str) -> int:
        needle = text[:40]
        return next((i + 1 for i, line in enumerate(lines) if needle in line), 1)

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in LESSON_TEXT and isinstance(value, str):
                    yield value
                elif key == "choices" and isinstance(value, list):
                    yield from (v for v in value if isinstance(v, str))
                elif key != "settings":
                    yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    for text in walk(data):
        yield line_of(text), "_", text, []


def latex_words(path: Path):
    """(line, piece) for each formula word lrcore writes (``ui.text.LATEX_WORDS``), from its string literals."""
    import io
    import tokenize

    from ui.text import LATEX_WORDS

    for token in tokenize.tokenize(io.BytesIO(path.read_bytes()).readline):
        if token.type != tokenize.STRING:
            continue
        literal = token.string
        if "f" in literal[: literal.index(literal[-1])].lower():  # an f-string writes a brace as two
            literal = literal.replace("{{", "{").replace("}}", "}")
        for piece in LATEX_WORDS.findall(literal):
            yield token.start[0], piece


def extract() -> Catalog:
    """Every id in the code and the lessons, with where it comes from (formula words included)."""
    catalog = Catalog(project="Learning-Rate Decay Lab", charset="utf-8", creation_date=STAMP, revision_date=STAMP)
    sys.path.insert(0, str(ROOT))
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, comment_tags=("i18n:",), strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for path in sorted((ROOT / "lrcore").rglob("*.py")):
        for lineno, piece in latex_words(path):
            catalog.add(piece, None, [(str(path.relative_to(ROOT)), lineno)], auto_comments=["a formula's words (LaTeX text mode)"])
    return catalog


def main_po(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / "messages.po"


def _read_one(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def read(language: str, parts: bool = True) -> Catalog:
    """The language's catalog: messages.po, with the parts' translations on top (if any)."""
    path = main_po(language)
    po = _read_one(path, language) if path.exists() else Catalog(locale=language, creation_date=STAMP, revision_date=STAMP)
    if parts:
        for part in sorted((LOCALES / language / "parts").glob("*.po")):
            for message in _read_one(part, language):
                if message.id and message.string and not message.fuzzy:
                    # Replace, not po[id] = message: Babel's __setitem__ on an id already in
                    # messages.po (empty or fuzzy) keeps the old string and its fuzzy flag.
                    po.delete(message.id, message.context)
                    po[message.id] = message
    return po


def write(catalog: Catalog, path: Path, **kw) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_by_file=True, **kw)


def gaps(template: Catalog, language: str, files: list[str] | None = None) -> list[tuple[str, str]]:
    """(where, id) of every id with no translation (or a fuzzy one) in ``language``."""
    po = read(language)
    out = []
    for message in template:
        if not message.id:
            continue
        where = [f for f, _ in message.locations]
        if files and not any(f in files for f in where):
            continue
        done = po.get(message.id, message.context)
        text = done.string if done is not None else ""
        if isinstance(text, tuple):
            text = text[0]
        if done is None or done.fuzzy or not text:
            out.append((f"{where[0]}:{message.locations[0][1]}" if where else "?", message.id if isinstance(message.id, str) else message.id[0]))
    return out


def write_part(template: Catalog, name: str, files: list[str]) -> int:
    """A part file for translating ``files``' ids apart from the others (kept entries stay)."""
    for language in LANGUAGES:
        path = LOCALES / language / "parts" / f"{name}.po"
        part = _read_one(path, language) if path.exists() else Catalog(locale=language, creation_date=STAMP, revision_date=STAMP)
        done = read(language)
        for message in template:
            if not message.id or not any(f in files for f, _ in message.locations):
                continue
            translated = done.get(message.id, message.context)
            if message.id in part or (translated is not None and translated.string and not translated.fuzzy):
                continue
            part.add(message.id, "" if isinstance(message.id, str) else ("",), message.locations, context=message.context)
        write(part, path)
        print(f"{path.relative_to(ROOT)}: {sum(1 for m in part if m.id)} ids, "
              f"{sum(1 for m in part if m.id and not m.string)} to translate", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only list what is missing")
    parser.add_argument("--files", nargs="*", help="only ids used in these files")
    parser.add_argument("--part", help="write the files' untranslated ids to locales/zh/parts/PART.po")
    parser.add_argument("--fold", action="store_true", help="merge the parts into messages.po")
    args = parser.parse_args(argv)
    template = extract()
    if args.part:
        return write_part(template, args.part, args.files or [])
    if args.fold:
        for language in LANGUAGES:
            po = read(language)
            po.update(template, update_header_comment=False)
            write(po, main_po(language), ignore_obsolete=True)
            for part in (LOCALES / language / "parts").glob("*.po"):
                part.unlink()
        return 0
    if not args.check:
        write(template, POT, omit_header=False)
        for language in LANGUAGES:
            po = read(language)
            po.update(template, update_header_comment=False)
            write(po, main_po(language), ignore_obsolete=True)
    missing = 0
    for language in LANGUAGES:
        for where, message in gaps(template, language, args.files):
            print(f"{language}\t{where}\t{message}")
            missing += 1
    print(f"{len(template)} ids, {missing} untranslated", file=sys.stderr)
    return 1 if (args.check and missing) else 0


if __name__ == "__main__":
    sys.exit(main())
