"""Checking a student's document at intake: readable, not too large, and of an accepted type
judged from its own bytes (never from its name or a declared type)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from loaportal.core.exceptions import ApplicationError

MSG_DOCUMENT_MISSING = _("The document is missing.")
MSG_DOCUMENT_UNREADABLE = _("The document cannot be read: the file is empty or damaged.")
MSG_DOCUMENT_TOO_LARGE = _("The document is too large: the limit is %(limit)s.")
MSG_DOCUMENT_WRONG_TYPE = _("The document must be a PDF, JPEG or PNG file.")

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"


class DocumentError(ApplicationError):
    code = "document_error"
    # In a batch, the line of the file whose document failed when written (0: not known).
    line = 0


@dataclass(frozen=True)
class CheckedDocument:
    content: bytes
    content_type: str

    @property
    def size(self) -> int:
        return len(self.content)

    def without_content(self) -> CheckedDocument:
        """The verdict without the bytes (a batch re-reads each file when it writes it)."""
        return DocumentVerdict(content=b"", content_type=self.content_type, checked_size=self.size)


@dataclass(frozen=True)
class DocumentVerdict(CheckedDocument):
    checked_size: int = 0

    @property
    def size(self) -> int:
        return self.checked_size


def sniff_content_type(content: bytes) -> str | None:
    """PDF, JPEG or PNG from the file's signature; None for anything else."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def _looks_complete(content: bytes, content_type: str) -> bool:
    """A truncated file is unreadable: a PDF ends with its %%EOF marker (readers accept some
    trailing bytes after it), a JPEG with its end-of-image marker, a PNG with its IEND chunk."""
    tail = content[-1024:]
    if content_type == PDF:
        return b"%%EOF" in tail
    if content_type == JPEG:
        return b"\xff\xd9" in tail
    return b"IEND" in tail


def document_check(source: IO[bytes] | bytes | None, *, field: str = "document") -> CheckedDocument:
    """Read and check a document: at most ``VERIFICATION_DOCUMENT_MAX_BYTES``, not empty, a
    PDF, JPEG or PNG by its bytes, not truncated. Raises ``DocumentError`` with a code:
    ``document_missing``, ``document_unreadable``, ``document_too_large``,
    ``document_wrong_type``."""
    limit = settings.VERIFICATION_DOCUMENT_MAX_BYTES
    if source is None:
        raise DocumentError(MSG_DOCUMENT_MISSING, code="document_missing", field=field)
    if isinstance(source, bytes | bytearray):
        content = bytes(source[: limit + 1])
    else:
        declared = getattr(source, "size", None)
        if isinstance(declared, int) and declared > limit:
            raise _too_large(limit, field)
        try:
            if hasattr(source, "seek"):
                source.seek(0)
            content = source.read(limit + 1)
        except OSError:
            raise DocumentError(
                MSG_DOCUMENT_UNREADABLE, code="document_unreadable", field=field
            ) from None
    if len(content) > limit:
        raise _too_large(limit, field)
    if not content:
        raise DocumentError(MSG_DOCUMENT_UNREADABLE, code="document_unreadable", field=field)
    content_type = sniff_content_type(content)
    if content_type is None:
        raise DocumentError(MSG_DOCUMENT_WRONG_TYPE, code="document_wrong_type", field=field)
    if not _looks_complete(content, content_type):
        raise DocumentError(MSG_DOCUMENT_UNREADABLE, code="document_unreadable", field=field)
    return CheckedDocument(content=content, content_type=content_type)


def _too_large(limit: int, field: str) -> DocumentError:
    return DocumentError(
        _("The document is too large: the limit is %(limit)s.") % {"limit": filesizeformat(limit)},
        code="document_too_large",
        field=field,
    )
