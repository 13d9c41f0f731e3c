from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.terms.models import TermsAcceptance, TermsVersion


def terms_accept(*, user, version: TermsVersion, ip_address: str | None = None) -> TermsAcceptance:
    """Record that ``user`` accepted ``version``. Accepting twice keeps the first record.

    Side effects: a ``terms_accepted`` audit entry the first time.
    """
    try:
        with transaction.atomic():
            acceptance = TermsAcceptance.objects.create(
                user=user, version=version, ip_address=ip_address or None
            )
            audit_record(
                event_type=AuditEvent.Type.TERMS_ACCEPTED,
                actor=user,
                target_user=user,
                institution_from=user,
                ip_address=ip_address,
                subject=version,
                details={"version": version.version},
            )
    except IntegrityError:
        acceptance = TermsAcceptance.objects.get(user=user, version=version)
    user._loaportal_terms_required = None
    return acceptance


def terms_publish(
    *,
    version: str,
    title_fr: str,
    title_en: str,
    text_fr: str,
    text_en: str,
    published_by=None,
    published_at=None,
) -> TermsVersion:
    """Publish a new version; every user is asked to accept it at their next page.

    Side effects: a ``terms_published`` audit entry naming who published it.
    """
    terms = TermsVersion(
        version=version,
        title_fr=title_fr,
        title_en=title_en,
        text_fr=text_fr,
        text_en=text_en,
        published_at=published_at or timezone.now(),
    )
    terms.full_clean()
    with transaction.atomic():
        terms.save()
        audit_record(
            event_type=AuditEvent.Type.TERMS_PUBLISHED,
            actor=published_by,
            subject=terms,
            details={"version": terms.version},
        )
    return terms
