"""Background tasks that talk to the mail server. Never called inside a web request."""

from django.core.mail import EmailMultiAlternatives, get_connection
from django_tasks import task


@task()
def deliver_email(
    *,
    to: list[str],
    subject: str,
    body: str,
    html: str = "",
    from_email: str = "",
    headers: dict[str, str] | None = None,
) -> int:
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email or None,
        to=to,
        headers=headers or {},
        connection=get_connection(),
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message.send(fail_silently=False)
