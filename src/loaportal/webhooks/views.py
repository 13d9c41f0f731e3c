"""The primary user's webhooks page: register an endpoint (its signing secret shown once),
remove one, and read the latest deliveries."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loaportal.core.access import primary
from loaportal.core.forms import form_add_service_error
from loaportal.core.roles import roles_of
from loaportal.webhooks.forms import EndpointForm
from loaportal.webhooks.selectors import webhook_delivery_log, webhook_endpoint_visible_to
from loaportal.webhooks.services import (
    DEADLINE_EVENT,
    EVENT_TYPES,
    RegisteredEndpoint,
    WebhookError,
    webhook_endpoint_register,
    webhook_endpoint_remove,
)


@primary
def endpoints(request: HttpRequest) -> HttpResponse:
    institution = roles_of(request.user).institution
    assert institution is not None  # the ``primary`` rule admits members only
    form = EndpointForm(request.POST or None)
    registered: RegisteredEndpoint | None = None
    if request.method == "POST" and form.is_valid():
        try:
            registered = webhook_endpoint_register(
                institution=institution,
                url=form.cleaned_data["url"],
                created_by=request.user,  # type: ignore[arg-type]
            )
        except WebhookError as error:
            form_add_service_error(form, error)
        else:
            form = EndpointForm()
    return render(
        request,
        "webhooks/endpoints.html",
        {
            "institution": institution,
            "form": form,
            "registered": registered,
            "endpoints": webhook_endpoint_visible_to(user=request.user),  # type: ignore[arg-type]
            "deliveries": webhook_delivery_log(user=request.user),  # type: ignore[arg-type]
            "event_types": [*EVENT_TYPES.values(), DEADLINE_EVENT],
        },
    )


@primary
@require_POST
def endpoint_remove(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(webhook_endpoint_visible_to(user=request.user), pk=pk)  # type: ignore[arg-type]
    webhook_endpoint_remove(endpoint=endpoint, removed_by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The endpoint %(url)s was removed.") % {"url": endpoint.url})
    return redirect("webhooks:endpoints")
