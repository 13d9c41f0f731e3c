"""Matching help on a known data set: 200 requests, 300 admissions (accents, swapped given
names, typos, withdrawn and deferred students, missing students, look-alikes). Reports the
precision and recall of the suggestions (README "Matching help")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from loaportal.admissions.matching import Person, compare, match_key
from loaportal.admissions.models import MatchSuggestion
from loaportal.admissions.services import admissions_list_upload
from loaportal.verifications.deadlines import deadline_for
from loaportal.verifications.models import VerificationRequest, name_search_key
from tests.admissions.dataset import build
from tests.factories import dli_with_users


def test_names_are_compared_without_accents_order_or_hyphens():
    assert match_key("Lévesque-O'Neil, Marie-Ève") == "LEVESQUE O NEIL MARIE EVE"
    one = Person(1, "Marie-Ève Lévesque", None)
    other = Person(2, "LEVESQUE, Marie Eve", None)
    assert compare(one, other).score == 100 and compare(one, other).agreeing == ("name",)


@pytest.mark.django_db
def test_precision_and_recall_on_the_known_data_set(capsys):
    dli = dli_with_users(name="matching", secondaries=0)
    cases, content = build()
    requested_at = timezone.now() - timedelta(hours=2)
    requests = VerificationRequest.objects.bulk_create(
        [
            VerificationRequest(
                application_number=f"S4{index:08d}",
                institution=dli.institution,
                surname=case.student.surname,
                given_names=case.student.given,
                name_key=name_search_key(f"{case.student.surname} {case.student.given}"),
                date_of_birth=case.student.born,
                student_id=case.request_student_id,
                program=case.student.program,
                requested_at=requested_at,
                due_at=deadline_for(requested_at),
                document="none.pdf",
                document_name="none.pdf",
                document_content_type="application/pdf",
                document_size=1,
            )
            for index, case in enumerate(cases)
        ]
    )
    admissions_list_upload(user=dli.primary, file_name="admissions.csv", content=content)
    suggestions = {s.request_id: s for s in MatchSuggestion.objects.select_related("admission")}
    assert len(suggestions) == 200
    proposed = correct = outcome_right = 0
    present = sum(1 for case in cases if case.admission_line is not None)
    wrong = []
    for vr, case in zip(requests, cases, strict=True):
        suggestion = suggestions[vr.pk]
        line = suggestion.admission.line if suggestion.admission else None
        if line is not None:
            proposed += 1
            correct += line == case.admission_line
        outcome_right += suggestion.outcome == case.outcome
        if line != case.admission_line:
            wrong.append((case.kind, case.student.surname, case.student.given, suggestion.score))
    precision, recall = correct / proposed, correct / present
    with capsys.disabled():
        print(
            f"\nmatching: precision {precision:.3f} ({correct}/{proposed}), "
            f"recall {recall:.3f} ({correct}/{present}), "
            f"outcome right {outcome_right}/200; misses: {wrong}"
        )
    assert precision >= 0.97
    assert recall >= 0.95
    assert outcome_right >= 190
