"""Versioned terms: acceptance is recorded, and a new version asks everyone again."""

import pytest
from django.test import Client

from loaportal.terms.models import TermsAcceptance
from loaportal.terms.selectors import terms_current
from loaportal.terms.services import terms_publish
from tests import flows
from tests.factories import MembershipFactory


def _publish(version: str):
    return terms_publish(
        version=version,
        title_fr="Modalités révisées",
        title_en="Revised terms",
        text_fr="Texte révisé.",
        text_en="Revised text.",
    )


def test_acceptance_is_recorded_and_a_new_version_asks_again(client, mail):
    user = MembershipFactory(user__email="member@college.example").user
    flows.sign_in(client, mail, email=user.email)
    first = terms_current()
    (acceptance,) = TermsAcceptance.objects.filter(user=user)
    assert (acceptance.version, acceptance.ip_address) == (first, "127.0.0.1")
    assert client.get(flows.url("home")).status_code == 200

    second = _publish("2027-1")
    response = client.get(flows.url("home"))
    assert response.status_code == 302 and response["Location"].startswith(flows.url("terms"))
    page = client.get(flows.url("terms", "fr"))
    assert "Modalités révisées" in page.content.decode()

    # Accepting the version shown before the new one was published does not count.
    client.post(flows.url("terms"), {"version": first.version})
    assert client.get(flows.url("home")).status_code == 302
    response = client.post(flows.url("terms"), {"version": second.version, "next": "/en/home/"})
    assert response["Location"] == "/en/home/"
    assert client.get(flows.url("home")).status_code == 200
    assert set(
        TermsAcceptance.objects.filter(user=user).values_list("version__version", flat=True)
    ) == {
        first.version,
        second.version,
    }


def test_next_never_leads_off_site(client, mail):
    MembershipFactory(user__email="member@college.example")
    flows.sign_in(client, mail, email="member@college.example", accept=False)
    response = client.post(
        flows.url("terms"), {"version": terms_current().version, "next": "https://evil.example/"}
    )
    assert response["Location"] == flows.url("home")


@pytest.mark.django_db
def test_anyone_can_read_the_terms_but_only_a_signed_in_user_accepts(client):
    page = client.get(flows.url("terms", "fr"))
    assert page.status_code == 200
    assert "J'accepte" not in page.content.decode()
    response = client.post(flows.url("terms"), {"version": terms_current().version})
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    assert not TermsAcceptance.objects.exists()


def test_terms_published_in_the_admin_are_recorded_in_the_audit_trail(client, smtp):
    from loaportal.audit.models import AuditEvent
    from loaportal.terms.models import TermsVersion
    from tests.factories import UserFactory

    boss = UserFactory(email="boss@ircc.example", is_staff=True, is_superuser=True)
    flows.sign_in(client, smtp, email=boss.email)
    response = client.post(
        flows.url("admin:terms_termsversion_add"),
        {
            "version": "2099-07",
            "title_fr": "Conditions d'utilisation",
            "title_en": "Terms of use",
            "text_fr": "Le texte.",
            "text_en": "The text.",
            "published_at_0": "2026-11-28",
            "published_at_1": "12:00:00",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    version = TermsVersion.objects.get(version="2099-07")
    (event,) = AuditEvent.objects.filter(event_type=AuditEvent.Type.TERMS_PUBLISHED)
    assert (event.actor, event.subject_type, event.subject_id, event.details) == (
        boss,
        "terms.termsversion",
        str(version.pk),
        {"version": "2099-07"},
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_officers_are_not_asked_to_accept_the_terms_written_for_dli_staff(client, mail, lang):
    """Issue 8: officers were asked to accept terms written for DLI staff. They sign in straight
    to their home page; DLI users are still asked."""
    from tests.factories import OfficerFactory

    officer = OfficerFactory(email="agent@ircc.example")
    response = flows.sign_in(client, mail, email=officer.email, lang=lang, accept=False)
    assert not response["Location"].startswith(flows.url("terms", lang))
    assert client.get(flows.url("home", lang)).status_code == 200
    assert client.get(flows.url("officers:dli_list", lang)).status_code == 200
    assert not TermsAcceptance.objects.filter(user=officer).exists()

    member = MembershipFactory(user__email="member@college.example").user
    other = Client()
    flows.sign_in(other, mail, email=member.email, lang=lang, accept=False)
    response = other.get(flows.url("home", lang))
    assert response.status_code == 302 and response["Location"].startswith(flows.url("terms", lang))
