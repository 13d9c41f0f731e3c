"""The ceiling: a bare Django view that returns a fixed string, through a WSGI application
without any middleware, served by the same gunicorn configuration as the portal
(``gunicorn -c deploy/gunicorn.conf.py --chdir benchmarks ceiling:application``).

Whatever the portal's pages cost beyond this is the portal's own work (middleware, sessions,
queries, templates); the benchmark reports each page's throughput as a share of this one's.
"""

from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="bench-ceiling-only",  # noqa: S106 (serves one fixed string, nothing secret)
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
)

import django  # noqa: E402

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bare", bare)]
application = get_wsgi_application()
