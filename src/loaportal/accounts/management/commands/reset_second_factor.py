"""``loaportal reset_second_factor EMAIL --by OFFICER_EMAIL --reason TEXT``: an account's lost
second factor (deploy/RUNBOOK.md, "A lost second factor").

Another active officer, named with ``--by``, removes every authenticator of the account (app,
security keys, recovery codes) after checking the person's identity out of band. The account's
sessions end, the reset is in the audit trail with the reason, and the person is emailed. An
officer then sets up a new second factor at their next sign-in.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from loaportal.accounts.models import User
from loaportal.accounts.services import AccountError, user_second_factor_reset


class Command(BaseCommand):
    help = "Remove an account's second factor (lost phone or key), as another officer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the account whose second factor was lost")
        parser.add_argument("--by", required=True, help="the officer doing the reset")
        parser.add_argument("--reason", required=True, help="why (for example a ticket number)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        officer = User.objects.filter(email__iexact=options["by"].strip()).first()
        if user is None:
            raise CommandError(f"No account with the address {options['email']}.")
        if officer is None:
            raise CommandError(f"No account with the address {options['by']}.")
        try:
            removed = user_second_factor_reset(
                user=user, reset_by=officer, reason=options["reason"]
            )
        except AccountError as exc:
            # Operators read English here, whatever language was active.
            with translation.override("en"):
                raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"Second factor of {user.email} reset by {officer.email}: {removed} "
            "authenticator(s) removed, sessions ended, the person emailed."
        )
