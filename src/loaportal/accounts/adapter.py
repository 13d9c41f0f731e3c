"""How django-allauth fits the portal: invitation-only sign-up, stages, emails, messages."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import Login
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from loaportal.notifications.services import email_render, email_send

# Portal wording (Canadian government usage in French) for the messages allauth shows.
ERROR_MESSAGES = {
    **DefaultAccountAdapter.error_messages,
    "account_inactive": _("This account is inactive. Contact your DLI's primary user or IRCC."),
    "email_password_mismatch": _("The email address or password is not correct."),
    "email_taken": _("This email address cannot be used. Use another email address."),
    "incorrect_code": _("This verification code is not correct. Check the code and type it again."),
    "invalid_login": _("The email address or password is not correct."),
    # allauth uses this for any rate-limited sign-in (and too many password-reset codes);
    # too many wrong sign-in codes has its own message (accounts.forms.MSG_TOO_MANY_CODES).
    "too_many_login_attempts": _(
        "Too many attempts. For your security, wait a few minutes, then try again."
    ),
    "rate_limited": _("Too many attempts. Wait a few minutes, then try again."),
    "unknown_email": _("The email address or password is not correct."),
    "unverified_primary_email": _("Your email address must be confirmed."),
    "invalid_password_reset": _("This password reset link is not valid or has expired."),
}


SILENCED_MESSAGES_ATTRIBUTE = "_loaportal_silenced_messages"


def silence_messages(request, *templates: str) -> None:
    """Leave out allauth's notices from these message templates for this request: the page the
    person sees next says the same thing in its own text (one notice per event)."""
    silenced = getattr(request, SILENCED_MESSAGES_ATTRIBUTE, frozenset())
    setattr(request, SILENCED_MESSAGES_ATTRIBUTE, silenced | set(templates))


class AccountAdapter(DefaultAccountAdapter):
    error_messages = ERROR_MESSAGES

    def is_open_for_signup(self, request) -> bool:
        # Open, but only to holders of a valid invitation code (checked by the sign-up form).
        return True

    def get_login_stages(self) -> list[str]:
        return [
            "loaportal.accounts.stages.PasswordThenCodeStage",
            "allauth.account.stages.EmailVerificationStage",
            "loaportal.accounts.stages.SignupEndsStage",
        ]

    def is_login_by_code_required(self, login: Login) -> bool:
        # A sign-up is not a sign-in: it confirms the address, then ends (SignupEndsStage).
        if login.signup:
            return False
        return super().is_login_by_code_required(login)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        form.fill_user(user)
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render in the recipient's language and queue for the background worker."""
        user = get_user_model().objects.filter(email__iexact=email).first()
        language = user.preferred_language if user else translation.get_language()
        context = {**context, "email": email, "user": user}
        context.pop("request", None)
        email_send(
            to=email,
            email=email_render(template_prefix=template_prefix, context=context, language=language),
        )

    def get_client_ip(self, request) -> str:
        # Behind a trusted proxy, have the proxy set REMOTE_ADDR
        # (for example gunicorn --forwarded-allow-ips).
        return request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104

    def add_message(
        self,
        request,
        level,
        message_template=None,
        message_context=None,
        extra_tags="",
        message=None,
    ) -> None:
        if message_template in getattr(request, SILENCED_MESSAGES_ATTRIBUTE, ()):
            return
        super().add_message(
            request,
            level,
            message_template=message_template,
            message_context=message_context,
            extra_tags=extra_tags,
            message=message,
        )
