"""The API's pages (``api:…``, under the language prefix) and the API itself (``/api/v1/``,
outside it: programs send ``Accept-Language`` instead)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _

from loaportal.api import views
from loaportal.api.v1 import api
from loaportal.core.access import ACCESS_ATTRIBUTE, Access

app_name = "api"

urlpatterns = [
    path(_("api-access/"), views.access, name="access"),
    path(_("api-access/<int:pk>/revoke/"), views.token_revoke, name="token_revoke"),
    path(_("officer/api-tokens/"), views.officer_tokens, name="officer_tokens"),
    path(
        _("officer/api-tokens/<int:pk>/revoke/"),
        views.officer_token_revoke,
        name="officer_token_revoke",
    ),
]


def v1_patterns() -> list[URLPattern | URLResolver]:
    """The API's routes, each declaring its access (``core.access``): the OpenAPI document is
    public, every operation authenticates its token itself (``Access.TOKEN``)."""
    patterns, _app, _namespace = api.urls
    declared: list[URLPattern | URLResolver] = [path("docs", views.reference, name="api_reference")]
    for pattern in patterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name == "api-root":
            # django-ninja's empty root (a 404) names the API's prefix for its OpenAPI
            # document: the reference page stands there instead.
            declared.append(path("", views.reference_redirect, name="api-root"))
            continue
        rule = Access.PUBLIC if pattern.name == "openapi-json" else Access.TOKEN
        setattr(pattern.callback, ACCESS_ATTRIBUTE, rule)
        declared.append(pattern)
    return declared
