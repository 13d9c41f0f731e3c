"""Requests and decision files for the decision-file tests."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from django.utils import timezone

from loaportal.decision_files.models import DecisionFile
from loaportal.decision_files.services import decision_file_upload
from loaportal.verifications.deadlines import deadline_for
from loaportal.verifications.models import VerificationRequest, name_search_key
from tests.verifications.ui_support import application_number


def pending(institution, count: int = 1, *, requested_at: datetime | None = None, **fields):
    """``count`` pending requests of ``institution`` (no documents: decisions only)."""
    requested_at = requested_at or timezone.now() - timedelta(hours=1)
    rows = [
        VerificationRequest(
            application_number=fields.get("application_number") or application_number(),
            institution=institution,
            surname=fields.get("surname", "Gagnon"),
            given_names=fields.get("given_names", "Élodie"),
            name_key=name_search_key("Gagnon Élodie"),
            date_of_birth=fields.get("date_of_birth", timezone.now().date().replace(year=2004)),
            requested_at=requested_at,
            due_at=deadline_for(requested_at),
            document="none.pdf",
            document_name="none.pdf",
            document_content_type="application/pdf",
            document_size=1,
        )
        for _ in range(count)
    ]
    created = VerificationRequest.objects.bulk_create(rows)
    return created if count != 1 else created[0]


def csv_file(rows, *, header=("application_number", "outcome", "comment"), delimiter=",", bom=True):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def upload(user, content: bytes, *, name: str = "decisions.csv") -> DecisionFile:
    """Upload, and let the check run (the immediate task backend runs it on commit)."""
    decision_file = decision_file_upload(user=user, file_name=name, content=content)
    return decision_file
