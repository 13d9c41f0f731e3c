"""``loaportal load_demo_amendments``: an extension request and a correction request waiting for
an officer, on the demo DLI's demo requests, so that ``make run`` shows both queues.

Run by ``make run`` after ``load_demo_verifications``. Does nothing once the demo DLI has any
extension or correction request.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from loaportal.accounts.models import User
from loaportal.amendments.models import CorrectionRequest, ExtensionRequest
from loaportal.amendments.services import correction_request_create, extension_request_create
from loaportal.institutions.selectors import institution_by_number
from loaportal.verifications.demo import DEMO_COLLEAGUE_EMAIL
from loaportal.verifications.models import VerificationRequest

DEMO_DLI = "O19390898172"


class Command(BaseCommand):
    help = "Load a demo extension request and a demo correction request for the demo DLI."

    def handle(self, *args: Any, **options: Any) -> None:
        institution = institution_by_number(dli_number=DEMO_DLI)
        colleague = User.objects.filter(email=DEMO_COLLEAGUE_EMAIL).first()
        if institution is None or colleague is None:
            raise CommandError("Run `loaportal load_demo_verifications` first.")
        if (
            ExtensionRequest.objects.filter(institution=institution).exists()
            or CorrectionRequest.objects.filter(institution=institution).exists()
        ):
            self.stdout.write("Demo extension and correction requests: already loaded.")
            return
        requests = VerificationRequest.objects.filter(institution=institution)
        pending = (
            requests.filter(status=VerificationRequest.Status.PENDING, due_at__gt=timezone.now())
            .order_by("due_at")
            .first()
        )
        if pending is not None:
            extension_request_create(
                verification_request=pending,
                requested_by=colleague,
                days=10,
                ground="labour_dispute",
                explanation=(
                    "The registrar's staff have been on strike since Monday: the students' "
                    "files cannot be reached."
                ),
            )
        matched = (
            requests.filter(status=VerificationRequest.Status.VERIFIED_MATCHED)
            .order_by("decided_at")
            .first()
        )
        if matched is not None:
            correction_request_create(
                verification_request=matched,
                requested_by=colleague,
                outcome=VerificationRequest.Status.NOT_VERIFIED_CANCELLED,
                ground="student_withdrew",
                explanation="The student withdrew before the start of the term.",
            )
        self.stdout.write("Demo extension and correction requests: loaded.")
