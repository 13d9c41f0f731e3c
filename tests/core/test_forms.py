"""One helper shows a service's refusal on a form (core.forms.form_add_service_error)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from loaportal.core.exceptions import ApplicationError
from loaportal.core.forms import form_add_service_error


class _Form(forms.Form):
    invitation_code = forms.CharField(required=False)
    email = forms.CharField(required=False)


def _form() -> _Form:
    form = _Form({})
    assert form.is_valid()
    return form


def test_the_field_the_service_names():
    form = _form()
    form_add_service_error(form, ApplicationError("Taken.", field="email"))
    assert form.errors == {"email": ["Taken."]}


def test_a_service_argument_renamed_to_the_forms_field():
    form = _form()
    error = ApplicationError("Used.", field="code")
    form_add_service_error(form, error, rename={"code": "invitation_code"})
    assert form.errors == {"invitation_code": ["Used."]}


def test_the_default_field_when_the_service_names_none():
    form = _form()
    form_add_service_error(form, ApplicationError("No."), default="email")
    assert form.errors == {"email": ["No."]}


def test_the_whole_form_when_it_has_no_such_field():
    form = _form()
    form_add_service_error(form, ApplicationError("Gone.", field="membership"))
    assert form.non_field_errors() == ["Gone."]


def test_a_models_validation_error_field_by_field():
    form = _form()
    error = ValidationError({"email": ["Bad."], "dli_number": ["Wrong."], "__all__": ["All."]})
    form_add_service_error(form, error)
    assert form.errors["email"] == ["Bad."]
    assert form.non_field_errors() == ["Wrong.", "All."]
