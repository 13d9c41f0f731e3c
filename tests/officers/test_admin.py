"""The Django admin for officers who are not superusers: usable with no per-user permissions,
but never a way to hand out staff or superuser rights."""

from __future__ import annotations

import pytest
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
def officer(smtp):
    """A staff officer who is not a superuser and holds no model permission or group."""
    user = UserFactory(email="officer@ircc.example", is_staff=True)
    assert not user.is_superuser and not user.user_permissions.exists()
    return user


@pytest.fixture
def officer_client(officer, client, smtp):
    flows.sign_in(client, smtp, email=officer.email)
    return client


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
    # Superuser-only: Django's groups stay out of the officers' back office.
    assert b"/auth/group/" not in index.content
    assert officer_client.get(flows.url("admin:auth_group_changelist")).status_code == 403

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


def test_a_superuser_still_manages_access(client, smtp):
    boss = UserFactory(email="boss@ircc.example", is_staff=True, is_superuser=True)
    officer = UserFactory(email="officer@ircc.example", is_staff=True)
    flows.sign_in(client, smtp, email=boss.email)
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


def test_dli_users_get_403_on_the_admin(client, smtp):
    member = MembershipFactory(user__email="member@college.example").user
    flows.sign_in(client, smtp, email=member.email)
    for name in ("admin:index", "admin:accounts_user_changelist"):
        assert client.get(flows.url(name)).status_code == 403, name


def test_officers_change_their_password_on_the_portal_page(officer_client):
    response = officer_client.get(flows.url("admin:password_change", "fr"))
    assert response.status_code == 302
    assert response["Location"] == flows.url("account_change_password", "fr")
