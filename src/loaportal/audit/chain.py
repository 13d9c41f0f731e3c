"""The audit trail's hash chain: tamper evidence on top of the append-only triggers.

Every entry carries its position in the trail (``seq``, 1, 2, 3, … without gaps) and
``chain_hash`` = HMAC-SHA256(key, previous entry's ``chain_hash`` + the entry's content). The
key (``AUDIT_HMAC_KEY``) lives outside the database, so whoever can write to the database but
does not hold the key cannot rewrite, insert or remove an entry without breaking the chain at
that entry: ``loaportal verify_audit`` walks the trail and names the first broken or missing
entry.

One row, ``AuditChainHead``, holds the last position and hash. Appending locks it first (an
UPDATE: a row lock on PostgreSQL, the write lock on SQLite), so two processes appending at the
same moment take turns and never fork the chain; it also lets ``verify_audit`` notice entries
removed from the end of the trail. A batch (``chain_append_many``, behind
``audit_record_many``) takes the lock once for all its entries.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

if TYPE_CHECKING:
    # Imported where used at run time: the models import this module.
    from loaportal.audit.models import AuditChainHead, AuditEvent

HEAD_ID = 1
# The "previous hash" of the first entry.
GENESIS = "0" * 64


def _key() -> bytes:
    return settings.AUDIT_HMAC_KEY.encode()


def _when(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # a raw SQLite value
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _ip(value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        return str(value)


def _json(value: Any) -> Any:
    # As the database gives it back: what DjangoJSONEncoder makes of it, decoded.
    return json.loads(json.dumps(value if value is not None else {}, cls=DjangoJSONEncoder))


def _ref(value: Any) -> str:
    return "" if value is None else str(value)


def content(event: AuditEvent) -> dict[str, Any]:
    """What an entry's hash covers: every column but ``id`` and ``chain_hash``. (The audit
    migrations hand in their historical ``AuditEvent``, which has the same columns.)"""
    return {
        "seq": event.seq,
        "occurred_at": _when(event.occurred_at),
        "event_type": str(event.event_type),
        "actor": _ref(event.actor_id),
        "actor_email": event.actor_email or "",
        "institution": _ref(event.institution_id),
        "target_user": _ref(event.target_user_id),
        "target_email": event.target_email or "",
        "ip_address": _ip(event.ip_address),
        "subject_type": event.subject_type or "",
        "subject_id": event.subject_id or "",
        "details": _json(event.details),
    }


def entry_hash(event: AuditEvent, previous_hash: str) -> str:
    message = previous_hash + json.dumps(
        content(event), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hmac.new(_key(), message.encode(), hashlib.sha256).hexdigest()


def chain_append(event: AuditEvent) -> None:
    """Give ``event`` (not saved yet) its place and hash; call inside a transaction, just
    before inserting it. Locks the chain head until the transaction ends."""
    chain_append_many([event])


def chain_append_many(events: Sequence[AuditEvent]) -> None:
    """Give each of ``events`` (not saved yet), in order, the next place and its hash, under
    one lock of the chain head; call inside a transaction, just before inserting them all.
    The head is locked once and moved once, to the last of them, until the transaction ends:
    a batch of N entries costs one lock, not N."""
    from loaportal.audit.models import AuditChainHead

    if not events:
        return
    head = _locked_head(AuditChainHead)
    seq, previous = head.seq, head.chain_hash
    for event in events:
        seq += 1
        event.seq = seq
        event.chain_hash = previous = entry_hash(event, previous)
    head.seq = seq
    head.chain_hash = previous
    head.save(update_fields=["seq", "chain_hash"])


def _locked_head(model: type[AuditChainHead]) -> AuditChainHead:
    from django.db.models import F

    # The UPDATE takes the lock (a row lock on PostgreSQL, the database's write lock on SQLite,
    # where SELECT ... FOR UPDATE does not exist); the head is created on first use.
    if not model.objects.filter(pk=HEAD_ID).update(seq=F("seq")):
        model.objects.get_or_create(pk=HEAD_ID, defaults={"seq": 0, "chain_hash": GENESIS})
        model.objects.filter(pk=HEAD_ID).update(seq=F("seq"))
    return model.objects.get(pk=HEAD_ID)


@dataclass(frozen=True)
class Finding:
    """The first place where the trail does not hold together."""

    seq: int | None
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = []
        if self.seq is not None:
            where.append(f"position {self.seq}")
        if self.event_id is not None:
            where.append(f"id {self.event_id}")
        return f"{', '.join(where) or 'trail'}: {self.problem}"


@dataclass(frozen=True)
class Verification:
    checked: int
    head_seq: int
    head_hash: str
    finding: Finding | None

    @property
    def ok(self) -> bool:
        return self.finding is None


def verify_chain(*, batch_size: int = 2000) -> Verification:
    """Walk the whole trail in chain order and report the first broken or missing entry."""
    from loaportal.audit.models import AuditChainHead, AuditEvent

    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    head_seq, head_hash = (head.seq, head.chain_hash) if head else (0, GENESIS)
    unchained = AuditEvent.objects.filter(seq__isnull=True).order_by("id").first()
    if unchained is not None:
        return Verification(
            0,
            head_seq,
            head_hash,
            Finding(None, unchained.pk, "entry outside the chain (no position: inserted directly)"),
        )

    previous_hash, expected_seq, checked = GENESIS, 1, 0
    rows = AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size)
    for event in rows:
        seq = cast(int, event.seq)  # an entry without a position was reported above
        if seq != expected_seq:
            problem = (
                f"missing entries {expected_seq}–{seq - 1} (removed)"
                if seq > expected_seq
                else f"position {seq} appears twice"
            )
            return Verification(checked, head_seq, head_hash, Finding(expected_seq, None, problem))
        if not hmac.compare_digest(event.chain_hash or "", entry_hash(event, previous_hash)):
            return Verification(
                checked,
                head_seq,
                head_hash,
                Finding(event.seq, event.pk, "hash does not match: entry changed or forged"),
            )
        previous_hash, expected_seq, checked = event.chain_hash, expected_seq + 1, checked + 1

    last_seq = expected_seq - 1
    if last_seq != head_seq or previous_hash != head_hash:
        finding = Finding(
            last_seq + 1 if head_seq > last_seq else None,
            None,
            f"the trail ends at position {last_seq} but its head says {head_seq}"
            + (" (last entries removed)" if head_seq > last_seq else " (head does not match)"),
        )
        return Verification(checked, head_seq, head_hash, finding)
    return Verification(checked, head_seq, head_hash, None)
