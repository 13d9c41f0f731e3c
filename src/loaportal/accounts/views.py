"""Account pages: the seed's sign-up, confirmation and sign-in steps, and the account home."""

from __future__ import annotations

from allauth.account import views as allauth_views
from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.db import IntegrityError
from django.forms import Form
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loaportal.accounts.adapter import silence_messages
from loaportal.accounts.allauth_internals import (
    BaseConfirmAuthenticationCodeView,
    EmailVerificationProcess,
    RateLimited,
    login_stage_of,
    login_stage_required,
)
from loaportal.accounts.codes import CodeOutcome
from loaportal.accounts.forms import MSG_CODE_EXPIRED, MSG_TOO_MANY_CODES, ConfirmLoginCodeForm
from loaportal.accounts.models import User
from loaportal.accounts.selectors import user_sessions_open
from loaportal.accounts.services import sign_in_code_expired, user_other_sessions_end
from loaportal.accounts.stages import (
    SIGN_IN_EMAIL_SESSION_KEY,
    CodeEmailThrottled,
    CountedPasswordResetProcess,
    TimedLoginCodeProcess,
    mask_email,
)
from loaportal.core.access import public, signed_in
from loaportal.core.durations import login_code_validity
from loaportal.core.exceptions import ApplicationError
from loaportal.core.forms import form_add_service_error

MSG_ACCOUNT_EXISTS = gettext_lazy(
    "An account with this email address already exists. Sign in with it, or check your email "
    "for the confirmation code."
)


class SignupView(allauth_views.SignupView):
    template_name = "account/signup.html"

    def post(self, request, *args, **kwargs):
        # The confirmation page says where the code went.
        silence_messages(request, "account/messages/email_confirmation_sent.txt")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ApplicationError as exc:
            # Lost a race (for the same invitation code): the sign-up service's transaction
            # rolled back, nothing was created.
            form_add_service_error(form, exc, rename=getattr(form, "SERVICE_FIELDS", None))
            return self.form_invalid(form)
        except IntegrityError:
            # Two sign-ups with the same address at once (a double click): the other one
            # created the account while this one was checking. Say so, instead of a 500.
            email = form.cleaned_data.get("email", "")
            if not User.objects.filter(email__iexact=email).exists():
                raise
            messages.info(self.request, MSG_ACCOUNT_EXISTS)
            return redirect("account_login")


class ConfirmSignupView(allauth_views.ConfirmEmailVerificationCodeView):
    """ "Confirmez l'inscription": the address and the code from the second email.

    The confirmation belongs to the browser that signed up. Opened anywhere else (another
    device, a closed tab), allauth would silently send the person to the sign-in page; instead
    the page says what to do: sign in, and the emailed sign-in code confirms the address.
    """

    template_name = "account/confirm_signup.html"

    def dispatch(self, request, *args, **kwargs):
        # Signed in with no sign-up to confirm: allauth would send the person to its email
        # management page, which the portal does not have.
        if request.user.is_authenticated and not EmailVerificationProcess.resume(request):
            return redirect("home")
        response = super().dispatch(request, *args, **kwargs)
        process = getattr(self, "_process", None)
        nothing_pending = process is None or (
            request.user.is_anonymous and not self.stage and "user_id" in process.state
        )
        if nothing_pending and isinstance(response, HttpResponseRedirect):
            return render(request, "account/confirm_signup_elsewhere.html")
        return response

    def post(self, request, *args, **kwargs):
        if self.stage and self.stage.login.signup:
            # SignupEndsStage says the address is confirmed, and what to do next.
            silence_messages(request, "account/messages/email_confirmed.txt")
        return super().post(request, *args, **kwargs)


class LoginView(allauth_views.LoginView):
    """ "Se connecter". Right after "Confirmez", the address just confirmed is filled in."""

    template_name = "account/login.html"

    def get_initial(self):
        initial = super().get_initial()
        email = self.request.session.get(SIGN_IN_EMAIL_SESSION_KEY)
        if email:
            initial["login"] = email
        return initial

    def form_valid(self, form):
        self.request.session.pop(SIGN_IN_EMAIL_SESSION_KEY, None)
        return super().form_valid(form)

    def post(self, request, *args, **kwargs):
        # The code page (or the confirmation page) says where the code went, with the address
        # masked (ui.md: at sign-in never reveal more of the address than needed).
        silence_messages(
            request,
            "account/messages/login_code_sent.txt",
            "account/messages/email_confirmation_sent.txt",
        )
        return super().post(request, *args, **kwargs)


@method_decorator(
    login_stage_required(stage="login_by_code", redirect_urlname="account_login"),
    name="dispatch",
)
class ConfirmLoginCodeView(BaseConfirmAuthenticationCodeView):
    """The emailed sign-in code, each code valid ``LOGIN_CODE_VALIDITY_SECONDS`` from its own
    sending."""

    form_class = ConfirmLoginCodeForm
    template_name = "account/confirm_login_code.html"
    _process: TimedLoginCodeProcess

    def dispatch(self, request, *args, **kwargs):
        self.stage = login_stage_of(request)
        process = TimedLoginCodeProcess.resume(self.stage)
        if not process:
            return HttpResponseRedirect(reverse("account_login"))
        self._process = process
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        if self._action == "resend":
            return Form
        return self.form_class

    def _resend_form_valid(self, form):
        try:
            self._process.resend()
        except (RateLimited, CodeEmailThrottled):
            adapter = get_adapter()
            adapter.add_message(
                self.request, messages.ERROR, message=adapter.error_messages["rate_limited"]
            )
        return HttpResponseRedirect(reverse("account_confirm_login_code"))

    def _expired(self, form):
        # No code is valid any more, so this try is not counted as a wrong one.
        sign_in_code_expired(user=self._process.user)
        form.errors.clear()
        form.add_error("code", MSG_CODE_EXPIRED % {"validity": login_code_validity()})
        return super().form_invalid(form)

    def _verify_form_valid(self, form):
        if self._process.is_code_expired():
            return self._expired(form)
        return self._checked(form, form.cleaned_data["code"])

    def form_invalid(self, form):
        if self._action == "verify" and self._process.is_code_expired() and form.data.get("code"):
            return self._expired(form)
        if (
            self._action == "verify"
            and "code" in form.errors
            and form.has_error("code", "required")
        ):
            return super().form_invalid(form)
        # A malformed code counts as a wrong try (it is not compared).
        return self._checked(form, None)

    def _checked(self, form, entered: str | None):
        """Compare and count on the server (the pending code's row locked), then answer."""
        check = self._process.check_code(entered)
        adapter = get_adapter(self.request)
        if check.outcome == CodeOutcome.ACCEPTED:
            return self._process.finish(self.get_next_url())
        if check.outcome == CodeOutcome.USED:
            # A double click: the other request signed the person in.
            return HttpResponseRedirect(self.get_next_url() or reverse("home"))
        if check.outcome == CodeOutcome.THROTTLED:
            form.add_error(None, adapter.error_messages["too_many_login_attempts"])
            return super().form_invalid(form)
        if check.outcome == CodeOutcome.WRONG and self._process.record_counted_attempt(check):
            if entered is not None:
                form.add_error("code", adapter.error_messages["incorrect_code"])
            return super().form_invalid(form)
        # The last try was wrong, or the pending code was used up or abandoned meanwhile.
        self._process.abort()
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
login = public(LoginView.as_view())
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


class CompletePasswordResetView(allauth_views.CompletePasswordResetView):
    template_name = "account/password_reset_new.html"

    def post(self, request, *args, **kwargs):
        # The "Password changed" page says it.
        silence_messages(request, "account/messages/password_changed.txt")
        return super().post(request, *args, **kwargs)


password_reset = public(
    allauth_views.PasswordResetView.as_view(template_name="account/password_reset.html")
)


class ConfirmPasswordResetCodeView(allauth_views.ConfirmPasswordResetCodeView):
    """Forgotten password, step 2: the code, compared and counted on the server."""

    template_name = "account/confirm_password_reset_code.html"
    _process: CountedPasswordResetProcess

    def dispatch(self, request, *args, **kwargs):
        # allauth's dispatch resumes its own process class; the portal's counts on the server.
        process = CountedPasswordResetProcess.resume(request)
        if not process:
            return HttpResponseRedirect(reverse("account_login"))
        self._process = process
        if self._process.state.get("code_confirmed"):
            return HttpResponseRedirect(reverse("account_complete_password_reset"))
        return super(allauth_views.ConfirmPasswordResetCodeView, self).dispatch(
            request, *args, **kwargs
        )

    def form_valid(self, form):
        return self._checked(form, form.cleaned_data["code"])

    def form_invalid(self, form):
        if form.has_error("code", "required"):
            # Nothing typed: not a try (allauth's form_invalid would count it).
            return self.render_to_response(self.get_context_data(form=form))
        return self._checked(form, None)

    def _checked(self, form, entered: str | None):
        check = self._process.check_code(entered)
        adapter = get_adapter(self.request)
        if check.outcome == CodeOutcome.ACCEPTED:
            return super().form_valid(form)
        if check.outcome == CodeOutcome.USED:
            # A double click: the other request confirmed the code.
            return HttpResponseRedirect(reverse("account_complete_password_reset"))
        if check.outcome == CodeOutcome.THROTTLED:
            form.add_error(None, adapter.error_messages["too_many_login_attempts"])
            return self.render_to_response(self.get_context_data(form=form))
        if check.outcome == CodeOutcome.WRONG and self._process.record_counted_attempt(check):
            if entered is not None:
                form.add_error("code", adapter.error_messages["incorrect_code"])
            return self.render_to_response(self.get_context_data(form=form))
        self._process.abort()
        adapter.add_message(
            self.request, messages.ERROR, message=adapter.error_messages["too_many_login_attempts"]
        )
        return HttpResponseRedirect(reverse("account_login"))


confirm_password_reset_code = public(ConfirmPasswordResetCodeView.as_view())
complete_password_reset = public(CompletePasswordResetView.as_view())
password_reset_done = public(
    allauth_views.PasswordResetFromKeyDoneView.as_view(
        template_name="account/password_reset_done.html"
    )
)
password_change = signed_in(PasswordChangeView.as_view())
