"""A DLI's requests to IRCC about its users (primary user only)."""

from __future__ import annotations

from typing import Any

from allauth.decorators import rate_limit
from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from loaportal.core.access import primary
from loaportal.core.forms import form_add_service_error
from loaportal.core.http import MemberRequest
from loaportal.institutions.models import UserChangeRequest
from loaportal.institutions.selectors import (
    user_change_request_list,
    user_change_request_visible_to,
)
from loaportal.user_changes.forms import ChangePrimaryForm, RemoveUserForm
from loaportal.user_changes.services import UserChangeRequestError, user_change_request_submit


@primary
def request_list(request: MemberRequest) -> HttpResponse:
    membership = request.membership
    return render(
        request,
        "user_changes/user_change_requests.html",
        {
            "membership": membership,
            "change_requests": user_change_request_list(institution=membership.institution),
        },
    )


@primary
def request_detail(request: MemberRequest, pk: int) -> HttpResponse:
    membership = request.membership
    change_request = get_object_or_404(user_change_request_visible_to(user=request.user), pk=pk)
    return render(
        request,
        "user_changes/user_change_request_detail.html",
        {"membership": membership, "change_request": change_request},
    )


def _submit(
    request: MemberRequest,
    form: forms.Form,
    rename: dict[str, str] | None = None,
    **arguments: Any,
) -> HttpResponse | None:
    try:
        change_request = user_change_request_submit(requested_by=request.user, **arguments)
    except UserChangeRequestError as exc:
        form_add_service_error(form, exc, rename=rename)
        return None
    messages.success(
        request,
        _("Your request was submitted to IRCC. You will receive an email when it is decided."),
    )
    return redirect("user_changes:request_detail", pk=change_request.pk)


@primary
@rate_limit(action="user_change_request")  # type: ignore[untyped-decorator]  # allauth: no types
def request_change_primary(request: MemberRequest) -> HttpResponse:
    """ "Change the primary user"."""
    membership = request.membership
    form = ChangePrimaryForm(request.POST or None, institution=membership.institution)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _submit(
            request,
            form,
            rename={"membership": "new_primary"},
            kind=UserChangeRequest.Kind.CHANGE_PRIMARY,
            reason=data["reason"],
            explanation=data["explanation"],
            membership=data.get("new_primary"),
            new_primary_email=data.get("new_primary_email") or "",
            former_primary_outcome=data["former_primary_outcome"],
        )
        if response is not None:
            return response
    return render(
        request,
        "user_changes/user_change_request_change_primary.html",
        {"membership": membership, "form": form},
    )


@primary
@rate_limit(action="user_change_request")  # type: ignore[untyped-decorator]  # allauth: no types
def request_remove(request: MemberRequest) -> HttpResponse:
    """ "Remove a secondary user"."""
    membership = request.membership
    form = RemoveUserForm(request.POST or None, institution=membership.institution)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _submit(
            request,
            form,
            kind=UserChangeRequest.Kind.REMOVE_USER,
            reason=data["reason"],
            explanation=data["explanation"],
            membership=data["membership"],
        )
        if response is not None:
            return response
    return render(
        request,
        "user_changes/user_change_request_remove.html",
        {"membership": membership, "form": form},
    )
