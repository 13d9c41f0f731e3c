from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language

from loaportal.core.access import public
from loaportal.core.client_ip import request_client_ip
from loaportal.terms.forms import AcceptTermsForm
from loaportal.terms.selectors import terms_acceptance_required, terms_current
from loaportal.terms.services import terms_accept


def _next_url(request) -> str:
    """The page to go on to, in the language of this page (the person may have switched
    language on the terms page)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return translate_url(candidate, get_language())
    return ""


@public
def terms(request):
    """The portal's terms ("modalités"), readable by anyone from the footer.

    A signed-in user who has not accepted the current version is sent here from every other
    page (see ``core.access``) and accepts with "J'accepte" / "I accept".
    """
    current = terms_current()
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    required = request.user.is_authenticated and terms_acceptance_required(user=request.user)
    if request.method == "POST" and current is not None:
        form = AcceptTermsForm(request.POST)
        # Accept only the version the person was shown; one published meanwhile is shown again.
        if form.is_valid() and form.cleaned_data["version"] == current.version:
            terms_accept(user=request.user, version=current, ip_address=request_client_ip(request))
            return redirect(_next_url(request) or "home")
    return render(
        request,
        "terms/terms.html",
        {"terms": current, "required": required, "next": _next_url(request)},
    )
