import logging

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from loaportal.core.access import public

logger = logging.getLogger(__name__)


@public
def landing(request):
    """Public landing page: what the portal is, with "Sign up" and "Sign in"."""
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "core/landing.html")


@public
def privacy(request):
    return render(request, "core/privacy.html")


@public
@never_cache
def health(request):
    """Liveness probe for load balancers: the process answers and the database responds.

    200 ``{"status": "ok"}``, or 503 ``{"status": "unavailable", ...}`` when the database does
    not answer. Served before host checks and the HTTPS redirect (``HealthCheckMiddleware``), so
    a load balancer can probe each server over plain HTTP by its address.
    """
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


@public
@never_cache
def readiness(request):
    """Readiness probe (``core.health``): answered by ``HealthCheckMiddleware`` before this
    view is reached; routed so that the access sweep sees it."""
    from loaportal.core.health import readiness_view

    return readiness_view(request)


@public
@never_cache
def metrics(request):
    """Prometheus metrics (``core.health``), for allowed addresses or a bearer token only: a
    404 for anyone else. Answered by ``HealthCheckMiddleware`` like ``readiness``."""
    from loaportal.core.health import metrics_view

    return metrics_view(request)


@public
def csrf_failure(request, reason: str = "") -> HttpResponse:
    return render(request, "core/csrf_failure.html", status=403)


def bad_request(request, exception=None):
    """400: a request the portal cannot read (a form in a charset other than UTF-8, a
    malformed upload...), in the visitor's language.

    Unlike Django's default handler, not wrapped in ``requires_csrf_token``: that re-runs the
    CSRF check, which reads the unreadable form again and turned the 400 into a 500. The form
    is marked unreadable so that nothing while rendering tries to parse it.
    """
    if hasattr(request, "_mark_post_parse_error"):
        request._mark_post_parse_error()
    return render(request, "400.html", status=400)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """500, or 503 when what failed is the database being unreachable: a bilingual page that
    needs nothing from the database (``503.html``), with ``Retry-After``. The load balancer's
    readiness probe (``/readyz``) says the same to it."""
    import sys

    from django.db import DatabaseError, InterfaceError
    from django.template.loader import render_to_string

    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "500.html", status=500)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)
