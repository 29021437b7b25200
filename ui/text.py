"""Text shown verbatim inside Streamlit's Markdown elements (errors, warnings)."""

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(message: str) -> str:
    """``message`` with every Markdown character escaped, so ``__import__`` stays ``__import__``."""
    return _SPECIAL.sub(r"\\\1", message)
