"""The worker's part of decisions by file: each task carries only the file's id."""

from __future__ import annotations

from django_tasks import task

from loaportal.decision_files.services import decision_file_check, decision_file_record


@task()
def check_decision_file(*, decision_file_id: int) -> str:
    return decision_file_check(decision_file_id=decision_file_id).status


@task()
def record_decision_file(*, decision_file_id: int) -> str:
    return decision_file_record(decision_file_id=decision_file_id).status
