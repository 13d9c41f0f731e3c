"""``loaportal load_demo``: a demo DLI with a fresh primary invitation, and a demo officer.

Run by ``make run``. Safe to run again: it re-uses what exists and sends a fresh invitation
only while the demo DLI has no primary user yet.
"""

import secrets
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from loaportal.accounts.mfa import totp_add
from loaportal.accounts.models import User
from loaportal.institutions.models import Institution
from loaportal.institutions.selectors import institution_by_number, membership_primary
from loaportal.institutions.services import institution_create
from loaportal.invitations.onboarding import institution_primary_invitation_send

DEMO_DLI = "O19390898172"
DEMO_PRIMARY_EMAIL = "primary@demo-college.example"
DEMO_OFFICER_EMAIL = "officer@loaportal.example"


class Command(BaseCommand):
    help = "Load demonstration data: a DLI with a fresh primary-user invitation, and an officer."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        institution = institution_by_number(dli_number=DEMO_DLI) or institution_create(
            dli_number=DEMO_DLI,
            name_en="Demo College of Applied Arts and Technology",
            name_fr="Collège d'arts appliqués et de technologie de démonstration",
            province=Institution.Province.ON,
        )
        lines = [f"Demo DLI: {institution.dli_number} – {institution.name_en}"]
        if membership_primary(institution=institution) is not None:
            lines.append("The demo DLI already has a primary user: sign in with that account.")
        else:
            sent = institution_primary_invitation_send(
                institution=institution, email=DEMO_PRIMARY_EMAIL
            )
            lines.append(f"Demo invitation for {sent.invitation.email}: {sent.code}")
        if not User.objects.filter(email=DEMO_OFFICER_EMAIL).exists():
            password = secrets.token_urlsafe(18)
            officer = User.objects.create_user(
                DEMO_OFFICER_EMAIL,
                password,
                surname="Officer",
                given_names="Demo",
                phone="+16135550100",
                is_staff=True,
                is_superuser=True,
            )
            EmailAddress.objects.create(
                user=officer, email=officer.email, verified=True, primary=True
            )
            lines.append(f"Demo officer: {DEMO_OFFICER_EMAIL} / {password} (shown once)")
            # Officers must have a second factor: an authenticator app whose key is printed
            # once (add it to an app), and whose current code `loaportal demo_officer_code`
            # prints outside production.
            key = totp_add(user=officer)
            lines.append(
                f"Demo officer's authenticator app key: {key} (shown once; or run "
                "`loaportal demo_officer_code` for the current code)"
            )
        else:
            lines.append(
                f"Demo officer: {DEMO_OFFICER_EMAIL} (password shown when it was created; "
                "`loaportal demo_officer_password` gives a new one)"
            )
        if settings.MAILBOX_ENABLED:
            lines.append(
                "Emails (codes) are kept in the mailbox: /fr/boite-aux-lettres/ or /en/mailbox/"
            )
        for line in lines:
            self.stdout.write(line)
