"""Sentences lrcore says are English source text that the dashboard translates.

``N_`` marks a string for the message catalog (``tools/messages.py`` extracts every
``N_("...")``) and returns it unchanged: lrcore never translates; the UI passes the
string through its ``_`` where it shows it.
"""


def N_(message: str) -> str:
    return message
