from django.contrib import admin

from loaportal.terms.models import TermsAcceptance, TermsVersion


@admin.register(TermsVersion)
class TermsVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "title_en", "published_at")

    def get_readonly_fields(self, request, obj=None):
        # A published version is a record of what people accepted: never edited.
        return [f.name for f in TermsVersion._meta.fields] if obj else []


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(admin.ModelAdmin):
    list_display = ("user", "version", "accepted_at", "ip_address")
    list_filter = ("version",)
    search_fields = ("user__email",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
