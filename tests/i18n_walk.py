"""Everything a student reads on a page, read back from AppTest, and the English left in it.

:func:`texts` walks the element tree: every string field of every element's protobuf
(labels, help texts, options, placeholders, bodies, captions, metric values, expander and tab
labels, table headers and cells), and the text inside each chart (titles, axis titles,
annotations, legend names, hover templates, buttons, the slider's prefix and ``meta``).
Code blocks and raw HTML are left out (code stays in its frameworks' English), and of a
formula only its words are read (``ui.text.LATEX_WORDS``).

:func:`english` finds the English words left in a text: words of three or more Latin
letters that are not a name frameworks spell that way (a parameter, a function, a class, an
optimizer, a product), once LaTeX, inline code and link targets are removed.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from lrcore import export, registry
from tests import apptest_charts
from ui import text

SKIP_ELEMENTS = {"code", "latex", "html", "exception"}  # exception: a traceback is caught elsewhere
SKIP_FIELDS = {
    "id", "form_id", "key", "component_name", "format", "icon", "language", "url", "css", "json",
    "arrow_data", "data", "type", "label_visibility", "value_type", "placeholder_image", "width",
    "element_id", "page_script_hash", "page", "hash", "mime", "file_name", "default_value",
    "theme", "color", "shortcut", "query_string",  # query_string: a page link's target, not its text
}
# Names kept as their owners spell them: frameworks, their classes and functions, optimizers,
# file formats, the texts' own symbols. Parameter names are added from the registry below.
NAMES = {
    "SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Nesterov", "PyTorch", "Keras", "TensorFlow",
    "optax", "JAX", "NumPy", "Streamlit", "Plotly", "Chromium", "Kaleido", "CSV", "PNG", "HTML",
    "URL", "QR", "TF1", "CPU", "ReLU", "softmax", "Glorot", "DataLoader", "torch", "tf", "keras",
    "math", "floor", "exp", "pow", "sqrt", "cos", "log", "min", "max", "abs", "def", "lambda",
    "lr", "global_step", "staircase", "drop_last", "Okabe", "Ito",
    "Nadam", "Adamax", "Momentum",  # as the texts spell the optimizer, in their Chinese too
    "English",  # the language switch names each language in itself
    "Stack", "Overflow", "Towards",  # the texts' publishers as they spell themselves: Stack Overflow, Towards AI
    "True", "False", "None",  # Python's literals, as a parameter's value is written in the frameworks' calls
    "Yarats",  # an author's name (Ma & Yarats 2019, the warmup lab's source)
    "Python",  # the language a pasted decay function is written in
    "Zhang",  # an author's name (Zhang et al. 2019, the race's curvature-shaped noise)
}
NAMES |= {p.name for e in registry.SCHEDULES.values() for p in e.params}
NAMES |= set(registry.SCHEDULES)  # a schedule's name as the code takes it (a refusal says which: warmup)
# A choice's options are values the frameworks spell that way (anneal_strategy="linear",
# mode="triangular", threshold_mode="rel"): the editor offers them as the code takes them.
NAMES |= {str(c) for e in registry.SCHEDULES.values() for p in e.params for c in p.choices if isinstance(c, str)}
NAMES |= {label for label in export.LABELS.values()}
NAMES |= set(export.FRAMEWORKS)

_LATEX = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
_CODE = re.compile(r"`[^`]*`")
_LINK = re.compile(r"\]\([^)]*\)|https?://\S+|/[a-z_]+\?\S*")
_DIRECTIVE = re.compile(r":material/[a-z_]+:|:[a-z]+\[|:(?:red|blue|green|orange|violet|gray|grey|rainbow|primary)-background\[")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_.'’]*")


def english(text: str) -> list[str]:
    """The English words in ``text`` (empty when a Chinese reader meets no English)."""
    text = re.sub(r"\\([^\w\s])", r"\1", text)  # markdown escapes (text.plain): tf\.compat is tf.compat
    text = _LATEX.sub(" ", text)
    text = _CODE.sub(" ", text)
    text = _LINK.sub(" ", text)
    text = _DIRECTIVE.sub(" ", text)
    text = re.sub(r"%\{[^}]*\}|<extra>.*?</extra>|<[^>]+>", " ", text)  # hover template fields, tags
    words = []
    for token in _TOKEN.findall(text):
        token = token.rstrip(".'’")
        if len(token) < 3 or token in NAMES or token.lower() in NAMES:
            continue
        if re.search(r"[0-9_.]", token) or re.search(r"[a-z][A-Z]", token) or token.isupper():
            continue  # identifiers, dotted names, CamelCase classes, acronyms
        words.append(token)
    return words


def _strings(message, skip=SKIP_FIELDS):
    """Every string field of a protobuf message, recursively."""
    for field, value in message.ListFields():
        if field.name in skip:
            continue
        if field.type == field.TYPE_MESSAGE:
            items = value if field.is_repeated else [value]
            for item in items:
                if hasattr(item, "ListFields"):
                    yield from _strings(item, skip)
        elif field.type == field.TYPE_STRING:
            if field.is_repeated:
                yield from value
            else:
                yield value


def _figure_texts(figure: dict):
    layout = figure.get("layout", {})

    def title(obj):
        t = obj.get("title") if isinstance(obj, dict) else None
        return t.get("text") if isinstance(t, dict) else t

    yield title(layout)
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            yield title(axis)
            yield from (str(t) for t in axis.get("ticktext", []) or [])
    yield from (a.get("text") for a in layout.get("annotations", []) or [])
    yield from (title(layout.get("legend", {})),)
    for menu in layout.get("updatemenus", []) or []:
        yield from (b.get("label") for b in menu.get("buttons", []))
    for slider in layout.get("sliders", []) or []:
        yield (slider.get("currentvalue") or {}).get("prefix")
    meta = layout.get("meta")
    if meta is not None:
        yield from _meta_strings(meta)
    for trace in list(figure.get("data", [])) + [t for f in figure.get("frames", []) or [] for t in f.get("data", [])]:
        yield trace.get("name")
        yield trace.get("hovertemplate")
        yield trace.get("legendgrouptitle", {}).get("text") if isinstance(trace.get("legendgrouptitle"), dict) else None
        text = trace.get("text")
        if isinstance(text, str):
            yield text
        elif isinstance(text, list):
            yield from (t for t in text if isinstance(t, str))
        if isinstance(trace.get("header"), dict):  # a go.Table
            yield from (str(v) for v in trace["header"].get("values", []))


def _meta_strings(meta):
    if isinstance(meta, str):
        yield meta
    elif isinstance(meta, dict):
        for value in meta.values():
            yield from _meta_strings(value)
    elif isinstance(meta, list):
        for value in meta:
            yield from _meta_strings(value)


def texts(at) -> list[tuple[str, str]]:
    """(element type, text) for everything the page shows, in page order."""
    out: list[tuple[str, str]] = []

    def visit(node):
        kind = getattr(node, "type", "")
        if kind == "latex":  # a formula's math is not English; its \text{…} words are
            out.extend((kind, piece[len("\\text{"):-1]) for piece in text.LATEX_WORDS.findall(node.proto.body))
            return
        if kind in SKIP_ELEMENTS:
            return
        proto = getattr(node, "proto", None)
        if kind == "bidi_component":
            from ui import charts

            if proto is not None and proto.component_name == charts.NAME:
                figure = json.loads(proto.json)["figure"]
                out.extend((kind, t) for t in _figure_texts(figure) if isinstance(t, str) and t)
            return
        if kind in ("dataframe", "table"):
            try:
                frame = node.value
            except Exception:
                frame = None
            if isinstance(frame, pd.DataFrame):
                out.extend((kind, str(c)) for c in frame.columns)
                out.extend((kind, v) for v in frame.astype(str).to_numpy().ravel() if isinstance(v, str))
        elif proto is not None and hasattr(proto, "ListFields"):
            out.extend((kind, t) for t in _strings(proto) if t)
        children = getattr(node, "children", None)
        if children:
            for child in children.values() if isinstance(children, dict) else children:
                visit(child)

    visit(at._tree)
    return out


def english_left(at) -> list[tuple[str, str, list[str]]]:
    """(element type, text, its English words) for every text with English in it."""
    return [(kind, text, words) for kind, text in texts(at) if (words := english(text))]


assert apptest_charts  # the chart reader this module's chart walk mirrors
