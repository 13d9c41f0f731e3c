"""Where the students' documents are kept: a private storage, never served at a URL.

Django's storage API over a local folder (``VERIFICATION_DOCUMENTS_DIR``, default
``var/documents``). The folder must not be published by the web server; the only way to read a
document is the download view, which checks who asks. File names are random (``document_path``)
so nothing about a request can be guessed from a name. Another backend (an object store) can
replace ``PrivateDocumentStorage`` without changing the callers.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateDocumentStorage(FileSystemStorage):
    """A folder outside the static and media roots; ``url()`` is refused on purpose."""

    def __init__(self, location=None, **kwargs):
        super().__init__(location=location or settings.VERIFICATION_DOCUMENTS_DIR, **kwargs)

    def url(self, name):
        raise NotImplementedError(
            "Verification documents have no public URL; use the download view."
        )


def documents_storage() -> PrivateDocumentStorage:
    # A callable, so that the folder is read from the settings when used (tests change it).
    return PrivateDocumentStorage(location=settings.VERIFICATION_DOCUMENTS_DIR)


EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def document_path(instance, filename: str) -> str:
    """``YYYY/MM/<random>.<ext>``: nothing in it comes from the request or the student."""
    extension = EXTENSIONS.get(getattr(instance, "document_content_type", ""), "")
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"
