"""``loaportal create_dli``: onboard a DLI and email its primary representative an invitation."""

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from loaportal.core.exceptions import ApplicationError
from loaportal.institutions.models import Institution
from loaportal.institutions.selectors import institution_by_number
from loaportal.invitations.onboarding import (
    institution_onboard,
    institution_primary_invitation_send,
)


class Command(BaseCommand):
    help = (
        "Create a designated learning institution and email its primary representative an "
        "invitation code. With --resend, send a fresh invitation to an existing DLI (the old code "
        "stops working)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--number", required=True, help="DLI number: O and 11 digits.")
        parser.add_argument("--name", help="Name in English (required for a new DLI).")
        parser.add_argument("--name-fr", default="", help="Name in French (defaults to --name).")
        parser.add_argument("--primary-email", help="Email of the primary representative.")
        parser.add_argument(
            "--language",
            choices=["fr", "en"],
            default=None,
            help="Language shown first in the bilingual invitation (default: French for a new "
            "DLI, the language of its last primary invitation with --resend).",
        )
        parser.add_argument(
            "--province", default="", choices=[""] + list(Institution.Province.values)
        )
        parser.add_argument(
            "--resend",
            action="store_true",
            help="Re-send the primary invitation of an existing DLI.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # An operator's command: its messages are in English, like the documentation.
        with translation.override("en"):
            self._handle(**options)

    def _handle(self, **options: Any) -> None:
        try:
            if options["resend"]:
                institution = institution_by_number(dli_number=options["number"])
                if institution is None:
                    raise CommandError(f"No DLI with number {options['number']}.")
                sent = institution_primary_invitation_send(
                    institution=institution,
                    email=options["primary_email"],
                    language=options["language"],
                )
            else:
                if not options["name"] or not options["primary_email"]:
                    raise CommandError("--name and --primary-email are required for a new DLI.")
                sent = institution_onboard(
                    dli_number=options["number"],
                    name_en=options["name"],
                    name_fr=options["name_fr"],
                    province=options["province"],
                    primary_email=options["primary_email"],
                    language=options["language"] or "fr",
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        invitation = sent.invitation
        self.stdout.write(
            f"Invitation sent to {invitation.email} for {invitation.institution.dli_number}; "
            f"it expires {invitation.expires_at:%Y-%m-%d %H:%M %Z}."
        )
        if options["verbosity"] >= 2:
            self.stdout.write(f"Invitation code: {sent.code}")
