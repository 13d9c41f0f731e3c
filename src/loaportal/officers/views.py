"""Officers' pages: the queue of user-change requests, DLIs, onboarding, deactivation.

Every view here is ``officer`` only; officers have no DLI membership and never use DLI pages.
The Django admin (``back-office/``) complements these pages for browsing, including the audit
trail.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from loaportal.accounts.selectors import user_visible_to
from loaportal.accounts.services import AccountError
from loaportal.core.access import officer
from loaportal.core.exceptions import ApplicationError
from loaportal.core.forms import form_add_service_error
from loaportal.core.http import SignedInRequest
from loaportal.institutions.models import Membership, UserChangeRequest
from loaportal.institutions.selectors import (
    institution_search,
    institution_visible_to,
    membership_list,
    membership_visible_to,
    user_change_request_list,
    user_change_request_queue,
    user_change_request_visible_to,
)
from loaportal.institutions.services import user_deactivate
from loaportal.invitations.onboarding import (
    institution_onboard,
    institution_primary_invitation_send,
)
from loaportal.invitations.selectors import invitation_language_latest, invitation_pending_list
from loaportal.officers.forms import (
    DeactivateForm,
    OnboardForm,
    PrimaryInvitationForm,
    RefuseForm,
)
from loaportal.user_changes.services import user_change_request_approve, user_change_request_refuse

PAGE_SIZE = 50


@officer
def officer_user_change_requests(request: SignedInRequest) -> HttpResponse:
    """The queue of user-change requests: open ones oldest first, or decided ones."""
    status = request.GET.get("status")
    if status not in UserChangeRequest.Status.values:
        status = UserChangeRequest.Status.SUBMITTED
    page = Paginator(user_change_request_queue(status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "officers/requests.html",
        {"page": page, "status": status, "statuses": UserChangeRequest.Status.choices},
    )


@officer
def officer_user_change_request(request: SignedInRequest, pk: int) -> HttpResponse:
    """One request, with "Approve" and "Refuse" (a refusal needs a reason).

    Approving applies the change at once and cannot be undone, so "Approve" opens a
    confirmation step (GET ``?confirm=approve``) whose button posts the approval.
    """
    change_request = get_object_or_404(user_change_request_visible_to(user=request.user), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    form = RefuseForm(request.POST if action == "refuse" else None)
    if action == "approve" or (action == "refuse" and form.is_valid()):
        try:
            if action == "approve":
                user_change_request_approve(change_request=change_request, decided_by=request.user)
                messages.success(request, _("The request was approved and applied."))
            else:
                user_change_request_refuse(
                    change_request=change_request,
                    decided_by=request.user,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("The request was refused."))
        except ApplicationError as exc:
            if action == "refuse" and exc.field == "reason":
                form_add_service_error(form, exc)
            else:
                messages.error(request, exc.message)
                return redirect("officers:user_change_request_detail", pk=change_request.pk)
        else:
            return redirect("officers:user_change_request_detail", pk=change_request.pk)
    members = membership_list(institution=change_request.institution)
    confirming = (
        request.method == "GET"
        and request.GET.get("confirm") == "approve"
        and change_request.is_open
    )
    return render(
        request,
        "officers/request.html",
        {
            "change_request": change_request,
            "form": form,
            "members": members,
            "confirming_approval": confirming,
        },
    )


@officer
def officer_dlis(request: SignedInRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    page = Paginator(institution_search(query=query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "officers/dlis.html", {"page": page, "query": query})


@officer
def officer_dli(request: SignedInRequest, pk: int) -> HttpResponse:
    """A DLI: its users (with "Deactivate"), its invitations, its requests; send the primary
    user's invitation while the DLI has no primary user."""
    institution = get_object_or_404(institution_visible_to(user=request.user), pk=pk)
    language = invitation_language_latest(institution=institution, role=Membership.Role.PRIMARY)
    form = PrimaryInvitationForm(request.POST or None, initial={"language": language or "fr"})
    if request.method == "POST" and form.is_valid():
        try:
            sent = institution_primary_invitation_send(
                institution=institution,
                email=form.cleaned_data["email"] or None,
                language=form.cleaned_data["language"],
                officer=request.user,
            )
        except ApplicationError as exc:
            form_add_service_error(form, exc, default="email")
        else:
            messages.success(
                request,
                _("An invitation code was sent to %(email)s.") % {"email": sent.invitation.email},
            )
            return redirect("officers:dli_detail", pk=institution.pk)
    members = membership_list(institution=institution)
    return render(
        request,
        "officers/dli.html",
        {
            "institution": institution,
            "members": members,
            "has_primary": any(m.role == Membership.Role.PRIMARY for m in members),
            "invitations": invitation_pending_list(institution=institution),
            "change_requests": user_change_request_list(institution=institution)[:20],
            "form": form,
        },
    )


@officer
def officer_dli_onboard(request: SignedInRequest) -> HttpResponse:
    """Onboard a DLI and email its primary representative an invitation code."""
    form = OnboardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = institution_onboard(
                dli_number=data["dli_number"],
                name_en=data["name_en"],
                name_fr=data["name_fr"],
                province=data["province"],
                primary_email=data["primary_email"],
                language=data["language"],
                officer=request.user,
            )
        except (ValidationError, ApplicationError) as exc:
            form_add_service_error(form, exc, rename={"email": "primary_email"})
        else:
            messages.success(
                request,
                _("The DLI was created and an invitation code was sent to %(email)s.")
                % {"email": sent.invitation.email},
            )
            return redirect("officers:dli_detail", pk=sent.invitation.institution_id)
    return render(request, "officers/onboard.html", {"form": form})


@officer
def officer_user_deactivate(request: SignedInRequest, pk: int) -> HttpResponse:
    """Deactivate an account: its DLI membership ends, sign-in fails, its sessions end."""
    account = get_object_or_404(user_visible_to(user=request.user), pk=pk)
    membership = membership_visible_to(user=request.user).filter(user=account).first()
    form = DeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_deactivate(
                user=account, deactivated_by=request.user, reason=form.cleaned_data["reason"]
            )
        except AccountError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(
                request, _("The account of %(email)s was deactivated.") % {"email": account.email}
            )
            if membership is not None:
                return redirect("officers:dli_detail", pk=membership.institution_id)
            return redirect("officers:dli_list")
    return render(
        request,
        "officers/deactivate.html",
        {"account": account, "membership": membership, "form": form},
    )
