from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from loaportal.core.admin import OfficerAdminMixin, ReadOnlyOfficerAdminMixin
from loaportal.core.exceptions import ApplicationError
from loaportal.core.http import SignedInRequest
from loaportal.institutions.models import Institution, Membership, UserChangeRequest
from loaportal.invitations.models import Invitation
from loaportal.invitations.onboarding import institution_primary_invitation_send


class MembershipInline(ReadOnlyOfficerAdminMixin, admin.TabularInline):
    """Memberships change only through invitations, requests and deactivation (audited); ended
    ones stay listed with when, why and by whom."""

    model = Membership
    extra = 0
    fields = ("user", "role", "created_at", "ended_at", "end_reason", "ended_by")
    readonly_fields = fields
    can_delete = False


class InvitationInline(ReadOnlyOfficerAdminMixin, admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ("email", "role", "created_at", "expires_at", "used_at", "revoked_at")
    readonly_fields = fields
    can_delete = False
    ordering = ("-created_at",)


@admin.register(Institution)
class InstitutionAdmin(OfficerAdminMixin, admin.ModelAdmin):
    """Officers correct a DLI's names and details here. A DLI is onboarded on the officers'
    onboarding page (or ``loaportal create_dli``), which also invites its primary user and
    records the audit entry; its DLI number never changes."""

    list_display = ("dli_number", "name_en", "name_fr", "province", "post_secondary")
    search_fields = ("dli_number", "name_en", "name_fr")
    list_filter = ("province", "post_secondary")
    readonly_fields = ("dli_number", "created_at")
    inlines = [MembershipInline, InvitationInline]
    actions = ["resend_primary_invitation"]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # "Add" in the back office is the onboarding page: one path that creates the DLI,
        # invites its primary user and records the audit entry.
        return redirect("officers:dli_onboard")

    def has_delete_permission(self, request: HttpRequest, obj: Institution | None = None) -> bool:
        return False

    @admin.action(
        description=_("Send a fresh primary-user invitation (the old code stops working)")
    )
    def resend_primary_invitation(
        self, request: SignedInRequest, queryset: QuerySet[Institution]
    ) -> None:
        for institution in queryset:
            try:
                sent = institution_primary_invitation_send(
                    institution=institution, officer=request.user
                )
            except ApplicationError as exc:
                self.message_user(
                    request, f"{institution.dli_number}: {exc.message}", messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    _("Invitation sent to %(email)s for %(dli)s.")
                    % {"email": sent.invitation.email, "dli": institution.dli_number},
                    messages.SUCCESS,
                )


@admin.register(UserChangeRequest)
class UserChangeRequestAdmin(ReadOnlyOfficerAdminMixin, admin.ModelAdmin):
    """Read-only: officers decide requests on the back-office request pages, which apply them."""

    list_display = ("submitted_at", "institution", "kind", "status", "requested_by", "decided_at")
    list_filter = ("status", "kind")
    search_fields = ("institution__dli_number", "institution__name_en", "requested_by__email")
    list_select_related = ("institution", "requested_by")
    readonly_fields = [f.name for f in UserChangeRequest._meta.fields]
