from django.contrib import admin

from loaportal.audit.models import AuditEvent
from loaportal.core.admin import ReadOnlyOfficerAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyOfficerAdminMixin, admin.ModelAdmin):
    """The officers' view of the audit trail: browse, filter and search; never change."""

    list_display = (
        "occurred_at",
        "event_type",
        "actor_email",
        "institution",
        "target_email",
        "ip_address",
    )
    list_filter = ("event_type", ("occurred_at", admin.DateFieldListFilter))
    search_fields = (
        "actor_email",
        "target_email",
        "institution__dli_number",
        "institution__name_en",
        "institution__name_fr",
        "ip_address",
    )
    date_hierarchy = "occurred_at"
    list_select_related = ("institution",)
    ordering = ("-occurred_at", "-id")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    show_full_result_count = False
