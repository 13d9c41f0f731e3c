"""One email normaliser and one set of code separators, used by every form and service."""

from __future__ import annotations

import pytest
from django.utils import timezone

from loaportal.accounts.forms import normalize_digits_code
from loaportal.core.normalize import CODE_SEPARATORS, code_strip_separators, email_normalize
from loaportal.invitations.codes import code_normalize
from loaportal.invitations.models import Invitation
from loaportal.invitations.services import invitation_send
from tests.factories import InstitutionFactory


def test_email_normalize():
    assert (
        email_normalize("  Marie.Tremblay@College.EXAMPLE \n") == "marie.tremblay@college.example"
    )


@pytest.mark.parametrize("separator", sorted(CODE_SEPARATORS))
def test_both_kinds_of_code_accept_the_same_separators(separator):
    assert normalize_digits_code(f"123{separator}456") == "123456"
    assert code_normalize(f"k7qp{separator}m2xd") == "K7QPM2XD"
    assert code_strip_separators(f"a{separator}b") == "ab"


@pytest.mark.django_db
def test_pending_invitations_are_those_neither_used_nor_cancelled():
    institution = InstitutionFactory()
    kept = invitation_send(institution=institution, email="kept@college.example").invitation
    cancelled = invitation_send(institution=institution, email="gone@college.example").invitation
    Invitation.objects.filter(pk=cancelled.pk).update(revoked_at=timezone.now())
    assert list(Invitation.objects.pending()) == [kept]
