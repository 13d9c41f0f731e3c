"""Suggesting, for a pending request, the admission it most likely is (pure functions).

Names are compared with rapidfuzz's ``token_sort_ratio`` on a key without accents, case,
hyphens or apostrophes, so "Lévesque-O'Neil, Marie Ève" and "Marie Eve Levesque O Neil" are
the same name and a typo costs a few points. A candidate's score (0–100) weighs the name
(45), the date of birth (35) and the student ID (20, only when both sides have one; otherwise
its weight goes to the others). Candidates are the admissions with the same student ID or the
same date of birth, and the five closest names: never every admission, so a list of thousands
stays quick. The best candidate at or above ``MATCH_THRESHOLD`` is suggested; none, and the
suggestion is "no record".
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz, process

MATCH_THRESHOLD = 70
NAME_AGREES = 90
PROGRAM_AGREES = 85
NAME_CANDIDATES = 5
WEIGHTS = {"name": 45.0, "date_of_birth": 35.0, "student_id": 20.0}


def match_key(text: str) -> str:
    """ "Lévesque-O'Neil, Marie-Ève" → "LEVESQUE O NEIL MARIE EVE"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    for mark in "-‐‑–—'’,.":
        plain = plain.replace(mark, " ")
    return " ".join(plain.upper().split())


@dataclass(frozen=True)
class Person:
    """What is compared, on either side (a request, an admission)."""

    id: int
    name: str
    date_of_birth: date | None
    student_id: str = ""
    program: str = ""
    start_date: date | None = None
    status: str = ""
    name_key: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name_key", match_key(self.name))


@dataclass(frozen=True)
class Comparison:
    candidate: Person | None
    score: int
    agreeing: tuple[str, ...]
    differing: tuple[str, ...]


def _student_id_key(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def compare(person: Person, candidate: Person) -> Comparison:
    name = fuzz.token_sort_ratio(person.name_key, candidate.name_key)
    parts = {"name": name / 100.0}
    agreeing: list[str] = []
    differing: list[str] = []
    (agreeing if name >= NAME_AGREES else differing).append("name")
    if person.date_of_birth and candidate.date_of_birth:
        same = person.date_of_birth == candidate.date_of_birth
        parts["date_of_birth"] = 1.0 if same else 0.0
        (agreeing if same else differing).append("date_of_birth")
    mine, theirs = _student_id_key(person.student_id), _student_id_key(candidate.student_id)
    if mine and theirs:
        parts["student_id"] = 1.0 if mine == theirs else 0.0
        (agreeing if mine == theirs else differing).append("student_id")
    if person.program and candidate.program:
        close = fuzz.token_set_ratio(match_key(person.program), match_key(candidate.program))
        (agreeing if close >= PROGRAM_AGREES else differing).append("program")
    if person.start_date and candidate.start_date:
        same = person.start_date == candidate.start_date
        (agreeing if same else differing).append("start_date")
    total = sum(WEIGHTS[key] for key in parts)
    score = round(100 * sum(WEIGHTS[key] * value for key, value in parts.items()) / total)
    return Comparison(candidate, score, tuple(agreeing), tuple(differing))


class AdmissionsIndex:
    """The admissions, looked up by student ID, by date of birth and by name."""

    def __init__(self, admissions: Sequence[Person]):
        self.by_student_id: dict[str, list[Person]] = defaultdict(list)
        self.by_birth: dict[date, list[Person]] = defaultdict(list)
        for admission in admissions:
            if key := _student_id_key(admission.student_id):
                self.by_student_id[key].append(admission)
            if admission.date_of_birth:
                self.by_birth[admission.date_of_birth].append(admission)
        self.admissions = list(admissions)
        self.names = [admission.name_key for admission in self.admissions]

    def candidates(self, person: Person) -> list[Person]:
        found: dict[int, Person] = {}
        for candidate in self.by_student_id.get(_student_id_key(person.student_id), []):
            found[candidate.id] = candidate
        if person.date_of_birth:
            for candidate in self.by_birth.get(person.date_of_birth, []):
                found[candidate.id] = candidate
        for _name, _score, index in process.extract(
            person.name_key, self.names, scorer=fuzz.token_sort_ratio, limit=NAME_CANDIDATES
        ):
            found[self.admissions[index].id] = self.admissions[index]
        return list(found.values())

    def best(self, person: Person) -> Comparison:
        """The best candidate if it reaches the threshold; else a comparison with none."""
        comparisons = [compare(person, candidate) for candidate in self.candidates(person)]
        if comparisons:
            best = max(
                comparisons, key=lambda c: (c.score, -(c.candidate.id if c.candidate else 0))
            )
            if best.score >= MATCH_THRESHOLD:
                return best
            return Comparison(None, best.score, (), ())
        return Comparison(None, 0, (), ())
