from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from loaportal.core.access import public
from loaportal.notifications.models import MailboxMessage


@public
def mailbox(request):
    """Development mailbox (mounted only when no EMAIL_URL is configured)."""
    page = Paginator(MailboxMessage.objects.all(), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/mailbox.html", {"page": page})


@public
def mailbox_message(request, pk: int):
    message = get_object_or_404(MailboxMessage, pk=pk)
    return render(request, "notifications/mailbox_message.html", {"message": message})
