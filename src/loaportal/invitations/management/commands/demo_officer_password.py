"""``loaportal demo_officer_password``: a new password for the demo officer, printed once.

``load_demo`` prints the demo officer's password only when it creates the account. When that
line is lost, this gives the account a fresh random password and prints it. The change is
audited as a password change and ends the account's open sessions. Development and demos
only: refused when ``LOAPORTAL_ENVIRONMENT=production``.
"""

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from loaportal.accounts.models import User
from loaportal.accounts.services import user_password_replace
from loaportal.invitations.management.commands.load_demo import DEMO_OFFICER_EMAIL

MSG_PRODUCTION = "demo_officer_password is for development and demos: refused in production."
MSG_NO_OFFICER = (
    f"There is no demo officer ({DEMO_OFFICER_EMAIL}): run `loaportal load_demo` first."
)


def _new_password(user: User) -> str:
    while True:
        password = secrets.token_urlsafe(18)  # 24 characters, about 144 bits
        try:
            validate_password(password, user=user)
        except ValidationError:
            continue
        return password


class Command(BaseCommand):
    help = "Give the demo officer a new random password and print it (not in production)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(MSG_PRODUCTION)
        officer = User.objects.filter(email=DEMO_OFFICER_EMAIL).first()
        if officer is None:
            raise CommandError(MSG_NO_OFFICER)
        password = _new_password(officer)
        ended = user_password_replace(
            user=officer, password=password, details={"by": "demo_officer_password"}
        )
        self.stdout.write(f"Demo officer: {DEMO_OFFICER_EMAIL} / {password} (shown once)")
        if ended:
            self.stdout.write(f"Sessions ended: {ended}")
