"""A primary user's invitations and requests to IRCC are rate-limited (no email flooding)."""

from loaportal.invitations.models import Invitation
from tests import flows
from tests.factories import dli_with_users


def test_invitations_are_rate_limited_per_user(signed_in, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "invitation_send": "3/h/user"}
    dli = dli_with_users(name="busy", secondaries=0)
    client = signed_in(dli.primary)
    for index in range(3):
        response = client.post(flows.url("invitations:create"), {"email": f"p{index}@busy.example"})
        assert response.status_code == 302
    response = client.post(flows.url("invitations:create"), {"email": "p3@busy.example"})
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert not Invitation.objects.filter(email="p3@busy.example").exists()
    assert client.get(flows.url("invitations:create")).status_code == 200  # reading is not limited
