"""A DLI's users page, and the primary user's invitation pages: invite a secondary user,
re-send or cancel an invitation."""

from allauth.decorators import rate_limit
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from loaportal.core.access import member, primary
from loaportal.core.forms import form_add_service_error
from loaportal.institutions.models import Membership
from loaportal.institutions.selectors import membership_list
from loaportal.invitations.forms import InvitationForm
from loaportal.invitations.selectors import invitation_pending_list, invitation_visible_to
from loaportal.invitations.services import (
    InvitationError,
    invitation_resend,
    invitation_revoke,
    invitation_send,
)


@member
def users(request):
    """Every member sees the DLI's users and pending invitations; the primary user manages them."""
    membership = request.membership
    return render(
        request,
        "institutions/users.html",
        {
            "membership": membership,
            "members": membership_list(institution=membership.institution),
            "invitations": invitation_pending_list(
                institution=membership.institution, role=Membership.Role.SECONDARY
            ),
        },
    )


@primary
@rate_limit(action="invitation_send")
def invitation_create(request):
    """Invite a secondary user by email ("Nouvelle requête" / "New request")."""
    membership = request.membership
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = invitation_send(
                institution=membership.institution,
                email=form.cleaned_data["email"],
                role=Membership.Role.SECONDARY,
                invited_by=request.user,
                language=(translation.get_language() or "fr")[:2],
            )
        except InvitationError as exc:
            form_add_service_error(form, exc, default="email")
        else:
            messages.success(
                request,
                _("An invitation code was sent to %(email)s.") % {"email": sent.invitation.email},
            )
            return redirect("invitations:users")
    return render(
        request, "invitations/invitation_create.html", {"form": form, "membership": membership}
    )


@primary
@require_http_methods(["GET", "POST"])
@rate_limit(action="invitation_send")
def invitation_manage(request, pk: int):
    """Re-send (new code, old one dead) or cancel a pending invitation of the user's own DLI.

    Cancelling cannot be undone, so "Cancel the invitation" on the users page opens a
    confirmation step (GET ``?action=cancel``); only its POST cancels.
    """
    invitation = get_object_or_404(
        invitation_visible_to(user=request.user).pending().filter(role=Membership.Role.SECONDARY),
        pk=pk,
    )
    if request.method == "GET":
        if request.GET.get("action") != "cancel":
            return redirect("invitations:users")
        return render(request, "invitations/invitation_cancel.html", {"invitation": invitation})
    action = request.POST.get("action")
    try:
        if action == "resend":
            invitation_resend(invitation=invitation, sent_by=request.user)
            messages.success(
                request,
                _("A new invitation code was sent to %(email)s. The previous code no longer works.")
                % {"email": invitation.email},
            )
        elif action == "cancel":
            invitation_revoke(invitation=invitation, revoked_by=request.user)
            messages.success(
                request,
                _("The invitation to %(email)s was cancelled.") % {"email": invitation.email},
            )
    except InvitationError as exc:
        messages.error(request, exc.message)
    return redirect("invitations:users")
