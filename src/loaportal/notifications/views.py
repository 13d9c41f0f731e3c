"""The development mailbox: every email the portal kept instead of sending, codes included.

It must never be reachable where it could leak a code: it exists only when no mail server is
configured (``EMAIL_URL`` unset), outside production, and for a visitor on this machine
(a loopback address, not relayed by a proxy). Anywhere else it answers 404 like any unknown
page.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404, render

from loaportal.core.access import public
from loaportal.notifications.models import MailboxMessage

# A request relayed by a proxy on this machine comes from loopback too: not a local visitor.
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def mailbox_available(request: HttpRequest) -> bool:
    if settings.EMAIL_URL or settings.PRODUCTION or not settings.MAILBOX_ENABLED:
        return False
    if any(request.META.get(header) for header in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def _require_mailbox(request: HttpRequest) -> None:
    if not mailbox_available(request):
        raise Http404


@public
def mailbox(request):
    _require_mailbox(request)
    page = Paginator(MailboxMessage.objects.all(), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/mailbox.html", {"page": page})


@public
def mailbox_message(request, pk: int):
    _require_mailbox(request)
    message = get_object_or_404(MailboxMessage, pk=pk)
    return render(request, "notifications/mailbox_message.html", {"message": message})
