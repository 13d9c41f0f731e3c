"""What every form shares."""

from __future__ import annotations

from django import forms

from loaportal.core.exceptions import ApplicationError


def form_add_service_error(
    form: forms.Form,
    error: ApplicationError,
    *,
    default: str | None = None,
    rename: dict[str, str] | None = None,
) -> None:
    """Show a service's refusal on a form: on the field the error names (``rename`` maps a
    service's field name to this form's), else on ``default``; on the form as a whole when the
    form has no such field. Services name fields; forms only validate input."""
    field = error.field or default
    field = (rename or {}).get(field, field) if field else None
    form.add_error(field if field in form.fields else None, error.message)
