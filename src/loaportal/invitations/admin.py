from django.contrib import admin

from loaportal.invitations.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        # Invitations are sent by the onboarding form or by DLI users, never typed in.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
