"""French typography: the non-breaking spaces Canadian French puts around some punctuation.

Catalog strings carry them already; this helper also catches text composed at run time (a
label and an error, a person's explanation, allauth's strings) in emails and pages. It only
turns an existing ordinary space into a non-breaking one, so it never changes text that has no
space there (addresses like ``https://…``, times like ``15:12``) and leaves English as it is.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
_BEFORE = re.compile(r"[ \t]+([:?!»])")
_AFTER = re.compile(r"(«)[ \t]+")


def french_spacing(text: str) -> str:
    """``Motif : « Autre » ?`` with non-breaking spaces before ``: ? ! »`` and after ``«``."""
    text = _BEFORE.sub(NBSP + r"\1", text)
    return _AFTER.sub(r"\1" + NBSP, text)
