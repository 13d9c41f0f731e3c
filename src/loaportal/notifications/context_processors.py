from django.http import HttpRequest

from loaportal.notifications.views import mailbox_available


def mailbox(request: HttpRequest) -> dict[str, bool]:
    """Pages link to the development mailbox only where it would answer."""
    return {"MAILBOX_ENABLED": mailbox_available(request)}
