"""Where the students' documents are kept: a private storage, never served at a URL.

Django's storage API over a local folder (``VERIFICATION_DOCUMENTS_DIR``, default
``var/documents``). The folder must not be published by the web server; the only way to read a
document is the download view, which checks who asks. File names are random (``document_path``)
so nothing about a request can be guessed from a name. Another backend (an object store) can
replace ``PrivateDocumentStorage`` without changing the callers.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible
class PrivateDocumentStorage(FileSystemStorage):
    """A folder outside the static and media roots; ``url()`` is refused on purpose.

    The folder is ``VERIFICATION_DOCUMENTS_DIR``, read when first used and again whenever
    the setting changes (as ``MEDIA_ROOT`` is for Django's own storage)."""

    @cached_property
    def base_location(self) -> str:
        return str(settings.VERIFICATION_DOCUMENTS_DIR)

    def _clear_cached_properties(self, setting: Any, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "VERIFICATION_DOCUMENTS_DIR":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name: str | None) -> str:
        raise NotImplementedError(
            "Verification documents have no public URL; use the download view."
        )


# Readable by the portal's own account only.
_storage = PrivateDocumentStorage(file_permissions_mode=0o600, directory_permissions_mode=0o700)


def documents_storage() -> PrivateDocumentStorage:
    """The storage of the documents (a callable on the model field, kept out of migrations)."""
    return _storage


EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def document_path(instance: Any, filename: str) -> str:
    """``YYYY/MM/<random>.<ext>``: nothing in it comes from the request or the student."""
    extension = EXTENSIONS.get(getattr(instance, "document_content_type", ""), "")
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"
