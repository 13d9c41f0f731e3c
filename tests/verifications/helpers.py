"""Test documents and requests for the verification tests."""

from __future__ import annotations

import struct
import zlib
from datetime import date, datetime

from loaportal.verifications.letters import letter_pdf
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import verification_request_create


def pdf_bytes(text: str = "Letter of acceptance") -> bytes:
    """A small, valid one-page PDF showing ``text`` (the portal's own letter writer)."""
    return letter_pdf(title=text, lines=[])


def png_bytes() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """The markers a JPEG starts and ends with around a little filler (enough for the type
    check, which reads signatures, not pixels)."""
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\x00" * 32
        + b"\xff\xd9"
    )


_counter = iter(range(10**6))


def make_request(
    institution,
    *,
    requested_at: datetime | None = None,
    surname: str = "Tremblay",
    given_names: str = "Marie",
    date_of_birth: date = date(2004, 5, 17),
    student_id: str = "",
    application_number: str | None = None,
    created_by=None,
) -> VerificationRequest:
    """A request for ``institution`` through the real service, with a small PDF."""
    number = application_number or f"S3{next(_counter):08d}"
    return verification_request_create(
        application_number=number,
        dli_number=institution.dli_number,
        surname=surname,
        given_names=given_names,
        date_of_birth=date_of_birth,
        document=pdf_bytes(f"Letter {number}"),
        document_name=f"{number}.pdf",
        student_id=student_id,
        requested_at=requested_at,
        created_by=created_by,
    )
