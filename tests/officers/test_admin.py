"""The Django admin for officers who are not superusers: usable with no per-user permissions,
but never a way to hand out staff or superuser rights."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib import admin

from loaportal.core.admin import OfficerAdminMixin
from loaportal.terms.selectors import terms_current
from tests import flows
from tests.factories import MembershipFactory, UserFactory, dli_with_users


def _portal_admin_classes():
    """Every ModelAdmin class of the portal's own apps, with its inlines."""
    for model, model_admin in admin.site._registry.items():
        if model.__module__.startswith("loaportal."):
            yield type(model_admin)
            yield from model_admin.inlines


def test_every_portal_admin_and_inline_uses_the_officer_mixin():
    """Guards new admin classes: without the mixin an officer would not see them."""
    missing = [
        cls.__name__ for cls in _portal_admin_classes() if not issubclass(cls, OfficerAdminMixin)
    ]
    assert missing == []


@pytest.fixture
def officer(db):
    """A staff officer who is not a superuser and holds no model permission or group."""
    user = UserFactory(email="officer@ircc.example", is_staff=True)
    assert not user.is_superuser and not user.user_permissions.exists()
    return user


@pytest.fixture
def officer_client(officer, signed_in):
    return signed_in(officer)


def test_officer_opens_the_index_and_every_portal_changelist(officer_client):
    dli = dli_with_users(secondaries=1)
    index = officer_client.get(flows.url("admin:index"))
    assert index.status_code == 200
    for model in admin.site._registry:
        if not model.__module__.startswith("loaportal."):
            continue
        changelist = flows.url(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert changelist.encode() in index.content, changelist
        assert officer_client.get(changelist).status_code == 200, changelist
    # Django's groups are not part of the back office at all (see test_back_office_lists_...).
    assert b"/auth/group/" not in index.content

    users = officer_client.get(flows.url("admin:accounts_user_changelist"))
    assert dli.primary.email.encode() in users.content
    dli_page = officer_client.get(
        flows.url("admin:institutions_institution_change", object_id=dli.institution.pk)
    )
    # The read-only inlines show the DLI's users.
    assert dli_page.status_code == 200 and dli.secondaries[0].email.encode() in dli_page.content
    audit = officer_client.get(flows.url("admin:audit_auditevent_changelist"))
    assert audit.status_code == 200


def _user_form(user, **changes) -> dict:
    return {
        "email": user.email,
        "surname": user.surname,
        "given_names": user.given_names,
        "phone": user.phone,
        "preferred_language": user.preferred_language,
        **changes,
    }


def test_officer_corrects_a_dli_user_but_cannot_make_anyone_staff(officer_client, officer):
    member = MembershipFactory(user__email="member@college.example").user
    change = flows.url("admin:accounts_user_change", object_id=member.pk)

    page = officer_client.get(change).content.decode()
    assert 'name="surname"' in page
    assert member.password not in page and "argon2" not in page
    for field in ("is_staff", "is_superuser", "is_active", "groups"):
        assert f'name="{field}"' not in page, field

    response = officer_client.post(
        change,
        _user_form(member, surname="Gagnon", is_staff="on", is_superuser="on", is_active=""),
    )
    assert response.status_code == 302, response.content[:2000]
    member.refresh_from_db()
    assert member.surname == "Gagnon"
    assert (member.is_staff, member.is_superuser, member.is_active) == (False, False, True)

    # Nor on their own account, nor on another officer's: staff accounts are a superuser's.
    for target in (
        officer,
        UserFactory(email="boss@ircc.example", is_staff=True, is_superuser=True),
    ):
        own = flows.url("admin:accounts_user_change", object_id=target.pk)
        assert b'name="_save"' not in officer_client.get(own).content
        assert officer_client.post(own, _user_form(target, is_superuser="on")).status_code == 403
    officer.refresh_from_db()
    assert not officer.is_superuser
    # Accounts are not added or deleted here: DLI users sign up with an invitation.
    assert officer_client.get(flows.url("admin:accounts_user_add")).status_code == 403
    delete = flows.url("admin:accounts_user_delete", object_id=member.pk)
    assert officer_client.post(delete, {"post": "yes"}).status_code == 403


def test_a_superuser_still_manages_access(signed_in):
    boss = UserFactory(email="boss@ircc.example", is_staff=True, is_superuser=True)
    officer = UserFactory(email="officer@ircc.example", is_staff=True)
    client = signed_in(boss)
    change = flows.url("admin:accounts_user_change", object_id=officer.pk)
    assert b'name="is_superuser"' in client.get(change).content
    response = client.post(
        change, _user_form(officer, is_staff="on", is_active="", email="moved@elsewhere.example")
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.is_staff and not officer.is_superuser
    # The email (allauth keeps a verified copy) and deactivation (an audited page) are not
    # edited here, even by a superuser.
    assert (officer.email, officer.is_active) == ("officer@ircc.example", True)
    assert client.get(flows.url("admin:terms_termsversion_add")).status_code == 200


def test_adding_a_dli_in_the_admin_is_the_onboarding_page(officer_client):
    response = officer_client.get(flows.url("admin:institutions_institution_add", "fr"))
    assert response.status_code == 302
    assert response["Location"] == flows.url("officers:dli_onboard", "fr")


def test_a_dli_number_never_changes_in_the_admin(officer_client):
    from loaportal.institutions.models import Institution

    institution = MembershipFactory().institution
    change = flows.url("admin:institutions_institution_change", object_id=institution.pk)
    page = officer_client.get(change).content.decode()
    assert 'name="name_en"' in page and 'name="dli_number"' not in page
    form = {
        "name_en": "Renamed College",
        "name_fr": institution.name_fr,
        "province": institution.province,
        "post_secondary": "on",
        "dli_number": "O99999999999",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "invitations-TOTAL_FORMS": "0",
        "invitations-INITIAL_FORMS": "0",
    }
    response = officer_client.post(change, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    renamed = Institution.objects.get(pk=institution.pk)
    assert (renamed.name_en, renamed.dli_number) == ("Renamed College", institution.dli_number)


def test_read_only_records_stay_read_only_for_officers(officer_client):
    for name in (
        "admin:invitations_invitation_add",
        "admin:institutions_userchangerequest_add",
        "admin:terms_termsacceptance_add",
        "admin:audit_auditevent_add",
        # Publishing terms makes everyone accept again: superusers only.
        "admin:terms_termsversion_add",
    ):
        assert officer_client.get(flows.url(name)).status_code == 403, name
    version = terms_current()
    change = flows.url("admin:terms_termsversion_change", object_id=version.pk)
    assert officer_client.get(change).status_code == 200
    assert officer_client.post(change, {"title_en": "Forged"}).status_code == 403
    version.refresh_from_db()
    assert version.title_en != "Forged"
    delete = flows.url("admin:terms_termsversion_delete", object_id=version.pk)
    assert officer_client.post(delete, {"post": "yes"}).status_code == 403


def test_dli_users_get_403_on_the_admin(signed_in):
    member = MembershipFactory(user__email="member@college.example").user
    client = signed_in(member)
    for name in ("admin:index", "admin:accounts_user_changelist"):
        assert client.get(flows.url(name)).status_code == 403, name


def test_officers_change_their_password_on_the_portal_page(officer_client):
    response = officer_client.get(flows.url("admin:password_change", "fr"))
    assert response.status_code == 302
    assert response["Location"] == flows.url("account_change_password", "fr")


# --- What the back office shows, in both languages (issue 8, item 11) ---------------------------

# Sections and rows officers never use, whoever signs in (a superuser sees every registered one).
NOT_IN_THE_BACK_OFFICE = {
    "fr": ("Groupes", "Django-RQ", "Task Results", "Tasks Database Backend", "Sessions", "e-mail"),
    "en": ("Groups", "Django-RQ", "Task Results", "Tasks Database Backend", "Sessions"),
}


def _section_names(content: bytes) -> list[str]:
    """The headings of the index's sections (one caption per app)."""
    return [
        html.unescape(re.sub(r"<[^>]+>", "", caption)).strip()
        for caption in re.findall(
            r'(?s)<caption>\s*<a href="[^"]*" class="section"[^>]*>(.*?)</a>', content.decode()
        )
    ]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_back_office_lists_only_what_officers_use_with_distinct_names(signed_in, lang):
    boss = UserFactory(email="boss@ircc.example", is_staff=True, is_superuser=True)
    index = signed_in(boss).get(flows.url("admin:index", lang))
    assert index.status_code == 200
    sections = _section_names(index.content)
    assert len(sections) == len(set(sections)), sections  # no two sections called "Comptes"
    expected = {
        "fr": {"Comptes", "Adresses électroniques", "Établissements", "Journal d'activité"},
        "en": {"Accounts", "Email addresses", "Institutions", "Audit trail"},
    }[lang]
    assert expected <= set(sections), sections
    page = index.content.decode()
    for hidden in NOT_IN_THE_BACK_OFFICE[lang]:
        assert hidden not in page, hidden
    for path in ("auth/group/", "django_tasks_database/dbtaskresult/", "usersessions/usersession/"):
        assert f"/{path}" not in page, path
    assert not settings.RQ_SHOW_ADMIN_LINK  # the tests' queue is not Redis


def test_django_rq_dashboard_only_with_the_redis_queue():
    """``RQ_SHOW_ADMIN_LINK`` follows ``TASKS_BACKEND`` (read once, when the settings load)."""
    code = (
        "import importlib, os\n"
        "os.environ['TASKS_BACKEND'] = 'database'\n"
        "import loaportal.settings as s\n"
        "shown = [s.RQ_SHOW_ADMIN_LINK]\n"
        "os.environ['TASKS_BACKEND'] = 'redis'\n"
        "shown.append(importlib.reload(s).RQ_SHOW_ADMIN_LINK)\n"
        "print(shown)"
    )
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/15"}
    result = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[False, True]"


def test_email_addresses_are_named_in_canadian_french(signed_in):
    boss = UserFactory(email="boss@ircc.example", is_staff=True, is_superuser=True)
    client = signed_in(boss)
    page = client.get(flows.url("admin:account_emailaddress_changelist", "fr")).content.decode()
    assert "Adresses électroniques" in page and "e-mail" not in page
    assert "Marquer les adresses électroniques sélectionnées comme vérifiées" in page


@pytest.mark.parametrize(
    ("lang", "other", "label"), [("fr", "en", "English"), ("en", "fr", "Français")]
)
def test_language_toggle_leads_to_the_same_back_office_page(officer_client, lang, other, label):
    member = MembershipFactory(user__email="member@college.example").user
    pages = [
        (flows.url("admin:index", lang), flows.url("admin:index", other)),
        (
            flows.url("admin:accounts_user_change", lang, object_id=member.pk),
            flows.url("admin:accounts_user_change", other, object_id=member.pk),
        ),
        (
            flows.url("admin:audit_auditevent_changelist", lang) + "?q=member",
            flows.url("admin:audit_auditevent_changelist", other) + "?q=member",
        ),
    ]
    for here, there in pages:
        page = officer_client.get(here)
        assert page.status_code == 200, here
        toggle = re.search(
            r'<a href="([^"]*)" lang="(\w+)"[^>]*>([^<]*)</a>', page.content.decode()
        )
        assert toggle is not None, here
        assert (html.unescape(toggle.group(1)), toggle.group(2), toggle.group(3)) == (
            there,
            other,
            label,
        )
        assert officer_client.get(there).status_code == 200, there


def test_back_office_signs_out_like_every_other_page(officer_client):
    page = officer_client.get(flows.url("admin:index", "fr")).content.decode()
    form = re.search(
        r'(?s)<form id="logout-form" method="post" action="([^"]*)">(.*?)</form>', page
    )
    assert form is not None
    assert form.group(1) == flows.url("account_logout", "fr")
    assert "Se déconnecter" in form.group(2)
    assert officer_client.post(form.group(1)).status_code == 302
    assert officer_client.get(flows.url("admin:index", "fr")).status_code == 302


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_officers_audit_trail_link_opens_the_back_office(officer_client, lang):
    home = officer_client.get(flows.url("home", lang)).content.decode()
    audit = flows.url("admin:audit_auditevent_changelist", lang)
    assert f'href="{audit}"' in home
    assert officer_client.get(audit).status_code == 200
