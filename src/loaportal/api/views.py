"""Pages about the API: the primary user's "API access" page (a DLI's tokens), the officers'
IRCC service tokens, and the public API reference (Swagger UI, served from the portal).

A new token is shown once, in the answer to the form that created it, never stored or put in
the session; these pages are ``no-store`` like every non-public page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loaportal.api.forms import IrccTokenForm, TokenForm
from loaportal.api.selectors import api_token_visible_to
from loaportal.api.services import (
    ApiTokenError,
    CreatedToken,
    api_token_create,
    api_token_create_ircc,
    api_token_revoke,
)
from loaportal.core.access import officer, primary, public
from loaportal.core.forms import form_add_service_error
from loaportal.core.roles import roles_of
from loaportal.webhooks.selectors import webhook_endpoint_visible_to


@primary
def access(request: HttpRequest) -> HttpResponse:
    institution = roles_of(request.user).institution
    assert institution is not None  # the ``primary`` rule admits members only
    form = TokenForm(request.POST or None)
    created: CreatedToken | None = None
    if request.method == "POST" and form.is_valid():
        try:
            created = api_token_create(
                institution=institution,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                created_by=request.user,  # type: ignore[arg-type]
            )
        except ApiTokenError as error:
            form_add_service_error(form, error)
        else:
            form = TokenForm()
    return render(
        request,
        "api/access.html",
        {
            "institution": institution,
            "form": form,
            "created": created,
            "tokens": api_token_visible_to(user=request.user),  # type: ignore[arg-type]
            "now": timezone.now(),
            "endpoint_count": webhook_endpoint_visible_to(user=request.user).count(),  # type: ignore[arg-type]
        },
    )


@primary
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(api_token_visible_to(user=request.user), pk=pk)  # type: ignore[arg-type]
    try:
        api_token_revoke(token=token, revoked_by=request.user)  # type: ignore[arg-type]
    except ApiTokenError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api:access")


@officer
def officer_tokens(request: HttpRequest) -> HttpResponse:
    form = IrccTokenForm(request.POST or None)
    created: CreatedToken | None = None
    if request.method == "POST" and form.is_valid():
        try:
            created = api_token_create_ircc(
                name=form.cleaned_data["name"],
                created_by=request.user,  # type: ignore[arg-type]
            )
        except ApiTokenError as error:
            form_add_service_error(form, error)
        else:
            form = IrccTokenForm()
    return render(
        request,
        "api/officer_tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": api_token_visible_to(user=request.user),  # type: ignore[arg-type]
            "now": timezone.now(),
        },
    )


@officer
@require_POST
def officer_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(api_token_visible_to(user=request.user), pk=pk)  # type: ignore[arg-type]
    try:
        api_token_revoke(token=token, revoked_by=request.user)  # type: ignore[arg-type]
    except ApiTokenError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api:officer_tokens")


@public
def reference(request: HttpRequest) -> HttpResponse:
    """The browsable API reference: Swagger UI from the portal's own static files (the CSP
    stays ``script-src 'self'``: the page's script is a file, not inline)."""
    return render(request, "api/reference.html")


@public
def reference_redirect(request: HttpRequest) -> HttpResponse:
    return redirect("api_v1:api_reference")
