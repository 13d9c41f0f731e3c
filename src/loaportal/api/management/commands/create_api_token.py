"""``loaportal create_api_token``: an API token for automation, printed alone on the last line.

    loaportal create_api_token --dli O19390898172 --name "SIS" [--scope read|decide]
    loaportal create_api_token --ircc --name "GCMS intake" [--officer EMAIL]

A DLI token acts as the DLI's current primary user (who sees it on the "API access" page and
may revoke it); an IRCC token as the officer named by ``--officer``, by default the first
officer account created.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from loaportal.api.models import ApiToken
from loaportal.api.services import ApiTokenError, api_token_create, api_token_create_ircc
from loaportal.institutions.selectors import institution_by_number, membership_primary


class Command(BaseCommand):
    help = "Create an API token for a DLI's systems (--dli) or IRCC's (--ircc); prints it once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        side = parser.add_mutually_exclusive_group(required=True)
        side.add_argument("--dli", metavar="NUMBER", help="The DLI number (O and 11 digits).")
        side.add_argument("--ircc", action="store_true", help="An IRCC service token.")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument(
            "--scope",
            choices=list(ApiToken.Scope.values),
            default=ApiToken.Scope.READ,
            help="DLI tokens: read (default) or decide.",
        )
        parser.add_argument("--days", type=int, default=None, help="Validity (default 365).")
        parser.add_argument("--officer", metavar="EMAIL", help="IRCC tokens: acting officer.")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            try:
                created = self._ircc(options) if options["ircc"] else self._dli(options)
            except ApiTokenError as error:
                raise CommandError(str(error.message)) from None
        token = created.token
        self.stdout.write(
            f"Token {token.name!r} ({token.kind}, scope {token.scope}, expires "
            f"{token.expires_at:%Y-%m-%d}). It is shown once:"
        )
        self.stdout.write(created.value)

    def _dli(self, options: dict[str, Any]) -> Any:
        institution = institution_by_number(dli_number=options["dli"].strip().upper())
        if institution is None:
            raise CommandError(f"No DLI with number {options['dli']}.")
        primary = membership_primary(institution=institution)
        if primary is None or not primary.user.is_active:
            raise CommandError("This DLI has no active primary user for the token to act as.")
        return api_token_create(
            institution=institution,
            name=options["name"],
            scope=options["scope"],
            created_by=primary.user,
            days=options["days"],
        )

    def _ircc(self, options: dict[str, Any]) -> Any:
        officers = get_user_model().objects.filter(is_active=True, is_staff=True)
        if options["officer"]:
            officers = officers.filter(email__iexact=options["officer"].strip())
        officer = officers.order_by("date_joined", "pk").first()
        if officer is None:
            raise CommandError(
                "No active officer account to act as: create one (loaportal createsuperuser) "
                "or name one with --officer."
            )
        return api_token_create_ircc(name=options["name"], created_by=officer, days=options["days"])
