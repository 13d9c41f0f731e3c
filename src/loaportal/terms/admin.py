from django.contrib import admin

from loaportal.core.admin import OfficerAdminMixin, ReadOnlyOfficerAdminMixin
from loaportal.terms.models import TermsAcceptance, TermsVersion
from loaportal.terms.services import terms_publish


@admin.register(TermsVersion)
class TermsVersionAdmin(OfficerAdminMixin, admin.ModelAdmin):
    """Superusers publish a new version (everyone accepts it at their next page); a published
    version is a record of what people accepted: never edited or deleted."""

    list_display = ("version", "title_en", "published_at")

    def has_add_permission(self, request, obj=None):
        # Publishing a version asks every user to accept again: a superuser's decision.
        return super().has_add_permission(request) and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Only adding reaches here (no change permission): publish through the service,
        # which records who published the version in the audit trail.
        published = terms_publish(
            version=obj.version,
            title_fr=obj.title_fr,
            title_en=obj.title_en,
            text_fr=obj.text_fr,
            text_en=obj.text_en,
            published_by=request.user,
            published_at=obj.published_at,
        )
        obj.pk, obj.published_at = published.pk, published.published_at

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(ReadOnlyOfficerAdminMixin, admin.ModelAdmin):
    """Append-only: written when a person accepts the terms."""

    list_display = ("user", "version", "accepted_at", "ip_address")
    list_filter = ("version",)
    search_fields = ("user__email",)
