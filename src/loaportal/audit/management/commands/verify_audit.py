"""``loaportal verify_audit``: check the audit trail's hash chain (loaportal.audit.chain)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from loaportal.audit.chain import verify_chain
from loaportal.audit.triggers import triggers_installed


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain and append-only triggers; name the first broken "
        "or missing entry. Exits with status 1 when the trail does not hold together."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import connection

        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"Audit trail broken at {result.finding} "
                f"({result.checked} entries before it are intact)."
            )
        self.stdout.write(
            f"Audit trail intact: {result.checked} entries; "
            f"head at position {result.head_seq}, hash {result.head_hash}."
        )
        if not triggers_installed(connection):
            raise CommandError(
                "The audit trail's append-only triggers are missing or disabled: run "
                "`loaportal migrate` (it installs them again) and find out who removed them."
            )
