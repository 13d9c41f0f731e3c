"""``loaportal load_demo_verifications``: about 30 verification requests for the demo DLI.

Run by ``make run`` after ``load_demo`` (which creates the demo DLI and lives in a lower
layer, so it cannot call this app). Does nothing when the demo requests exist already.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from loaportal.institutions.selectors import institution_by_number
from loaportal.verifications.demo import demo_requests_load

DEMO_DLI = "O19390898172"


class Command(BaseCommand):
    help = "Load about 30 demo verification requests (with letters) for the demo DLI."

    def handle(self, *args: Any, **options: Any) -> None:
        institution = institution_by_number(dli_number=DEMO_DLI)
        if institution is None:
            raise CommandError(f"No demo DLI {DEMO_DLI}: run `loaportal load_demo` first.")
        created = demo_requests_load(institution=institution)
        if created:
            self.stdout.write(f"Demo verification requests: {created} for {DEMO_DLI}.")
        else:
            self.stdout.write("Demo verification requests: already loaded.")
