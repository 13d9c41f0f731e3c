"""Account pages: the seed's sign-up, confirmation and sign-in steps, and the account home."""

from __future__ import annotations

from allauth.account import views as allauth_views
from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.forms import Form
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from loaportal.accounts.allauth_internals import (
    BaseConfirmAuthenticationCodeView,
    EmailVerificationProcess,
    RateLimited,
    login_stage_of,
    login_stage_required,
)
from loaportal.accounts.forms import MSG_CODE_EXPIRED, MSG_TOO_MANY_CODES, ConfirmLoginCodeForm
from loaportal.accounts.selectors import user_sessions_open
from loaportal.accounts.services import sign_in_code_expired, user_other_sessions_end
from loaportal.accounts.stages import TimedLoginCodeProcess
from loaportal.core.access import public, signed_in
from loaportal.core.exceptions import ApplicationError
from loaportal.core.forms import form_add_service_error


class SignupView(allauth_views.SignupView):
    template_name = "account/signup.html"

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ApplicationError as exc:
            # Lost a race (for the same invitation code): the sign-up service's transaction
            # rolled back, nothing was created.
            form_add_service_error(form, exc, rename=getattr(form, "SERVICE_FIELDS", None))
            return self.form_invalid(form)


class ConfirmSignupView(allauth_views.ConfirmEmailVerificationCodeView):
    """ "Confirmez l'inscription": the address and the code from the second email."""

    template_name = "account/confirm_signup.html"

    def dispatch(self, request, *args, **kwargs):
        # Signed in with no sign-up to confirm: allauth would send the person to its email
        # management page, which the portal does not have.
        if request.user.is_authenticated and not EmailVerificationProcess.resume(request):
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)


@method_decorator(
    login_stage_required(stage="login_by_code", redirect_urlname="account_login"),
    name="dispatch",
)
class ConfirmLoginCodeView(BaseConfirmAuthenticationCodeView):
    """The emailed sign-in code, each code valid 3 minutes from its own sending."""

    form_class = ConfirmLoginCodeForm
    template_name = "account/confirm_login_code.html"

    def dispatch(self, request, *args, **kwargs):
        self.stage = login_stage_of(request)
        self._process = TimedLoginCodeProcess.resume(self.stage)
        if not self._process:
            return HttpResponseRedirect(reverse("account_login"))
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        if self._action == "resend":
            return Form
        return self.form_class

    def _resend_form_valid(self, form):
        try:
            self._process.resend()
        except RateLimited:
            adapter = get_adapter()
            adapter.add_message(
                self.request, messages.ERROR, message=adapter.error_messages["rate_limited"]
            )
        return HttpResponseRedirect(reverse("account_confirm_login_code"))

    def _expired(self, form):
        # No code is valid any more, so this try is not counted as a wrong one.
        sign_in_code_expired(user=self._process.user)
        form.errors.clear()
        form.add_error("code", MSG_CODE_EXPIRED)
        return super().form_invalid(form)

    def _verify_form_valid(self, form):
        if self._process.is_code_expired():
            return self._expired(form)
        return self._process.finish(self.get_next_url())

    def form_invalid(self, form):
        if self._action == "verify" and self._process.is_code_expired() and form.data.get("code"):
            return self._expired(form)
        if (
            self._action == "verify"
            and "code" in form.errors
            and form.has_error("code", "required")
        ):
            return super().form_invalid(form)
        attempts_left = self._process.record_invalid_attempt()
        if attempts_left:
            return super().form_invalid(form)
        adapter = get_adapter(self.request)
        adapter.add_message(self.request, messages.ERROR, message=str(MSG_TOO_MANY_CODES))
        return HttpResponseRedirect(reverse("account_login"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        email = self._process.state.get("email", "")
        context.update(
            {
                "can_resend": self._process.can_resend,
                "email": email,
                "masked_email": mask_email(email),
                "verify_form": context["form"],
            }
        )
        return context


def mask_email(email: str) -> str:
    """``j•••@example.ca``: enough for the person to recognise their address, no more."""
    local, _, domain = email.partition("@")
    if not domain:
        return ""
    return f"{local[:1]}{'•' * 3}@{domain}"


@signed_in
def sessions(request):
    """The person's open sessions, and "Sign out of all other sessions" (OWASP ASVS 7.5.2)."""
    current = request.session.session_key
    if request.method == "POST" and request.POST.get("action") == "end_others":
        ended = user_other_sessions_end(user=request.user, current_session_key=current)
        messages.success(request, _("Other sessions ended: %(count)d.") % {"count": ended})
        return redirect("account_sessions")
    open_sessions = user_sessions_open(user=request.user)
    return render(
        request,
        "account/sessions.html",
        {
            "sessions": open_sessions,
            "current_session_key": current,
            "other_count": sum(1 for s in open_sessions if s.session_key != current),
        },
    )


signup = public(SignupView.as_view())
confirm_signup = public(ConfirmSignupView.as_view())
login = public(allauth_views.LoginView.as_view(template_name="account/login.html"))
confirm_login_code = public(ConfirmLoginCodeView.as_view())
logout = public(allauth_views.LogoutView.as_view(template_name="account/logout.html"))
account_inactive = public(
    allauth_views.AccountInactiveView.as_view(template_name="account/account_inactive.html")
)


class PasswordChangeView(allauth_views.PasswordChangeView):
    """A signed-in user changes their password; their other sessions end (Django's session
    hash changes with the password), and an email tells them it happened."""

    template_name = "account/password_change.html"

    def get_default_success_url(self):
        return reverse("home")


password_reset = public(
    allauth_views.PasswordResetView.as_view(template_name="account/password_reset.html")
)
confirm_password_reset_code = public(
    allauth_views.ConfirmPasswordResetCodeView.as_view(
        template_name="account/confirm_password_reset_code.html"
    )
)
complete_password_reset = public(
    allauth_views.CompletePasswordResetView.as_view(template_name="account/password_reset_new.html")
)
password_reset_done = public(
    allauth_views.PasswordResetFromKeyDoneView.as_view(
        template_name="account/password_reset_done.html"
    )
)
password_change = signed_in(PasswordChangeView.as_view())
