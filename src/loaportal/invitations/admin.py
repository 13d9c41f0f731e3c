from django.contrib import admin

from loaportal.core.admin import ReadOnlyOfficerAdminMixin
from loaportal.invitations.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyOfficerAdminMixin, admin.ModelAdmin):
    """Read-only: invitations are sent, re-sent and cancelled by the onboarding and users pages
    (which email the codes and record the audit entries), never typed in or edited here."""

    list_display = (
        "email",
        "institution",
        "role",
        "created_at",
        "expires_at",
        "used_at",
        "revoked_at",
    )
    list_filter = ("role",)
    search_fields = ("email", "institution__dli_number", "institution__name_en")
    readonly_fields = [f.name for f in Invitation._meta.fields if f.name != "id"]
