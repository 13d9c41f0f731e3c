"""A known data set for the matching test: 200 requests and 300 admissions, with accents,
swapped given names, typos, withdrawn and deferred students, students missing from the list,
and people who share a date of birth or a surname with someone else."""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

SURNAMES = [
    "Lévesque",
    "Côté",
    "Bélanger",
    "Gagnon",
    "Nguyen",
    "Tremblay",
    "Ouellet",
    "Bouchard",
    "Singh",
    "Patel",
    "Müller",
    "García",
    "O'Neil",
    "Dubé",
    "Pelletier",
    "Fortin",
    "Chen",
    "Kim",
    "Okafor",
    "Haddad",
    "Gauthier",
    "Roy",
    "Bergeron",
    "Hébert",
    "Lemieux",
    "Nadeau",
    "Rahman",
    "Kowalski",
    "Fernández",
    "Lefèbvre-Doucet",
    "Saint-Amour",
    "Da Silva",
    "Ahmed",
]
GIVEN = [
    "Marie-Ève",
    "Jérôme",
    "Zoé",
    "François",
    "Anaïs",
    "Thi Thu",
    "Mohammed Ali",
    "Ana Lucía",
    "José",
    "Hélène",
    "Noémie",
    "Olivier",
    "Priya",
    "Wei",
    "Chloé",
    "Léa",
    "Émile",
    "Sofía",
    "Jean Philippe",
    "Amélie Rose",
    "Kwame",
    "Fatima Zahra",
    "Raphaël",
    "Inès",
    "Maëlle",
]


def strip_accents(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


@dataclass
class Student:
    surname: str
    given: str
    born: date
    student_id: str
    program: str


@dataclass
class Case:
    """One request and what the right suggestion is."""

    student: Student
    request_student_id: str
    admission_line: int | None  # the row of the right admission in the file
    outcome: str
    kind: str


def _typo(text: str, rng: random.Random) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    i = rng.choice(letters[1:]) if len(letters) > 1 else letters[0]
    return text[:i] + ("x" if text[i] != "x" else "z") + text[i + 1 :]


def _swap(given: str) -> str:
    parts = given.replace("-", " ").split()
    return " ".join(reversed(parts)) if len(parts) > 1 else given


def build(seed: int = 12) -> tuple[list[Case], bytes]:
    rng = random.Random(seed)
    students: list[Student] = []
    seen = set()
    while len(students) < 380:
        surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
        born = date(1998, 1, 1) + timedelta(days=rng.randrange(2500))
        if (surname, given, born) in seen:
            continue
        seen.add((surname, given, born))
        students.append(
            Student(
                surname,
                given,
                born,
                f"ID{len(students):06d}",
                rng.choice(["Nursing", "Génie civil", "Business"]),
            )
        )
    cases: list[Case] = []
    rows: list[list[str]] = []

    def admission(s: Student, *, name: str, status: str, born: date | None = None) -> int:
        rows.append(
            [name, (born or s.born).isoformat(), s.student_id, s.program, "2027-09-01", status]
        )
        return len(rows) + 1  # the header is row 1

    for index, s in enumerate(students[:200]):
        request_id = s.student_id if index % 2 == 0 else ""
        if index < 180:
            kind = ["exact", "accents", "swapped", "typo"][index % 4]
            name = f"{s.given} {s.surname}"
            if kind == "accents":
                name = strip_accents(f"{s.surname}, {s.given}").upper()
            elif kind == "swapped":
                name = f"{_swap(s.given)} {s.surname}"
            elif kind == "typo":
                name = f"{s.given} {_typo(s.surname, rng)}"
            status = "admitted"
            outcome = "verified_matched"
            if 140 <= index < 170:
                status, outcome, kind = "withdrawn", "not_verified_cancelled", "withdrawn"
            elif index >= 170:
                status, kind = "deferred", "deferred"
            line = admission(s, name=name, status=status)
            cases.append(Case(s, request_id, line, outcome, kind))
        else:
            cases.append(Case(s, request_id, None, "not_verified_no_match", "missing"))
    # 120 other students: some share a missing student's birth date, some a surname.
    for index, s in enumerate(students[200:320]):
        born = cases[180 + index % 20].student.born if index < 20 else None
        admission(s, name=f"{s.given} {s.surname}", status="admitted", born=born)
    assert len(rows) == 300
    rng.shuffle(rows)
    # Rows were shuffled: find each right admission's row again by student ID.
    line_of = {row[2]: position + 2 for position, row in enumerate(rows)}
    for case in cases:
        if case.admission_line is not None:
            case.admission_line = line_of[case.student.student_id]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["name", "date_of_birth", "student_id", "program", "start_date", "status"])
    writer.writerows(rows)
    return cases, ("\ufeff" + buffer.getvalue()).encode()
