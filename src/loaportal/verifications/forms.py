"""Forms of the verification pages: the DLI's decision, the queue's search and assignee
filter, the assignment, the officers' filters and their "add a request" form. Validation that
concerns the data (the DLI, the document, the deadline, who may decide) is the services' job;
these forms check the shape."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loaportal.accounts.models import User
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.selectors import UNASSIGNED

Status = VerificationRequest.Status

# The comment is required for the two "not verified" outcomes (the service enforces it too).
COMMENT_REQUIRED = {Status.NOT_VERIFIED_NO_MATCH, Status.NOT_VERIFIED_CANCELLED}


def outcome_choices() -> list[tuple[str, str]]:
    return [(str(status), str(Status(status).label)) for status in VerificationRequest.OUTCOMES]


class DecisionForm(forms.Form):
    """The DLI's decision: one outcome (radio buttons named by the outcome labels) and a
    comment. "Continue" shows a summary; "Submit verification" records it."""

    outcome = forms.ChoiceField(
        label=_("Result of the verification"),
        choices=outcome_choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the result of the verification."),
            "invalid_choice": _("Choose the result of the verification."),
        },
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text=_(
            "Optional for “Verified – Matched”; required for the two “Not verified” results "
            "(say what does not match, or when the letter was cancelled or withdrawn)."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        outcome = cleaned.get("outcome")
        comment = (cleaned.get("comment") or "").strip()
        cleaned["comment"] = comment
        if outcome:
            cleaned["outcome_label"] = Status(outcome).label
        if outcome in COMMENT_REQUIRED and not comment:
            self.add_error(
                "comment", _("Enter a comment: it is required when the letter is not verified.")
            )
        return cleaned


def _person_label(user: User) -> str:
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


class QueueSearchForm(forms.Form):
    """The queue's search and its assignee filter (choices: the DLI's users, "Unassigned")."""

    q = forms.CharField(
        label=_("Search by name, application number, student ID or date of birth"),
        required=False,
        max_length=100,
        help_text=_("A date of birth as YYYY-MM-DD, for example 2004-05-17."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)

    def __init__(self, *args: Any, assignees: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("Anyone")),
            (UNASSIGNED, _("Unassigned")),
            *((str(user.pk), _person_label(user)) for user in assignees),
        ]


class AssignForm(forms.Form):
    """Assign a request to a colleague, or to nobody. The choices are the DLI's current users,
    so another DLI's user is refused here already; the service checks again."""

    assignee = forms.ChoiceField(
        label=_("Assign to"),
        error_messages={
            "required": _("Choose a user of your DLI, or nobody."),
            "invalid_choice": _("Choose a user of your DLI, or nobody."),
        },
    )

    def __init__(self, *args: Any, assignees: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.users = {str(user.pk): user for user in assignees}
        field = self.fields["assignee"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (UNASSIGNED, _("Nobody (unassigned)")),
            *((pk, _person_label(user)) for pk, user in self.users.items()),
        ]

    def clean_assignee(self) -> User | None:
        value = self.cleaned_data["assignee"]
        return None if value == UNASSIGNED else self.users[value]


def _status_choices() -> list[tuple[str, str]]:
    return [("", str(_("Any status"))), *((value, str(label)) for value, label in Status.choices)]


class OfficerFilterForm(forms.Form):
    dli = forms.CharField(
        label=_("DLI number"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_status_choices)
    requested_from = forms.DateField(
        label=_("Requested on or after"),
        required=False,
        help_text=_("YYYY-MM-DD"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    requested_to = forms.DateField(
        label=_("Requested on or before"),
        required=False,
        help_text=_("YYYY-MM-DD"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    q = forms.CharField(
        label=_("Name or application number"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=_("YYYY-MM-DD"),
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": _("Enter the date as YYYY-MM-DD."),
            "invalid": _("Enter a date as YYYY-MM-DD."),
        },
    )


def _text(
    label: Any, *, required: bool = True, max_length: int = 200, message: Any = None
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": message} if message else {},
    )


class RequestCreateForm(forms.Form):
    """An officer adds a request by hand (the same service as the CSV import)."""

    application_number = _text(
        _("Application number"), max_length=32, message=_("Enter the application number.")
    )
    dli_number = _text(_("DLI number"), max_length=12, message=_("Enter the DLI number."))
    surname = _text(_("Surname"), message=_("Enter the student's surname."))
    given_names = _text(_("Given names"), message=_("Enter the student's given names."))
    date_of_birth = _date_field(_("Date of birth"))
    program = _text(_("Program (optional)"), required=False)
    start_date = _date_field(_("Start date (optional)"), required=False)
    student_id = _text(_("Student ID (optional)"), required=False, max_length=64)
    loa_number = _text(_("LOA number (optional)"), required=False, max_length=64)
    campus = _text(_("Campus (optional)"), required=False)
    document = forms.FileField(
        label=_("Document uploaded by the student"),
        help_text=_("PDF, JPEG or PNG."),
        error_messages={"required": _("Choose the document file.")},
    )
