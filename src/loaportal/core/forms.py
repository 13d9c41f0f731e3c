"""What every form shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError

from loaportal.core.exceptions import ApplicationError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# An email address field: no spelling fixes or capitals from the browser, no autofill of the
# person's own address where the form asks for someone else's (override "autocomplete").
EMAIL_ATTRS = {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}


def form_add_service_error(
    form: forms.Form,
    error: ApplicationError | ValidationError,
    *,
    default: str | None = None,
    rename: dict[str, str] | None = None,
) -> None:
    """Show a service's refusal on a form, the one way every view and form does it.

    Services name the argument an error concerns (``error.field``), never a form's field:
    ``rename`` maps an argument to this form's field, ``default`` is the field for an error
    that names none. An error about something the form has no field for is shown for the form
    as a whole. A ``ValidationError`` (from a model's ``full_clean``) is shown field by field.
    """
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                for message in messages:
                    _add(form, (rename or {}).get(field, field), message)
        else:
            for message in error.messages:
                _add(form, default, message)
        return
    argument = error.field or default
    _add(form, (rename or {}).get(argument, argument) if argument else None, error.message)


def _add(form: forms.Form, field: str | None, message: StrOrPromise) -> None:
    form.add_error(field if field in form.fields else None, message)
