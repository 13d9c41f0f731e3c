"""Demo verification requests: about 30 for the demo DLI, with generated letters, over every
status and due date (due today, due within 3 days, later, decided, past the deadline).

Run by ``loaportal load_demo_verifications`` (``make run``, after ``load_demo`` creates the
demo DLI). Loaded once: a second run finds the first demo request and does nothing.

The requests go through ``verification_request_create`` like any import, and the decisions
through ``verification_decide`` (at the time they were made): they are made by a demo
colleague, a secondary user of the demo DLI who cannot sign in (no usable password), since
the demo DLI has no other user when the demo loads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from loaportal.accounts.models import User
from loaportal.institutions.models import Institution, Membership
from loaportal.verifications.deadlines import DEADLINE_ZONE
from loaportal.verifications.letters import letter_pdf
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import (
    verification_assign,
    verification_close_overdue,
    verification_decide,
    verification_request_create,
)

DEMO_COLLEAGUE_EMAIL = "registrar@demo-college.example"

Status = VerificationRequest.Status

FIRST_NUMBER = 905_000_001

STUDENTS = [
    ("Tremblay", "Marie-Ève", "2004-05-17"),
    ("Nguyen", "Thi Thu Trang", "2003-11-02"),
    ("Singh", "Harpreet Kaur", "2002-01-23"),
    ("Okafor", "Chinedu Emmanuel", "2001-08-09"),
    ("Gagnon", "Félix", "2005-02-28"),
    ("Rodríguez", "María José", "2000-12-12"),
    ("Wang", "Yiming", "2004-07-01"),
    ("Diallo", "Aminata", "2003-03-15"),
    ("Patel", "Aarav", "2002-09-30"),
    ("Côté", "Léa", "2005-06-06"),
    ("Kim", "Ji-woo", "2004-10-19"),
    ("Haddad", "Karim", "2001-04-04"),
    ("Santos", "Gabriel", "2003-12-25"),
    ("Roy", "Olivier", "2002-05-05"),
    ("Mensah", "Abena", "2004-01-31"),
    ("Ahmed", "Fatima Zahra", "2003-07-14"),
    ("Pelletier", "Camille", "2005-09-09"),
    ("Kumar", "Rohan", "2002-02-02"),
    ("Bouchard", "Noah", "2004-11-11"),
    ("Chen", "Xinyi", "2003-06-18"),
    ("Morin", "Zoé", "2005-03-03"),
    ("Mwangi", "Brian Kamau", "2001-10-10"),
    ("Lavoie", "William", "2004-08-08"),
    ("Hassan", "Omar", "2002-12-01"),
    ("Fortin", "Émilie", "2003-01-20"),
    ("Ivanova", "Anastasia", "2004-04-22"),
    ("Bélanger", "Thomas", "2002-06-27"),
    ("Osei", "Kwame", "2003-09-05"),
    ("Leblanc", "Chloé", "2005-12-15"),
    ("Sharma", "Priya", "2004-03-08"),
]

PROGRAMS = [
    "Practical Nursing",
    "Computer Programming and Analysis",
    "Techniques de l'informatique",
    "Business Administration – Accounting",
    "Soins infirmiers",
    "Early Childhood Education",
]


@dataclass(frozen=True)
class _Plan:
    """One demo request: how long ago IRCC asked, what happened, whether the letter matches."""

    ago: dt.timedelta
    outcome: str = Status.PENDING
    comment: str = ""
    letter_differs: bool = False
    # Asked on the Eastern day ``ago`` falls on, never before its midnight: a request meant to
    # be due today stays due today when the demo is loaded just after midnight in Toronto.
    same_day: bool = False


def _requested_at(plan: _Plan, now: dt.datetime) -> dt.datetime:
    requested_at = now - plan.ago
    if plan.same_day:
        day_asked = (now - dt.timedelta(days=plan.ago.days)).astimezone(DEADLINE_ZONE).date()
        midnight = dt.datetime.combine(day_asked, dt.time(), tzinfo=DEADLINE_ZONE)
        requested_at = max(requested_at, midnight)
    return requested_at


def _plans() -> list[_Plan]:
    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    return [
        # Due today (asked 10 days ago, Eastern): the end of today is the deadline.
        _Plan(10 * day, same_day=True),
        _Plan(10 * day + 2 * hour, same_day=True),
        _Plan(10 * day + 5 * hour, letter_differs=True, same_day=True),
        # Due within 3 days.
        _Plan(9 * day),
        _Plan(8 * day + 3 * hour),
        _Plan(8 * day),
        _Plan(7 * day + 6 * hour),
        # Later.
        _Plan(6 * day),
        _Plan(5 * day, letter_differs=True),
        _Plan(4 * day),
        _Plan(3 * day),
        _Plan(2 * day),
        _Plan(1 * day),
        _Plan(4 * hour),
        _Plan(1 * hour),
        # Decided.
        _Plan(9 * day, Status.VERIFIED_MATCHED),
        _Plan(7 * day, Status.VERIFIED_MATCHED),
        _Plan(6 * day, Status.VERIFIED_MATCHED, "Checked against the admissions file."),
        _Plan(5 * day, Status.VERIFIED_MATCHED),
        _Plan(
            8 * day,
            Status.NOT_VERIFIED_NO_MATCH,
            "The date of birth on the letter was altered.",
            letter_differs=True,
        ),
        _Plan(4 * day, Status.NOT_VERIFIED_NO_MATCH, "We did not issue this letter."),
        _Plan(3 * day, Status.NOT_VERIFIED_NO_MATCH, "No such student ID in our records."),
        _Plan(6 * day, Status.NOT_VERIFIED_CANCELLED, "The student withdrew on 2026-01-15."),
        _Plan(2 * day, Status.NOT_VERIFIED_CANCELLED, "Offer cancelled: conditions not met."),
        # Past the deadline without a response.
        _Plan(11 * day),
        _Plan(12 * day),
        _Plan(13 * day),
        _Plan(15 * day),
        _Plan(20 * day),
        _Plan(25 * day),
    ]


def _letter(
    institution: Institution, surname: str, given: str, born: str, data: dict[str, str]
) -> bytes:
    return letter_pdf(
        title=f"{institution.name_en} – Letter of acceptance",
        lines=[
            f"{institution.name_fr}",
            f"DLI number: {institution.dli_number}",
            "",
            f"Student: {surname.upper()}, {given}",
            f"Date of birth: {born}",
            f"Student ID: {data['student_id']}",
            f"Program: {data['program']}",
            f"Start date: {data['start_date']}",
            f"Letter number: {data['loa_number']}",
            "",
            "We are pleased to offer you admission to the program above.",
            "Nous avons le plaisir de vous offrir une place dans ce programme.",
            "",
            "Registrar / Registraire",
        ],
    )


def demo_requests_load(*, institution: Institution, now: dt.datetime | None = None) -> int:
    """Load the demo requests for ``institution``; how many were created (0 when loaded)."""
    now = now or timezone.now()
    first = f"S{FIRST_NUMBER:09d}"
    if VerificationRequest.objects.filter(application_number=first).exists():
        return 0
    colleague = _colleague(institution)
    created = 0
    for index, (plan, (surname, given, born)) in enumerate(zip(_plans(), STUDENTS, strict=True)):
        number = f"S{FIRST_NUMBER + index:09d}"
        data = {
            "program": PROGRAMS[index % len(PROGRAMS)],
            "start_date": "2027-01-11" if index % 2 else "2026-09-08",
            "student_id": f"{2026000 + index * 37}",
            "loa_number": f"LOA-2026-{index + 1:04d}",
        }
        letter_born = f"{int(born[:4]) - 1}{born[4:]}" if plan.letter_differs else born
        request = verification_request_create(
            application_number=number,
            dli_number=institution.dli_number,
            surname=surname,
            given_names=given,
            date_of_birth=born,
            document=_letter(institution, surname, given, letter_born, data),
            document_name=f"letter-of-acceptance-{number}.pdf",
            campus="Main campus" if index % 3 else "",
            requested_at=_requested_at(plan, now),
            program=data["program"],
            start_date=data["start_date"],
            student_id=data["student_id"],
            loa_number=data["loa_number"],
        )
        if plan.outcome != Status.PENDING:
            verification_decide(
                verification_request=request,
                outcome=plan.outcome,
                comment=plan.comment,
                decided_by=colleague,
                now=min(request.requested_at + dt.timedelta(days=1, hours=3), now),
            )
        elif index % 3 == 1 and request.is_decidable(now):
            # Some open requests are the registrar's, so the queue shows assignment.
            verification_assign(
                verification_request=request,
                assignee=colleague,
                assigned_by=colleague,
                now=min(request.requested_at + dt.timedelta(hours=2), now),
            )
        created += 1
    verification_close_overdue(now=now)
    return created


def _colleague(institution: Institution) -> User:
    """The demo DLI's registrar, who made the demo decisions (cannot sign in)."""
    user = User.objects.filter(email=DEMO_COLLEAGUE_EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            DEMO_COLLEAGUE_EMAIL,
            None,
            surname="Lefebvre",
            given_names="Sophie",
            phone="+16135550101",
        )
        Membership.objects.create(
            user=user, institution=institution, role=Membership.Role.SECONDARY
        )
    return user
