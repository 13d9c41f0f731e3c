"""The API's one error shape, and its codes.

Every refusal is ``{"code": ..., "message": ..., "field": ..., "index": ..., "errors": ...}``:
``code`` is stable (integrators branch on it), ``message`` is in the caller's
``Accept-Language`` (French or English), ``field`` names the input concerned, ``index`` the
item of a batch, ``errors`` lists each bad input of a request that failed validation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MESSAGES: dict[str, StrOrPromise] = {
    "token_missing": _("Send an API token: Authorization: Bearer <token>."),
    "token_invalid": _("This API token is not valid."),
    "token_revoked": _("This API token was revoked."),
    "token_expired": _("This API token has expired."),
    "token_owner_inactive": _(
        "The user who created this API token no longer has access: create a new token."
    ),
    "wrong_side": _("This API token cannot be used for these paths."),
    "scope_insufficient": _(
        "This API token may only read: recording decisions needs a token with the scope “decide”."
    ),
    "rate_limited": _("Too many calls with this API token: try again in a moment."),
    "not_found": _("There is no such verification request, or it is not yours to see."),
    "invalid_input": _("Some values in the call are not valid: see “errors”."),
    "cursor_invalid": _("This cursor is not valid: start again without it."),
    "already_decided_same_outcome": _(
        "This request was already decided with this outcome: nothing changed."
    ),
    "application_number_conflict": _(
        "A request with this application number already exists with different data."
    ),
    "bad_request": _("The call could not be read."),
}


class ApiError(Exception):
    """A refusal in the documented shape, with its HTTP status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: StrOrPromise | None = None,
        *,
        field: str | None = None,
        index: int | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message if message is not None else MESSAGES.get(code, code)
        self.field = field
        self.index = index
        self.headers = headers or {}

    def body(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": str(self.message),
            "field": self.field,
            "index": self.index,
            "errors": None,
        }
