"""Domain errors. Services raise these; views turn them into form errors or messages.

Each carries a user-facing message (a lazy translation) and a stable ``code`` that tests and
integrating systems can rely on.
"""

from django.utils.functional import Promise


class ApplicationError(Exception):
    code = "application_error"

    def __init__(
        self, message: str | Promise, *, code: str | None = None, field: str | None = None
    ):
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.field = field
