"""How django-allauth fits the portal: invitation-only sign-up, stages, emails, messages."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import Login
from allauth.core import ratelimit
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from loaportal.accounts.codes import account_inactive_signin_alert
from loaportal.accounts.devices import device_is_known, device_remember
from loaportal.accounts.services import user_language_set
from loaportal.accounts.stages import CONFIRMED_BY_SIGN_IN_CODE, password_limit_consume
from loaportal.core.client_ip import request_client_ip
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

# Emails that continue what the person is doing on a page: written in that page's language.
PAGE_LANGUAGE_EMAILS = frozenset(
    {
        "account/email/login_code",
        "account/email/email_confirmation",
        "account/email/email_confirmation_signup",
        "account/email/password_reset_code",
        "account/email/password_reset",
    }
)
# Of those, the ones sent only after the person proved who they are (the password; the reset
# code): their page language is then recorded as the account's language.
PROVEN_BY_PAGE_EMAILS = frozenset({"account/email/login_code", "account/email/password_reset"})


SILENCED_MESSAGES_ATTRIBUTE = "_loaportal_silenced_messages"


def silence_messages(request, *templates: str) -> None:
    """Leave out allauth's notices from these message templates for this request: the page the
    person sees next says the same thing in its own text (one notice per event)."""
    silenced: frozenset[str] = getattr(request, SILENCED_MESSAGES_ATTRIBUTE, frozenset())
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
            # Third, when the account has an authenticator app or a security key (accounts.mfa).
            "allauth.mfa.stages.AuthenticateStage",
        ]

    def is_login_by_code_required(self, login: Login) -> bool:
        # A sign-up is not a sign-in: it confirms the address, then ends (SignupEndsStage).
        if login.signup:
            return False
        return super().is_login_by_code_required(login)

    def add_message(self, request, level, message_template=None, message_context=None, **kwargs):
        if message_template in getattr(request, SILENCED_MESSAGES_ATTRIBUTE, ()):
            # The page the person sees next says the same thing (one notice per event).
            return None
        if getattr(request, CONFIRMED_BY_SIGN_IN_CODE, False):
            # The sign-in code confirmed the address: one notice says both that and that the
            # person is signed in, instead of "confirmed" and "signed in" one after the other.
            if message_template == "account/messages/email_confirmed.txt":
                return None
            if message_template == "account/messages/logged_in.txt":
                message_template = "account/messages/logged_in_email_confirmed.txt"
        return super().add_message(request, level, message_template, message_context, **kwargs)

    def get_logout_redirect_url(self, request) -> str:
        # The landing page in the language being used (its /fr/ or /en/ address), not "/",
        # which would pick a language from the browser's preferences instead.
        return reverse("landing")

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        form.fill_user(user)
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render in the recipient's language and queue for the background worker.

        An email that is a step of what the person is doing on a page (a code to type there)
        is in that page's language; when the person has proved who they are (password, reset
        code), that language is also recorded as their choice. Any other email is in the
        account's language, the latest one its owner used (see ``UserLanguageMiddleware``).
        """
        user = get_user_model().objects.filter(email__iexact=email).first()
        page_language = (translation.get_language() or "fr")[:2]
        if user is None or template_prefix in PAGE_LANGUAGE_EMAILS:
            language = page_language
            if user is not None and template_prefix in PROVEN_BY_PAGE_EMAILS:
                user_language_set(user=user, language=page_language)
        else:
            language = user.preferred_language
        context = {**context, "email": email, "user": user}
        context.pop("request", None)
        email_send(
            to=email,
            email=email_render(template_prefix=template_prefix, context=context, language=language),
        )

    def get_client_ip(self, request) -> str:
        # REMOTE_ADDR, or X-Forwarded-For through TRUSTED_PROXY_COUNT proxies (core.client_ip).
        return request_client_ip(request) or "0.0.0.0"  # noqa: S104

    def pre_authenticate(self, request, **credentials) -> None:
        """Per-address limit (allauth's ``login_failed``), then the per-account limit
        (``login_failed_account``), which a browser that signed in to the account before
        skips: an attacker elsewhere is slowed down, the account's owner is not locked out."""
        super().pre_authenticate(request, **credentials)
        self._account_password_usage = None
        email = str(credentials.get("email") or "")
        if not email or device_is_known(request, email):
            return
        usage = password_limit_consume(request, email)
        if usage is None:
            raise self.validation_error("too_many_login_attempts")
        self._account_password_usage = usage

    def authenticate(self, request, **credentials):
        """A deactivated account with the right password gets the same answer as a wrong
        password (no oracle), and its owner is emailed instead (``account_inactive_signin_alert``).
        """
        user = super().authenticate(request, **credentials)
        if user is None:
            return None
        if not user.is_active:
            # allauth rolled back this try's per-address count after the right password;
            # count it again, as for any wrong password.
            ratelimit.consume(request, action="login_failed")
            account_inactive_signin_alert(user=user)
            return None
        usage = getattr(self, "_account_password_usage", None)
        if usage is not None:
            usage.rollback()
        return user

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        if response is not None and user.email:
            device_remember(request, response, user.email)
        return response
