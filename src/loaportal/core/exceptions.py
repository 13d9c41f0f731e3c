"""Domain errors. Services raise these; views turn them into form errors or messages.

Each carries a user-facing message (a lazy translation) and a stable ``code`` that tests and
integrating systems can rely on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ApplicationError(Exception):
    code = "application_error"

    def __init__(self, message: StrOrPromise, *, code: str | None = None, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.field = field
