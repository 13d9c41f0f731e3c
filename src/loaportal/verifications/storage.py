"""Where the students' documents are kept: a private storage, never served at a URL.

``DOCUMENTS_STORAGE_URL`` chooses the backend (ADR 0010):

- empty or ``file:///path``: a local folder (default ``VERIFICATION_DOCUMENTS_DIR``, i.e.
  ``var/documents``), readable by the portal's account only;
- ``s3://BUCKET[/PREFIX]?endpoint_url=…&region=…``: an S3-compatible object store through
  django-storages (AWS S3, MinIO, Ceph, moto's server on loopback in tests and ``make prod``).
  Credentials come from the URL's user part (``s3://KEY:SECRET@BUCKET``) or the usual AWS
  variables (``AWS_ACCESS_KEY_ID``, …, or an instance role). Objects are written private
  (``default_acl=private``), never overwritten, optionally encrypted at rest (``sse=AES256``).

Either way a document has no public URL (``url()`` raises): the only way to read one is the
download view, which checks who asks and streams the bytes. File names are random
(``document_path``) so nothing about a request can be guessed from a name.

The model field holds ``documents_storage()``, a proxy that builds the backend from the
settings when first used and again whenever they change (as Django's default storage does).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, Storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject, cached_property, empty

if TYPE_CHECKING:
    from storages.backends.s3 import S3Storage as _S3Base
else:
    try:
        from storages.backends.s3 import S3Storage as _S3Base
    except ImportError:  # pragma: no cover - django-storages is a dependency
        _S3Base = object

MSG_NO_URL = "Verification documents have no public URL; use the download view."


@dataclass(frozen=True)
class StoredDocument:
    """A file found in the storage: its name (as the model field holds it) and when it was
    last written."""

    name: str
    modified: datetime


@deconstructible
class PrivateDocumentStorage(FileSystemStorage):
    """A folder outside the static and media roots; ``url()`` is refused on purpose.

    The folder is ``VERIFICATION_DOCUMENTS_DIR``, read when first used and again whenever
    the setting changes (as ``MEDIA_ROOT`` is for Django's own storage)."""

    kind = "local"

    def __init__(self, *, folder: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._folder = folder

    @cached_property
    def base_location(self) -> str:
        return self._folder or str(settings.VERIFICATION_DOCUMENTS_DIR)

    def _clear_cached_properties(self, setting: Any, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "VERIFICATION_DOCUMENTS_DIR":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name: str | None) -> str:
        raise NotImplementedError(MSG_NO_URL)

    def documents(self) -> Iterator[StoredDocument]:
        """Every file in the folder (a missing folder holds none)."""
        root = Path(self.location)
        if not root.is_dir():
            return
        for path in root.rglob("*"):
            with contextlib.suppress(FileNotFoundError):
                if path.is_file():
                    yield StoredDocument(
                        name=path.relative_to(root).as_posix(),
                        modified=datetime.fromtimestamp(path.stat().st_mtime, tz=UTC),
                    )

    def ready(self) -> None:
        """Raise unless documents can be written (the folder exists or can be made, and is
        writable by this process)."""
        root = Path(self.location)
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not os.access(root, os.W_OK | os.X_OK):
            raise PermissionError(f"{root} is not writable")


@deconstructible
class PrivateS3DocumentStorage(_S3Base):  # type: ignore[misc]
    """An S3-compatible bucket (django-storages), private objects, no URL."""

    kind = "s3"

    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        raise NotImplementedError(MSG_NO_URL)

    def documents(self) -> Iterator[StoredDocument]:
        """Every object under the storage's prefix, from the bucket's listing (one request per
        thousand objects, no request per object)."""
        prefix = f"{self.location.strip('/')}/" if self.location else ""
        for summary in self.bucket.objects.filter(Prefix=prefix):
            key: str = summary.key
            yield StoredDocument(name=key[len(prefix) :], modified=summary.last_modified)

    def ready(self) -> None:
        """Raise unless the bucket answers (HeadBucket)."""
        self.connection.meta.client.head_bucket(Bucket=self.bucket_name)


DocumentStorage = PrivateDocumentStorage | PrivateS3DocumentStorage


def storage_from_url(url: str) -> DocumentStorage:
    """The storage ``DOCUMENTS_STORAGE_URL`` names (see the module's docstring)."""
    if not url:
        return _local(None)
    parts = urlsplit(url)
    if parts.scheme == "file":
        return _local(unquote(parts.path) or None)
    if parts.scheme != "s3":
        raise ImproperlyConfigured("DOCUMENTS_STORAGE_URL must start with file:// or s3://")
    if not parts.hostname:
        raise ImproperlyConfigured("DOCUMENTS_STORAGE_URL needs a bucket: s3://BUCKET/PREFIX")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    known = {"endpoint_url", "region", "addressing_style", "sse", "signature_version"}
    unknown = set(query) - known
    if unknown:
        raise ImproperlyConfigured(
            f"DOCUMENTS_STORAGE_URL: unknown option(s) {', '.join(sorted(unknown))}"
        )
    options: dict[str, Any] = {
        # The bucket name as written (urlsplit lowercases hostname; S3 names are lowercase
        # anyway, but say so rather than silently change one).
        "bucket_name": parts.netloc.rpartition("@")[2],
        "location": parts.path.strip("/"),
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
        "endpoint_url": query.get("endpoint_url") or None,
        "region_name": query.get("region") or None,
        "addressing_style": query.get("addressing_style")
        or ("path" if query.get("endpoint_url") else None),
        "signature_version": query.get("signature_version") or "s3v4",
        # Documents are at most VERIFICATION_DOCUMENT_MAX_BYTES: a read is spooled in memory
        # up to that size, never to a temporary file on the web server's disk.
        "max_memory_size": settings.VERIFICATION_DOCUMENT_MAX_BYTES + 1,
    }
    if query.get("sse"):
        options["object_parameters"] = {"ServerSideEncryption": query["sse"]}
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    return cast(DocumentStorage, PrivateS3DocumentStorage(**options))


def _local(folder: str | None) -> PrivateDocumentStorage:
    # Readable by the portal's own account only.
    return PrivateDocumentStorage(
        folder=folder, file_permissions_mode=0o600, directory_permissions_mode=0o700
    )


class _DocumentsStorage(LazyObject):
    """The configured storage, built on first use and again after the settings change."""

    _wrapped: Any

    def _setup(self) -> None:
        self._wrapped = storage_from_url(settings.DOCUMENTS_STORAGE_URL)

    def reset(self) -> None:
        self._wrapped = empty


_storage = _DocumentsStorage()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"DOCUMENTS_STORAGE_URL", "VERIFICATION_DOCUMENTS_DIR"}:
        _storage.reset()


def documents_storage() -> Storage:
    """The storage of the documents (a callable on the model field, kept out of migrations)."""
    return cast(Storage, _storage)


def documents_backend() -> DocumentStorage:
    """The configured backend itself, for what the Storage API does not cover (listing every
    document, the readiness probe)."""
    if _storage._wrapped is empty:
        _storage._setup()
    backend: DocumentStorage = _storage._wrapped
    return backend


EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def document_path(instance: Any, filename: str) -> str:
    """``YYYY/MM/<random>.<ext>``: nothing in it comes from the request or the student."""
    extension = EXTENSIONS.get(getattr(instance, "document_content_type", ""), "")
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"
