from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from loaportal.audit.models import AuditEvent, EventType
from loaportal.core.admin import ReadOnlyOfficerAdminMixin


class EventTypeListFilter(admin.SimpleListFilter):
    """Filter by event kind, offering the registered kinds (``EventType``) with their labels."""

    title = _("Event")
    parameter_name = "event_type"

    def lookups(self, request, model_admin):
        return EventType.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(event_type=self.value())
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyOfficerAdminMixin, admin.ModelAdmin):
    """The officers' view of the audit trail: browse, filter and search; never change."""

    list_display = (
        "occurred_at",
        "get_event_type_display",
        "actor_email",
        "institution",
        "target_email",
        "ip_address",
    )
    list_filter = (EventTypeListFilter, ("occurred_at", admin.DateFieldListFilter))
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
