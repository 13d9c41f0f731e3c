from datetime import timedelta

import pytest
from django.utils import timezone

from loaportal.institutions.models import Membership
from loaportal.invitations import codes
from loaportal.invitations.models import Invitation
from loaportal.invitations.services import (
    MSG_ALREADY_INVITED,
    MSG_EMAIL_UNAVAILABLE,
    InvitationError,
    invitation_check,
    invitation_redeem,
    invitation_resend,
    invitation_revoke,
    invitation_send,
)
from tests.conftest import INVITATION_CODE
from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_code_format_and_normalisation():
    code = codes.code_generate()
    assert INVITATION_CODE.match(code)
    assert codes.code_hash(code) == codes.code_hash(code.lower().replace("-", " "))
    assert len({codes.code_generate() for _ in range(200)}) == 200
    with pytest.raises(ValueError):
        codes.code_generate(groups=2)


def test_send_stores_only_a_hash_and_emails_the_code_first(mail):
    institution = InstitutionFactory()
    sent = invitation_send(
        institution=institution, email=" New.Person@College.Example ", language="en"
    )
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@college.example"
    assert invitation.code_hash == codes.code_hash(sent.code)
    assert sent.code not in str(Invitation.objects.values().get())
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    message = mail.wait_for("new.person@college.example")
    assert message.first_line == sent.code
    # Bilingual: the person's language is not known yet; the English text comes first here.
    assert "invited" in message.text and "invité" in message.text
    assert message.text.index("invited") < message.text.index("invité")


def test_validity_is_configurable(settings):
    settings.INVITATION_VALIDITY_DAYS = 3
    sent = invitation_send(institution=InstitutionFactory(), email="a@b.example")
    assert sent.invitation.expires_at - sent.invitation.created_at == timedelta(days=3)


@pytest.mark.parametrize(
    ("make_state", "code"),
    [
        (lambda inv, now: None, "ok"),
        (lambda inv, now: Invitation.objects.filter(pk=inv.pk).update(revoked_at=now), "revoked"),
        (
            lambda inv, now: Invitation.objects.filter(pk=inv.pk).update(
                created_at=now - timedelta(days=15), expires_at=now - timedelta(seconds=1)
            ),
            "expired",
        ),
    ],
)
def test_check_states(make_state, code):
    now = timezone.now()
    sent = invitation_send(institution=InstitutionFactory(), email="x@college.example")
    make_state(sent.invitation, now)
    if code == "ok":
        assert invitation_check(code=sent.code, email="X@College.example") == sent.invitation
    else:
        with pytest.raises(InvitationError) as exc:
            invitation_check(code=sent.code, email="x@college.example")
        assert exc.value.code == code


def test_check_unknown_code_and_other_email():
    sent = invitation_send(institution=InstitutionFactory(), email="x@college.example")
    with pytest.raises(InvitationError) as exc:
        invitation_check(code="AAAA-BBBB-CCCC", email="x@college.example")
    assert exc.value.code == "unknown"
    with pytest.raises(InvitationError) as exc:
        invitation_check(code=sent.code, email="someone.else@college.example")
    assert (exc.value.code, exc.value.field) == ("email_mismatch", "email")


def test_expiry_by_moving_the_clock(clock):
    sent = invitation_send(institution=InstitutionFactory(), email="x@college.example")
    clock.shift(timedelta(days=14, seconds=-5))
    assert invitation_check(code=sent.code, email="x@college.example")
    clock.shift(timedelta(seconds=10))
    with pytest.raises(InvitationError) as exc:
        invitation_check(code=sent.code, email="x@college.example")
    assert exc.value.code == "expired"


def test_redeem_is_single_use_and_creates_membership():
    institution = InstitutionFactory()
    sent = invitation_send(
        institution=institution, email="p@college.example", role=Membership.Role.PRIMARY
    )
    user = UserFactory(email="p@college.example")
    membership = invitation_redeem(invitation=sent.invitation, user=user)
    assert (membership.institution, membership.role) == (institution, Membership.Role.PRIMARY)
    with pytest.raises(InvitationError) as exc:
        invitation_check(code=sent.code, email="p@college.example")
    assert exc.value.code == "used"
    with pytest.raises(InvitationError):
        invitation_redeem(invitation=sent.invitation, user=UserFactory())


def test_resend_kills_the_old_code(mail):
    sent = invitation_send(institution=InstitutionFactory(), email="x@college.example")
    again = invitation_resend(invitation=sent.invitation)
    assert again.code != sent.code
    with pytest.raises(InvitationError) as exc:
        invitation_check(code=sent.code, email="x@college.example")
    assert exc.value.code == "revoked"
    assert invitation_check(code=again.code, email="x@college.example") == again.invitation
    assert [m.first_line for m in mail.for_address("x@college.example")] == [sent.code, again.code]
    invitation_revoke(invitation=again.invitation)
    with pytest.raises(InvitationError):
        invitation_resend(invitation=again.invitation)


def test_registered_or_already_invited_email_is_refused():
    institution = InstitutionFactory()
    UserFactory(email="taken@college.example")
    with pytest.raises(InvitationError) as exc:
        invitation_send(institution=institution, email="TAKEN@college.example")
    assert exc.value.message == MSG_EMAIL_UNAVAILABLE
    invitation_send(institution=institution, email="new@college.example")
    with pytest.raises(InvitationError) as exc:
        invitation_send(institution=institution, email="New@College.example")
    assert exc.value.message == MSG_ALREADY_INVITED
