"""The documents' storage over time: checking it against the database, the retention rule, and
copying every document out and back in for backups (deploy/RUNBOOK.md).

- ``documents_verify``: every document the database names exists in the storage; files the
  database does not name are orphans (``loaportal verify_storage``).
- ``verification_documents_purge``: the retention rule. A request closed (decided, or its
  deadline passed without an answer) more than ``DOCUMENT_RETENTION_YEARS`` ago loses its
  document: the file is deleted from the storage and the request no longer names it. The
  request, its decision (result, comment, who and when) and its history stay; one
  ``verification_document_purged`` audit entry per document says when and why. The worker
  runs it daily; ``loaportal purge_documents`` by hand (``--dry-run`` to count).
- ``documents_export`` / ``documents_import``: every stored document to a folder and back,
  under the same names, through the storage API (local folder or object store alike), for
  the backup and restore drill (``loaportal export_documents`` / ``import_documents``).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.storage import documents_backend, documents_storage

logger = logging.getLogger(__name__)

Status = VerificationRequest.Status
DECIDED = [Status.VERIFIED_MATCHED, Status.NOT_VERIFIED_NO_MATCH, Status.NOT_VERIFIED_CANCELLED]


@dataclass
class StorageReport:
    checked: int = 0
    missing: list[tuple[str, str]] = field(default_factory=list)  # (application number, name)
    orphans: list[str] = field(default_factory=list)


def documents_verify() -> StorageReport:
    """Compare the database's document names with the storage's listing (one listing, no
    request per document)."""
    stored = {document.name for document in documents_backend().documents()}
    report = StorageReport()
    named: set[str] = set()
    rows = (
        VerificationRequest.objects.exclude(document="")
        .order_by("pk")
        .values_list("application_number", "document")
    )
    for number, name in rows.iterator(chunk_size=2000):
        report.checked += 1
        named.add(name)
        if name not in stored:
            report.missing.append((number, name))
    report.orphans = sorted(stored - named)
    return report


def retention_cutoff(*, years: int | None = None, now: datetime | None = None) -> datetime:
    years = settings.DOCUMENT_RETENTION_YEARS if years is None else years
    now = now or timezone.now()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _closed_before(cutoff: datetime) -> Q:
    return Q(status__in=DECIDED, decided_at__lt=cutoff) | Q(
        status__in=[Status.NO_RESPONSE, Status.PENDING], due_at__lt=cutoff
    )


def verification_documents_purge(
    *, years: int | None = None, now: datetime | None = None, dry_run: bool = False
) -> int:
    """Delete the documents of requests closed before the retention period (see the module);
    how many (would be) deleted. A pending request past its deadline counts as closed at its
    deadline, whether or not the minute job has recorded it yet."""
    cutoff = retention_cutoff(years=years, now=now)
    due = VerificationRequest.objects.filter(_closed_before(cutoff)).exclude(document="")
    if dry_run:
        return due.count()
    storage = documents_storage()
    purged = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            request = (
                VerificationRequest.objects.select_for_update()
                .filter(pk=pk)
                .exclude(document="")
                .select_related("institution")
                .first()
            )
            if request is None:  # another process purged it meanwhile
                continue
            name = request.document.name
            VerificationRequest.objects.filter(pk=pk).update(document="")
            audit_record(
                event_type=AuditEvent.Type.VERIFICATION_DOCUMENT_PURGED,
                actor=None,
                institution=request.institution,
                subject=request,
                details={
                    "application_number": request.application_number,
                    "retention_years": settings.DOCUMENT_RETENTION_YEARS
                    if years is None
                    else years,
                },
            )
            # The file goes once the row no longer names it; if deleting fails, the hourly
            # sweep deletes it as an orphan.
            transaction.on_commit(partial(_delete_quietly, storage, name))
        purged += 1
    if purged:
        logger.info("Deleted %s document(s) past the retention period", purged)
    return purged


def _delete_quietly(storage: object, name: str) -> None:
    try:
        storage.delete(name)  # type: ignore[attr-defined]
    except Exception:
        logger.warning("Could not delete a purged document now; the hourly sweep will")


def verifications_retention() -> None:
    """The worker's daily job."""
    verification_documents_purge()


# --- Backups -----------------------------------------------------------------------------------


def documents_export(*, to: Path) -> int:
    """Copy every stored document into ``to`` under its storage name (files already there with
    the same size are skipped, so a second run copies only what is new). Returns how many
    files were written."""
    storage = documents_storage()
    written = 0
    for document in documents_backend().documents():
        target = to / document.name
        if target.resolve().parent != (to / os.path.dirname(document.name)).resolve():
            continue  # never outside ``to``
        if target.exists() and target.stat().st_size == storage.size(document.name):
            continue
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with storage.open(document.name, "rb") as source:
            data = source.read()
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        written += 1
    return written


def documents_import(*, source: Path) -> int:
    """Put every file under ``source`` into the storage under the same name, unless the
    storage has it already. Returns how many were written."""
    storage = documents_storage()
    written = 0
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(source).as_posix()
        if storage.exists(name):
            continue
        saved = storage.save(name, ContentFile(path.read_bytes()))
        if saved != name:
            raise RuntimeError(f"the storage renamed {name} to {saved}")
        written += 1
    return written
