"""Hooks for the layers above (webhooks) to learn of a request's history without this app
importing them.

``history_appended`` is sent once the transaction that appended history entries commits, with
``event_ids`` (the new ``VerificationEvent`` ids). Entries rolled back are never announced.
Receivers run after the commit, outside it: one that fails is logged and does not fail the
action (``robust``), and none may do slow work there (queue it instead).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

history_appended = Signal()


def history_announce(event_ids: Iterable[int]) -> None:
    ids = [pk for pk in event_ids if pk is not None]
    if not ids or not history_appended.receivers:
        return

    def send() -> None:
        from loaportal.verifications.models import VerificationEvent

        history_appended.send_robust(sender=VerificationEvent, event_ids=ids)

    transaction.on_commit(send, robust=True)
