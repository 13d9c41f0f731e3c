from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from loaportal.core.access import public


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
    """Liveness probe for load balancers: the process answers and the database responds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@public
def csrf_failure(request, reason: str = "") -> HttpResponse:
    return render(request, "core/csrf_failure.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)
