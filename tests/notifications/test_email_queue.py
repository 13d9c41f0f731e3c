"""Email leaves through the background queue, never inside the web request."""

from django.core.management import call_command

from loaportal.invitations.services import invitation_send
from loaportal.notifications.models import MailboxMessage
from tests import flows
from tests.factories import InstitutionFactory, MembershipFactory


def test_sign_in_queues_the_code_and_the_worker_delivers_it(client, smtp, database_queue):
    MembershipFactory(user__email="member@college.example")
    response = flows.sign_in_password(client, email="member@college.example")
    assert response.status_code == 302
    assert smtp.for_address("member@college.example") == []  # not sent by the request

    call_command("worker", "--batch")
    code = smtp.wait_for("member@college.example").first_line
    assert flows.submit_code(client, code=code).status_code == 302


def test_development_mailbox_keeps_messages_and_lists_them(client, transactional_db, settings):
    settings.EMAIL_BACKEND = "loaportal.notifications.backends.MailboxBackend"
    sent = invitation_send(institution=InstitutionFactory(), email="new@college.example")
    message = MailboxMessage.objects.get()
    assert message.recipients == ["new@college.example"]
    assert message.body.splitlines()[0] == sent.code
    listing = client.get("/en/mailbox/")
    assert listing.status_code == 200 and b"new@college.example" in listing.content
    detail = client.get(f"/fr/boite-aux-lettres/{message.pk}/")
    assert sent.code.encode() in detail.content


def test_in_development_the_mailbox_shows_the_code_the_outbox_erased(
    client, transactional_db, settings, database_queue
):
    from loaportal.notifications.models import OutgoingEmail

    settings.EMAIL_BACKEND = "loaportal.notifications.backends.MailboxBackend"
    sent = invitation_send(institution=InstitutionFactory(), email="new@college.example")
    assert MailboxMessage.objects.count() == 0  # not delivered by the request
    call_command("worker", "--batch")
    outgoing = OutgoingEmail.objects.get()
    assert (outgoing.status, outgoing.content) == (OutgoingEmail.Status.SENT, "")
    message = MailboxMessage.objects.get()
    assert sent.code.encode() in client.get(f"/en/mailbox/{message.pk}/").content
