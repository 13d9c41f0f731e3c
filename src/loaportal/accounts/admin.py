from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from loaportal.accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "surname", "given_names", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active", "preferred_language")
    search_fields = ("email", "surname", "given_names")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined", "password")
    fieldsets = (
        (None, {"fields": ("email", "surname", "given_names", "phone", "preferred_language")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("History"), {"fields": ("date_joined", "last_login", "password")}),
    )
