"""No page scrolls sideways on a 390-pixel phone screen, for anyone, in either language.

The pages come from the URLconf and the access rule each view declares, so a new page is
checked as soon as it exists (a page with a parameter needs an entry in ``PAGE_PARAMETERS``).
The data is the worst a DLI is likely to have: long names and addresses, many rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from loaportal.accounts.models import User
from loaportal.core.access import Access, user_satisfies, view_access
from loaportal.institutions.models import Institution, Membership, UserChangeRequest
from loaportal.invitations.models import Invitation
from loaportal.invitations.services import invitation_send
from loaportal.notifications.models import MailboxMessage
from loaportal.terms.selectors import terms_current
from loaportal.terms.services import terms_accept
from loaportal.user_changes.services import user_change_request_refuse, user_change_request_submit
from tests.factories import InstitutionFactory, MembershipFactory, OfficerFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

LONG_NAME_EN = (
    "Northern Lights Collegiate Institute of Applied Technology, Health Sciences "
    "and International Professional Studies"
)
LONG_NAME_FR = (
    "Collège d'enseignement général et professionnel des Aurores-Boréales – Institut "
    "international des technologies appliquées et des sciences de la santé"
)
DOMAIN = "registrariat-international.northern-lights-collegiate-institute.example"
LONG_WORD = "Supercalifragilisticexpialidocious-Anticonstitutionnellement-" * 2
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)

# Pages that are not pages a person opens (the document is the student's file, not a page).
# (The CSV exports are files; "assign" answers a form's POST only.)
# Downloads, a JSON status and a form's target are not pages either.
NOT_PAGES = {
    "health",
    "set_language",
    "verifications:document",
    "verifications:queue_export",
    "verifications:officer_export",
    "verifications:assign",
    "decision_files:download_csv",
    "decision_files:download_xlsx",
    "decision_files:status",
    "decision_files:confirm",
    "decision_files:result",
    # Second-factor steps that need a pending sign-in, a password typed again or an
    # authenticator first (their pages are measured at 390 px by
    # tests/browser/test_second_factor.py; the overview, the keys' list and the password
    # page are measured here).
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_reauthenticate_webauthn",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_add_webauthn",
    "mfa_remove_webauthn",
    # Actions (POST only) of the API pages.
    "api:token_revoke",
    "api:officer_token_revoke",
    "webhooks:endpoint_remove",
}


@dataclass
class Crowd:
    institution: Institution
    primary: User
    secondary: User
    officer: User
    open_request: UserChangeRequest
    invitation: Invitation
    message: MailboxMessage
    verification: object
    decided_verification: object
    decision_file: object = None


def crowded_portal() -> Crowd:
    """A DLI with long names and many users, invitations, requests, sessions and emails, and
    many other DLIs for the officers' list."""
    officer = OfficerFactory(email=f"agente.principale.des.verifications@{DOMAIN}")
    institution = InstitutionFactory(name_en=LONG_NAME_EN, name_fr=LONG_NAME_FR)
    primary = MembershipFactory(
        institution=institution,
        role=Membership.Role.PRIMARY,
        user__email=f"marie-eve.tremblay-longpre.coordonnatrice@{DOMAIN}",
        user__surname="Tremblay-Longpré-Bouchard-Desjardins",
        user__given_names="Marie-Ève Geneviève Anne-Sophie",
    ).user
    secondaries = [
        MembershipFactory(
            institution=institution,
            user__email=f"secondary.user.number{n}.admissions.office@{DOMAIN}",
            user__surname="Villeneuve-Beauchemin-Laflamme",
            user__given_names=f"Jean-Philippe Alexandre {n}",
        ).user
        for n in range(12)
    ]
    for n in range(10):
        invitation_send(
            institution=institution,
            email=f"invited.person.number{n}.international.office@{DOMAIN}",
            invited_by=primary,
        )
    removal = user_change_request_submit(
        requested_by=primary,
        kind=UserChangeRequest.Kind.REMOVE_USER,
        reason=UserChangeRequest.Reason.LEFT_DLI,
        membership=secondaries[0].membership,
    )
    user_change_request_refuse(
        change_request=removal,
        decided_by=officer,
        reason=f"The person still verifies letters for the DLI. {LONG_WORD}",
    )
    open_request = user_change_request_submit(
        requested_by=primary,
        kind=UserChangeRequest.Kind.CHANGE_PRIMARY,
        reason=UserChangeRequest.Reason.OTHER,
        explanation=f"The registrar's office was reorganised. {LONG_WORD}",
        new_primary_email=f"new.primary.representative.registrar@{DOMAIN}",
        former_primary_outcome=UserChangeRequest.FormerPrimary.SECONDARY,
    )
    for n in range(30):
        InstitutionFactory(name_en=f"{LONG_NAME_EN} {n}", name_fr=f"{LONG_NAME_FR} {n}")
    for user in (primary, secondaries[1], officer):
        for n in range(3):
            store = SessionStore()
            store.create()
            UserSession.objects.create(
                user=user,
                ip=f"2001:db8:85a3:8d3:1319:8a2e:370:73{n:02d}",
                session_key=store.session_key,
                user_agent=USER_AGENT,
            )
    message = MailboxMessage.objects.create(
        from_email=f"LOA Portal <no-reply@{DOMAIN}>",
        to=f"{primary.email}\n{secondaries[1].email}",
        subject=f"{LONG_NAME_FR} – {LONG_NAME_EN}",
        body=f"https://{DOMAIN}/fr/utilisateurs/requetes/{'x' * 120}/\n{LONG_WORD}",
    )
    invitation = Invitation.objects.filter(institution=institution).order_by("pk").first()
    verification, decided_verification = _verification_requests(institution, primary)
    decision_file = _decision_file_and_admissions(institution, primary)
    return Crowd(
        decision_file=decision_file,
        verification=verification,
        decided_verification=decided_verification,
        institution=institution,
        primary=primary,
        secondary=secondaries[1],
        officer=officer,
        open_request=open_request,
        invitation=invitation,
        message=message,
    )


def _verification_requests(institution, primary):
    """30 requests with long names (two pages of the queue), one decided with a long comment."""
    import datetime as dt

    from django.utils import timezone

    from loaportal.verifications.models import VerificationRequest
    from loaportal.verifications.services import verification_decide
    from tests.verifications.ui_support import a_request

    now = timezone.now()
    made = [
        a_request(
            institution,
            requested_at=now - dt.timedelta(hours=7 * n),
            surname="Tremblay-Longpré-Bouchard-Desjardins",
            given_names=f"Marie-Ève Geneviève Anne-Sophie {n}",
            program="Baccalauréat en sciences infirmières – formation initiale, DEC-BAC",
            student_id=f"2026-INTL-{n:06d}-ADMISSIONS",
            campus="Campus de Rivière-du-Loup – Pavillon des sciences de la santé",
            document_name=f"lettre-d-acceptation-{'x' * 60}-{n}.pdf",
        )
        for n in range(30)
    ]
    verification_decide(
        verification_request=made[1],
        outcome=VerificationRequest.Status.NOT_VERIFIED_NO_MATCH,
        comment=f"The date of birth on the letter was altered. {LONG_WORD}",
        decided_by=primary,
    )
    from loaportal.verifications.services import verification_assign

    for request in made[2:6]:
        verification_assign(verification_request=request, assignee=primary, assigned_by=primary)
    _amendments(made[0], made[1], primary)
    return made[0], made[1]


def _amendments(pending, decided, primary):
    """An extension request of the first request and a correction request of the decided one,
    with long explanations (the amendments' pages and panels)."""
    from loaportal.amendments.services import correction_request_create, extension_request_create

    extension_request_create(
        verification_request=pending,
        requested_by=primary,
        days=30,
        ground="infrastructure_failure",
        explanation=f"The registrar's systems have been down since Monday. {LONG_WORD}",
    )
    correction_request_create(
        verification_request=decided,
        requested_by=primary,
        outcome="not_verified_cancelled",
        ground="verification_error",
        explanation=f"The letter was cancelled, not altered. {LONG_WORD}",
    )


def _extension_pk(crowd):
    return crowd.verification.extensionrequests.get().pk


def _correction_pk(crowd):
    return crowd.decided_verification.correctionrequests.get().pk


def _decision_file_and_admissions(institution, primary):
    """A checked decision file with long values and every kind of row, and an admissions list
    with long names (its suggestions table)."""
    from loaportal.admissions.services import admissions_list_upload
    from loaportal.decision_files.services import decision_file_check, decision_file_upload
    from loaportal.verifications.models import VerificationRequest

    numbers = list(
        VerificationRequest.objects.filter(institution=institution).values_list(
            "application_number", flat=True
        )
    )
    lines = ["application_number;outcome;comment"]
    lines += [f"{number};Non vérifiée – Aucune correspondance;{LONG_WORD}" for number in numbers]
    lines += [f"{LONG_WORD};{LONG_WORD};{LONG_WORD}", f"{numbers[0]};verified_matched;"]
    decision_file = decision_file_upload(
        user=primary,
        file_name=f"decisions-{'x' * 80}.csv",
        content="\n".join(lines).encode(),
    )
    admissions = ["name,date_of_birth,student_id,program,start_date,status"]
    admissions += [
        f"Marie-Ève Geneviève Anne-Sophie {n} Tremblay-Longpré-Bouchard-Desjardins,,"
        f"2026-INTL-{n:06d}-ADMISSIONS,{LONG_WORD},2027-09-01,admitted"
        for n in range(0, 30, 2)
    ]
    admissions_list_upload(
        user=primary, file_name=f"admissions-{'x' * 80}.csv", content="\n".join(admissions).encode()
    )
    return decision_file_check(decision_file_id=decision_file.pk)


# The object each parameterised page shows, and any query that opens a step of the page.
PAGE_PARAMETERS = {
    "user_changes:request_detail": lambda crowd: ({"pk": crowd.open_request.pk}, ""),
    "invitations:manage": lambda crowd: ({"pk": crowd.invitation.pk}, "?action=cancel"),
    "officers:user_change_request_detail": lambda crowd: ({"pk": crowd.open_request.pk}, ""),
    "officers:dli_detail": lambda crowd: ({"pk": crowd.institution.pk}, ""),
    "officers:user_deactivate": lambda crowd: ({"pk": crowd.secondary.pk}, ""),
    "mailbox_message": lambda crowd: ({"pk": crowd.message.pk}, ""),
    "verifications:request_detail": lambda crowd: ({"pk": crowd.verification.pk}, ""),
    "verifications:officer_detail": lambda crowd: ({"pk": crowd.decided_verification.pk}, ""),
    "amendments:extension_create": lambda crowd: ({"pk": crowd.verification.pk}, ""),
    "amendments:correction_create": lambda crowd: ({"pk": crowd.decided_verification.pk}, ""),
    "amendments:officer_extension_detail": lambda crowd: ({"pk": _extension_pk(crowd)}, ""),
    "amendments:officer_correction_detail": lambda crowd: ({"pk": _correction_pk(crowd)}, ""),
    "decision_files:detail": lambda crowd: ({"pk": crowd.decision_file.pk}, ""),
}
# Extra views of a page: its second page of rows, its other tabs, its confirmation step.
PAGE_VARIANTS = {
    "officers:user_change_request_list": ["?status=refused"],
    "officers:dli_list": ["?page=2", f"?q={LONG_NAME_EN[:20]}"],
    "officers:user_change_request_detail": ["?confirm=approve"],
    "audit:log": ["?page=2"],
    "verifications:queue": [
        "?tab=todo&page=2",
        "?tab=decided",
        "?tab=due_soon",
        "?tab=mine&assignee=none",
    ],
    "verifications:officer_list": ["?status=verified_matched"],
    "decision_files:detail": ["?show=ready"],
}


def _patterns(patterns, namespaces=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _patterns(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry, namespaces


def portal_pages() -> list[tuple[str, Access]]:
    """The name and access rule of every page in the URLconf, except the Django admin (see
    ``back_office_urls``)."""
    pages = []
    for pattern, namespaces in _patterns(get_resolver().url_patterns):
        name = ":".join((*namespaces, pattern.name))
        # The API (``/api/v1/``) answers programs in JSON; its reference page is Swagger UI's.
        if "admin" in namespaces or "api_v1" in namespaces or name in NOT_PAGES:
            continue
        rule = view_access(pattern.callback, namespaces)
        assert rule is not None, name
        pages.append((name, rule))
    return sorted(set(pages))


def reachable_urls(user: User | None, crowd: Crowd, lang: str) -> list[str]:
    urls = []
    with translation.override(lang):
        for name, rule in portal_pages():
            if rule is Access.PUBLIC:
                # Signed-in people are not sent through the sign-up and sign-in steps again.
                if user is not None and name.startswith("account_"):
                    continue
            elif user is None or not user_satisfies(user, rule):
                continue
            kwargs, query = PAGE_PARAMETERS[name](crowd) if name in PAGE_PARAMETERS else ({}, "")
            url = reverse(name, kwargs=kwargs or None)
            urls.append(url + query)
            urls.extend(url + variant for variant in PAGE_VARIANTS.get(name, []))
    return urls


def back_office_urls(user: User, lang: str) -> list[str]:
    """The back office's (Django admin's) home and the list of each kind of thing it shows
    that ``user`` may see. Its own layout, without the design system's header and footer."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    with translation.override(lang):
        return [reverse("admin:index")] + [
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            for model, model_admin in admin.site._registry.items()
            if model_admin.has_view_permission(request)
        ]


def signed_in_cookie(live_server, user: User) -> dict:
    terms_accept(user=user, version=terms_current())
    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


# Every design-system component has rendered (Stencil marks each one "hydrated").
HYDRATED = """() => [...document.querySelectorAll("body *")]
  .filter((el) => el.tagName.startsWith("GCDS-"))
  .every((el) => el.classList.contains("hydrated"))"""

# The page's width and, when it is too wide, the outermost elements that stick out.
MEASURE = """() => {
  const inner = window.innerWidth;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.right > inner + 1 && !(el.parentElement && wide.includes(el.parentElement))) {
      wide.push(el);
    }
  }
  const band = (selector) => {
    const box = document.querySelector(selector).getBoundingClientRect();
    return [Math.round(box.left), Math.round(box.right)];
  };
  return {
    inner,
    bands: [band("gcds-header"), band("gcds-footer")],
    html: document.documentElement.scrollWidth,
    body: document.body.scrollWidth,
    wide: wide.slice(0, 4).map((el) => {
      const right = Math.round(el.getBoundingClientRect().right);
      return `${el.tagName.toLowerCase()}.${el.className} (${right}px)`;
    }),
  };
}"""


def too_wide(page, url: str) -> str | None:
    """Open ``url``; describe how it overflows the window (or how its header and footer fall
    short of the window's edges), or None when it fits."""
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    page.wait_for_function(HYDRATED)
    if not page.locator("gcds-header").count():
        # The back office: its own header and footer.
        size = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.body.scrollWidth]"
        )
        inner = page.evaluate("() => window.innerWidth")
        return None if max(size) <= inner else f"{page.url}: {size} px > {inner} px"
    size = page.evaluate(MEASURE)
    edges = [0, size["inner"]]
    if size["html"] <= size["inner"] and size["body"] <= size["inner"]:
        if size["bands"] == [edges, edges]:
            return None
        return f"{page.url}: header and footer span {size['bands']}, not the window {edges}"
    return f"{page.url}: {size['html']}/{size['body']} px > {size['inner']} px {size['wide']}"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_page_scrolls_sideways_on_a_phone(browser, live_server, settings, tmp_path, lang):
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "documents"
    crowd = crowded_portal()
    people = {
        "visitor": None,
        "primary": crowd.primary,
        "secondary": crowd.secondary,
        "officer": crowd.officer,
    }
    visited = set()
    problems = []
    for who, user in people.items():
        context = browser.new_context(base_url=live_server.url, viewport=PHONE)
        if user is not None:
            context.add_cookies([signed_in_cookie(live_server, user)])
        page = context.new_page()
        urls = reachable_urls(user, crowd, lang)
        if user is not None and user.is_staff:
            urls += back_office_urls(user, lang)
        for url in urls:
            visited.add(url)
            problem = too_wide(page, url)
            if problem:
                problems.append(f"{who} {problem}")
        context.close()
    # The sweep reached every kind of page, with data on it.
    with translation.override(lang):
        for name in (
            "invitations:users",
            "audit:log",
            "account_sessions",
            "officers:dli_list",
            "verifications:queue",
            "verifications:officer_list",
            "mailbox",
            "admin:index",
        ):
            assert any(url.startswith(reverse(name)) for url in visited), name
    assert not problems, "\n".join(problems)
