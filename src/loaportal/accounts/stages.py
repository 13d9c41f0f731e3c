"""Sign-in stages: the emailed code after the password, and the end of a sign-up.

django-allauth runs a login through a list of stages (see ``AccountAdapter.get_login_stages``).
Two changes to its behaviour are needed by the seed:

1. **Each emailed code is valid 3 minutes from its own sending.** allauth times a login code
   from the start of the code process, so a re-sent code inherits the first code's clock and
   an expired code ends the whole sign-in. Here each code records when it was sent; a late code
   is refused on the same page, and "Request a new code" gives a fresh 3 minutes without
   re-typing the password. Wrong tries are counted across codes (at most
   ``ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS``, then the sign-in starts over; NIST SP 800-63B-4
   forbids resetting the count with a new code). The whole sign-in is still bounded by
   ``ACCOUNT_LOGIN_TIMEOUT``.
2. **Tries are counted on the server.** Each pending code (a sign-in, a password reset) has a
   ``CodeChallenge`` row; ``accounts.codes.code_challenge_check`` compares the code and counts
   the try with that row locked, so the 3-tries rule and the per-account limits hold however
   many requests arrive at once. The session only mirrors the count. Code emails are counted
   per account too (``code_email_allow``).
3. **Confirming the email does not sign the person in.** After sign-up, allauth confirms the
   address and then completes the login; ``SignupEndsStage`` stops there and sends the person to
   the sign-in page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress, Login
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from loaportal.accounts.allauth_internals import (
    PASSWORD_RESET_VERIFICATION_SESSION_KEY,
    LoginByCodeStage,
    LoginCodeVerificationProcess,
    LoginStage,
    LoginStageController,
    PasswordResetVerificationProcess,
    clear_login,
    headed_redirect_response,
    internal_ratelimit,
)
from loaportal.accounts.codes import (
    CodeCheck,
    code_challenge_check,
    code_challenge_open,
    code_email_allow,
)
from loaportal.accounts.devices import device_is_known
from loaportal.accounts.models import CodeChallenge, User
from loaportal.core.normalize import email_normalize

MSG_SIGNUP_CONFIRMED = _("Your email address is confirmed. Sign in to continue.")
# The session key holding the address just confirmed, so the sign-in form that follows is
# already filled in (WCAG 2.2 3.3.7, redundant entry).
SIGN_IN_EMAIL_SESSION_KEY = "loaportal_sign_in_email"
# Set on the request when the sign-in code is what confirmed the address (a sign-up whose
# confirmation page was left): the adapter then says so in the one "signed in" notice.
CONFIRMED_BY_SIGN_IN_CODE = "_loaportal_email_confirmed_by_sign_in_code"


def mask_email(email: str) -> str:
    """``j•••@example.ca``: enough for the person to recognise their address, no more."""
    local, _, domain = email.partition("@")
    if not domain:
        return ""
    return f"{local[:1]}{'•' * 3}@{domain}"


class CodeEmailThrottled(Exception):
    """The account has had too many code emails in the last hour; none was sent."""


class CountedAttemptsMixin:
    """Tries counted on the server (``CodeChallenge``), mirrored into allauth's state."""

    purpose: CodeChallenge.Purpose
    # From allauth's verification process this is mixed into (annotations only: defining them
    # here would hide allauth's in the method resolution order).
    state: dict[str, Any]
    request: HttpRequest
    user: User
    code: str
    max_attempts: int
    record_invalid_attempt: Callable[[], bool]

    def open_challenge(self, user) -> None:
        self.state["challenge_id"] = str(
            code_challenge_open(user=user, purpose=self.purpose, max_attempts=self.max_attempts).pk
        )

    @property
    def known_device(self) -> bool:
        return device_is_known(self.request, self.state.get("email"))

    def email_allowed(self) -> bool:
        return code_email_allow(
            user=self.user,
            challenge_id=self.state.get("challenge_id"),
            known_device=self.known_device,
        )

    def check_code(self, entered: str | None) -> CodeCheck:
        """Compare and count, with the pending code's row locked (``None``: malformed)."""
        return code_challenge_check(
            challenge_id=self.state.get("challenge_id"),
            entered=entered,
            expected=self.code,
            known_device=self.known_device,
        )

    def record_counted_attempt(self, check: CodeCheck) -> bool:
        """allauth's bookkeeping for a wrong try (signal, audit entry, abandon at the last
        try), with the server's count instead of the session's. True if tries are left."""
        self.state["failed_attempts"] = check.failed_attempts - 1
        return self.record_invalid_attempt()


class TimedLoginCodeProcess(CountedAttemptsMixin, LoginCodeVerificationProcess):
    """allauth's login-code process with a clock per code instead of per process, and tries
    counted on the server."""

    purpose = CodeChallenge.Purpose.SIGN_IN

    def generate_code(self) -> str:
        code = super().generate_code()
        self.state["code_sent_at"] = time.time()
        return code

    def is_valid(self) -> bool:
        # The process lives as long as the stashed login (ACCOUNT_LOGIN_TIMEOUT); a stale code
        # is handled by ``is_code_expired`` so that a new one can be requested.
        return True

    def is_code_expired(self) -> bool:
        sent_at = self.state.get("code_sent_at", self.state.get("at", 0))
        return time.time() - sent_at > settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT

    def send_by_email(self, email: str, skip_enumeration_mails: bool = False) -> None:
        if self.user and not self.email_allowed():
            raise CodeEmailThrottled
        super().send_by_email(email, skip_enumeration_mails=skip_enumeration_mails)
        if self.user:
            from loaportal.audit.models import AuditEvent
            from loaportal.audit.services import audit_record

            audit_record(
                event_type=AuditEvent.Type.CODE_SENT,
                target_user=self.user,
                institution_from=self.user,
                details={"purpose": "sign_in", "resend": getattr(self, "_resending", False)},
            )

    def add_sent_message(self, context) -> None:
        # Said after "Request a new code" (the first code's page says it in its text), with the
        # address masked as on the page.
        super().add_sent_message({**context, "recipient": mask_email(context.get("email", ""))})

    def resend(self) -> None:
        self._resending = True
        super().resend()

    def finish(self, redirect_url):
        email = self.state.get("email")
        unconfirmed = bool(
            email
            and EmailAddress.objects.filter(
                user=self.user, email__iexact=email, verified=False
            ).exists()
        )
        # Set before finishing: the messages it adds are chosen by the adapter meanwhile.
        setattr(self.request, CONFIRMED_BY_SIGN_IN_CODE, unconfirmed)
        return super().finish(redirect_url)

    @classmethod
    def initiate(
        cls, *, request, user, email=None, phone=None, stage=None
    ) -> TimedLoginCodeProcess:
        initial_state = cls.initial_state(user=user, email=email, phone=phone)
        initial_state["initiated_by_user"] = stage is None
        if not stage:
            login = Login(user=user, email=email)
            login.state["stages"] = {"current": "login_by_code"}
            stage = PasswordThenCodeStage(LoginStageController(request, login), request, login)
        stage.state.update(initial_state)
        process = cls(stage=stage)
        process.open_challenge(user)
        process.send()
        process.persist()
        return process

    @classmethod
    def resume(cls, stage) -> TimedLoginCodeProcess | None:
        return cls(stage=stage).abort_if_invalid()


class PasswordThenCodeStage(LoginByCodeStage):
    """allauth's login-by-code stage, using ``TimedLoginCodeProcess``."""

    def handle(self):
        did_initiate_process = bool(self.state)
        from allauth.account.adapter import get_adapter

        if not did_initiate_process and not get_adapter().is_login_by_code_required(self.login):
            return None, True
        if not did_initiate_process:
            email = self.login.email or EmailAddress.objects.get_primary_email(self.login.user)
            if not email:
                return headed_redirect_response("account_login"), False
            try:
                TimedLoginCodeProcess.initiate(
                    request=self.request, user=self.login.user, email=email, stage=self
                )
            except CodeEmailThrottled:
                from allauth.account.adapter import get_adapter

                clear_login(self.request)
                adapter = get_adapter(self.request)
                adapter.add_message(
                    self.request,
                    messages.ERROR,
                    message=adapter.error_messages["too_many_login_attempts"],
                )
                return headed_redirect_response("account_login"), False
        self.state["login_by_code_required"] = True
        return headed_redirect_response("account_confirm_login_code"), True


class CountedPasswordResetProcess(CountedAttemptsMixin, PasswordResetVerificationProcess):
    """allauth's password-reset-by-code process with tries counted on the server, and code
    emails counted per account (over the limit no email is sent, and the page says the same
    as ever, so the limit reveals nothing about the address)."""

    purpose = CodeChallenge.Purpose.PASSWORD_RESET

    def send(self) -> None:
        if self.user and not self.email_allowed():
            return
        super().send()

    @classmethod
    def initiate(cls, *, request, user, email: str) -> CountedPasswordResetProcess:
        state = cls.initial_state(user, email)
        process = cls(request, state=state, user=user)
        process.open_challenge(user)
        process.send()
        process.persist()
        return process

    @classmethod
    def resume(cls, request) -> CountedPasswordResetProcess | None:
        state = request.session.get(PASSWORD_RESET_VERIFICATION_SESSION_KEY)
        if not state:
            return None
        return cls(request, state=state).abort_if_invalid()


def password_limit_consume(request, email: str):
    """Count one password try against the account (``login_failed_account`` rate); the usage
    (to roll back after a right password), or None when the limit is reached. allauth's public
    ``ratelimit.consume`` returns only a boolean, so this uses its internal API."""
    return internal_ratelimit.consume(
        request,
        app="allauth.account",
        action="login_failed_account",
        key=email_normalize(email),
    )


class SignupEndsStage(LoginStage):
    """After sign-up and email confirmation, end the login and ask the person to sign in."""

    key = "loaportal_signup_ends"

    def handle(self):
        if not self.login.signup:
            return None, True
        clear_login(self.request)
        email = self.login.email or getattr(self.login.user, "email", "")
        if email:
            self.request.session[SIGN_IN_EMAIL_SESSION_KEY] = email
        messages.success(self.request, MSG_SIGNUP_CONFIRMED)
        return headed_redirect_response("account_login"), False
