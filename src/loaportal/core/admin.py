"""What IRCC officers may do in the Django admin (the back office at ``back-office/``).

Officers are staff accounts without Django model permissions: being an officer is the
permission (ADR 0003). Every ``ModelAdmin`` and inline of the portal's apps mixes in one of the
classes below, so an officer needs no per-user permission setup:

- ``OfficerAdminMixin``: an active staff account may see the module and view, add, change and
  delete its objects; a subclass narrows this by overriding a ``has_*_permission`` method.
- ``ReadOnlyOfficerAdminMixin``: view only, for records nobody edits in the admin (the audit
  trail, invitations, terms acceptances, requests decided on the officers' pages).

Django's own admin classes (groups, permissions) and those of third-party apps keep model
permissions, so only superusers see them.
"""

from __future__ import annotations

from django.http import HttpRequest

from loaportal.core import roles


def is_officer(request: HttpRequest) -> bool:
    return roles.is_officer(request.user)


class OfficerAdminMixin:
    """Officers' access to a ``ModelAdmin`` or inline, instead of Django model permissions.

    Put it first in the bases (``class XAdmin(OfficerAdminMixin, admin.ModelAdmin)``); methods
    the admin class defines itself still take precedence, so an admin that refuses adding or
    deleting keeps refusing it. ``obj`` is accepted on ``has_add_permission`` because inlines
    pass the parent object.
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_officer(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_officer(request)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_officer(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_officer(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_officer(request)


class ReadOnlyOfficerAdminMixin(OfficerAdminMixin):
    """Officers browse, filter and search; nobody, not even a superuser, adds, changes or
    deletes through the admin."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
