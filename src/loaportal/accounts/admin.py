from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from loaportal.accounts.models import User
from loaportal.core.admin import OfficerAdminMixin

# What only a superuser may set. Officers must not be able to give anyone (themselves
# included) the back office or every permission. ``is_active`` too: officers deactivate a user
# on the officers' DLI page, whose service also ends the DLI membership and the sessions,
# records the audit entry and tells the person; a bare flag change here would do none of it.
SUPERUSER_ONLY_FIELDS = ("is_active", "is_staff", "is_superuser", "groups")


@admin.register(User)
class UserAdmin(OfficerAdminMixin, admin.ModelAdmin):
    """Officers look users up and correct a DLI user's details; accounts are managed by superusers.

    A non-superuser officer cannot add or delete accounts (DLI users sign up with an invitation;
    officers' accounts are created by a superuser), cannot change an officer's or superuser's
    account (its email could otherwise be redirected and the account taken over), and sees
    ``SUPERUSER_ONLY_FIELDS`` read-only.
    """

    list_display = ("email", "surname", "given_names", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active", "preferred_language")
    search_fields = ("email", "surname", "given_names")
    ordering = ("email",)
    # The email is the sign-in identifier and allauth keeps its own verified copy of it: an edit
    # here would leave the old address able to sign in and reset the password. ``is_active``
    # goes through the audited deactivation page for everyone, superusers included.
    readonly_fields = ("email", "is_active", "last_login", "date_joined")
    # Not the password field: the admin would print its hash (salt included) on the page.
    fieldsets = (
        (None, {"fields": ("email", "surname", "given_names", "phone", "preferred_language")}),
        # No groups: being staff is the permission (ADR 0003); the back office does not list them.
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("History"), {"fields": ("date_joined", "last_login")}),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is None:  # a superuser creating an account types its email
            fields = tuple(f for f in fields if f != "email")
        if request.user.is_superuser:
            return fields
        return fields + SUPERUSER_ONLY_FIELDS

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request) and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or request.user.is_superuser or not obj.is_staff

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and request.user.is_superuser
