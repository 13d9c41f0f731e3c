"""Requests for the page tests: one through the service (with a real PDF in the private
storage), or many at once straight into the table (for the queue's size tests)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.core.files.base import ContentFile
from django.utils import timezone

from loaportal.verifications.deadlines import deadline_for
from loaportal.verifications.letters import letter_pdf
from loaportal.verifications.models import VerificationRequest, name_search_key
from loaportal.verifications.services import verification_request_create

_numbers = itertools.count(1)


def application_number() -> str:
    return f"S{300000000 + next(_numbers):09d}"


def a_request(institution, *, requested_at=None, **fields) -> VerificationRequest:
    """A request of ``institution`` made through ``verification_request_create``."""
    number = fields.pop("application_number", None) or application_number()
    surname = fields.pop("surname", "Tremblay")
    given_names = fields.pop("given_names", "Marie-Ève")
    date_of_birth = fields.pop("date_of_birth", dt.date(2004, 5, 17))
    pdf = letter_pdf(
        title="Letter of acceptance",
        lines=[f"{surname}, {given_names}", f"Born {date_of_birth:%Y-%m-%d}", number],
    )
    return verification_request_create(
        application_number=number,
        dli_number=institution.dli_number,
        surname=surname,
        given_names=given_names,
        date_of_birth=date_of_birth,
        document=ContentFile(pdf, name="letter.pdf"),
        document_name=fields.pop("document_name", "letter.pdf"),
        requested_at=requested_at,
        **fields,
    )


def many_requests(institution, count: int, *, now=None) -> list[VerificationRequest]:
    """``count`` pending requests of ``institution``, due over the next ten days, inserted in
    one statement (no documents: for the queue's listing only)."""
    now = now or timezone.now()
    rows = []
    for index in range(count):
        # Spread over the last nine days: every page of every open tab has rows.
        requested_at = now - dt.timedelta(minutes=(index * 1297) % (9 * 24 * 60))
        rows.append(
            VerificationRequest(
                application_number=application_number(),
                institution=institution,
                surname=f"Surname{index}",
                given_names="Given",
                name_key=name_search_key(f"Surname{index} Given"),
                date_of_birth=dt.date(2000, 1, 1) + dt.timedelta(days=index % 3000),
                student_id=f"ID{index}",
                requested_at=requested_at,
                due_at=deadline_for(requested_at),
                document="none.pdf",
                document_name="none.pdf",
                document_content_type="application/pdf",
                document_size=1,
            )
        )
    return VerificationRequest.objects.bulk_create(rows)
