"""``loaportal demo_officer_code``: the code the demo officer's authenticator app shows now.

Officers sign in with a second factor (ADR 0016). So that a demo needs no phone, this prints
the current 6-digit code of the demo officer's authenticator app (giving the account one
first, with its key printed once, if it has none). Each code signs in once. Development and
demos only: refused when ``LOAPORTAL_ENVIRONMENT=production``, and only for the demo officer.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from loaportal.accounts.mfa import totp_add, totp_current_code
from loaportal.accounts.models import User
from loaportal.invitations.management.commands.load_demo import DEMO_OFFICER_EMAIL

MSG_PRODUCTION = "demo_officer_code is for development and demos: refused in production."
MSG_NO_OFFICER = (
    f"There is no demo officer ({DEMO_OFFICER_EMAIL}): run `loaportal load_demo` first."
)


class Command(BaseCommand):
    help = "Print the demo officer's current authenticator code (not in production)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(MSG_PRODUCTION)
        officer = User.objects.filter(email=DEMO_OFFICER_EMAIL).first()
        if officer is None:
            raise CommandError(MSG_NO_OFFICER)
        code = totp_current_code(user=officer)
        if code is None:
            key = totp_add(user=officer)
            self.stdout.write(f"Demo officer's authenticator app key: {key} (shown once)")
            code = totp_current_code(user=officer)
        self.stdout.write(f"Demo officer's code now: {code} (valid about 30 seconds, once)")
