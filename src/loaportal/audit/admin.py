from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from loaportal.audit.models import AuditEvent, EventType
from loaportal.core.admin import ReadOnlyOfficerAdminMixin


class EventTypeListFilter(admin.SimpleListFilter):
    """Filter by event kind, offering the registered kinds (``EventType``) with their labels."""

    title = _("Event")
    parameter_name = "event_type__exact"  # the URL the field filter used before

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
        "subject_id",
    )
    date_hierarchy = "occurred_at"
    list_select_related = ("institution",)
    ordering = ("-occurred_at", "-id")
    # The kind's label first (the stored value is the registry's key), then every column.
    readonly_fields = ["get_event_type_display", *(f.name for f in AuditEvent._meta.fields)]
    show_full_result_count = False
