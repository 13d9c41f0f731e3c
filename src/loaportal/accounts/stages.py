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
2. **Confirming the email does not sign the person in.** After sign-up, allauth confirms the
   address and then completes the login; ``SignupEndsStage`` stops there and sends the person to
   the sign-in page.
"""

from __future__ import annotations

import time

from allauth.account.models import EmailAddress, Login
from django.conf import settings
from django.contrib import messages
from django.utils.translation import gettext_lazy as _

from loaportal.accounts.allauth_internals import (
    LoginByCodeStage,
    LoginCodeVerificationProcess,
    LoginStage,
    LoginStageController,
    clear_login,
    headed_redirect_response,
)

MSG_SIGNUP_CONFIRMED = _("Your email address is confirmed. Sign in to continue.")


class TimedLoginCodeProcess(LoginCodeVerificationProcess):
    """allauth's login-code process with a clock per code instead of per process."""

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

    def resend(self) -> None:
        self._resending = True
        super().resend()

    @property
    def failed_attempts(self) -> int:
        return int(self.state.get("failed_attempts", 0))

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
            TimedLoginCodeProcess.initiate(
                request=self.request, user=self.login.user, email=email, stage=self
            )
        self.state["login_by_code_required"] = True
        return headed_redirect_response("account_confirm_login_code"), True


class SignupEndsStage(LoginStage):
    """After sign-up and email confirmation, end the login and ask the person to sign in."""

    key = "loaportal_signup_ends"

    def handle(self):
        if not self.login.signup:
            return None, True
        clear_login(self.request)
        messages.success(self.request, MSG_SIGNUP_CONFIRMED)
        return headed_redirect_response("account_login"), False
