"""What the verifications app tells ``/readyz`` and ``/metrics`` (``core.health``): whether the
documents' storage answers, and the deadlines that passed. Registered by
``VerificationsConfig.ready``."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from loaportal.core.health import Sample, metric_register, readiness_check_register
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.storage import documents_backend

Status = VerificationRequest.Status


def storage_ready() -> object:
    backend = documents_backend()
    backend.ready()
    return backend.kind


def _deadlines_passed() -> Iterable[Sample]:
    now = timezone.now()
    recorded = VerificationRequest.objects.filter(status=Status.NO_RESPONSE).count()
    unrecorded = VerificationRequest.objects.filter(status=Status.PENDING, due_at__lt=now).count()
    yield Sample({"recorded": "yes"}, float(recorded))
    yield Sample({"recorded": "not_yet"}, float(unrecorded))


def register() -> None:
    readiness_check_register("storage", storage_ready, critical=True)
    metric_register(
        "loaportal_verification_deadlines_passed",
        "Verification requests whose deadline passed without a decision (recorded as "
        "no_response, or not yet recorded by the minute job).",
        _deadlines_passed,
    )
