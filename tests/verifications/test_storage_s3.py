"""Documents in an S3-compatible object store (``DOCUMENTS_STORAGE_URL=s3://…``), against a
real S3 server on loopback (moto's server mode, tests/objectstore.py): intake writes private
objects, the portal streams them after its access check, nothing has a public URL, and the
sweep and the failure paths work the same as on local files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import verification_documents_sweep
from loaportal.verifications.storage import (
    PrivateDocumentStorage,
    PrivateS3DocumentStorage,
    documents_backend,
    documents_storage,
    storage_from_url,
)
from tests import flows
from tests.factories import dli_with_users
from tests.verifications.helpers import make_request, pdf_bytes

pytestmark = pytest.mark.django_db


def test_the_url_selects_the_backend(tmp_path):
    assert isinstance(storage_from_url(""), PrivateDocumentStorage)
    local = storage_from_url(f"file://{tmp_path}/docs")
    assert isinstance(local, PrivateDocumentStorage) and local.location == f"{tmp_path}/docs"
    s3 = storage_from_url(
        "s3://key:se%2Fcret@my-bucket/loa/docs?endpoint_url=http://127.0.0.1:9000"
        "&region=ca-central-1&sse=AES256"
    )
    assert isinstance(s3, PrivateS3DocumentStorage)
    assert (s3.bucket_name, s3.location, s3.endpoint_url) == (
        "my-bucket",
        "loa/docs",
        "http://127.0.0.1:9000",
    )
    assert (s3.access_key, s3.secret_key, s3.region_name) == ("key", "se/cret", "ca-central-1")
    assert s3.default_acl == "private" and s3.file_overwrite is False
    assert s3.object_parameters == {"ServerSideEncryption": "AES256"}
    for bad in ("ftp://x/y", "s3:///nobucket", "s3://b/p?acl=public-read"):
        with pytest.raises(ImproperlyConfigured):
            storage_from_url(bad)


def test_intake_writes_a_private_object_and_nothing_on_disk(
    s3_documents, object_store, _documents_dir
):
    a = dli_with_users(name="a", secondaries=0)
    vr = make_request(a.institution)
    assert object_store.keys(s3_documents) == [f"documents/{vr.document.name}"]
    assert not _documents_dir.exists() or not any(_documents_dir.rglob("*.pdf"))
    acl = object_store.client().get_object_acl(
        Bucket=s3_documents, Key=f"documents/{vr.document.name}"
    )
    grantees = {grant["Grantee"].get("URI", grant["Grantee"].get("ID")) for grant in acl["Grants"]}
    assert not any("AllUsers" in str(g) or "AuthenticatedUsers" in str(g) for g in grantees)
    with pytest.raises(NotImplementedError):
        documents_storage().url(vr.document.name)


def test_the_portal_streams_the_object_after_its_access_check(s3_documents, signed_in):
    a, b = dli_with_users(name="a", secondaries=0), dli_with_users(name="b", secondaries=0)
    vr = make_request(a.institution, application_number="S300000777")
    url = flows.url("verifications:document", "en", pk=vr.pk)
    response = signed_in(a.primary).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes("Letter S300000777")
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    # Another DLI's user gets a 404 and never the bytes.
    other = signed_in(b.primary).get(url)
    assert other.status_code == 404 and b"%PDF" not in other.content


def test_the_sweep_deletes_orphan_objects_only(s3_documents, object_store):
    a = dli_with_users(name="a", secondaries=0)
    vr = make_request(a.institution)
    object_store.client().put_object(
        Bucket=s3_documents, Key="documents/2020/01/orphan.pdf", Body=b"%PDF-1 orphan %%EOF"
    )
    # Younger than an hour: left alone (an intake may be about to commit it).
    assert verification_documents_sweep() == 0
    assert verification_documents_sweep(now=timezone.now() + timedelta(hours=2)) == 1
    assert object_store.keys(s3_documents) == [f"documents/{vr.document.name}"]
    assert VerificationRequest.objects.get().document.read().startswith(b"%PDF-")


def test_encryption_at_rest_when_asked(settings, object_store):
    bucket = object_store.create_bucket()
    settings.DOCUMENTS_STORAGE_URL = object_store.url(bucket, sse="AES256")
    a = dli_with_users(name="a", secondaries=0)
    vr = make_request(a.institution)
    head = object_store.client().head_object(Bucket=bucket, Key=f"documents/{vr.document.name}")
    assert head["ServerSideEncryption"] == "AES256"


def test_the_readiness_probe_sees_a_missing_bucket(settings, object_store, s3_documents):
    documents_backend().ready()
    settings.DOCUMENTS_STORAGE_URL = object_store.url("no-such-bucket")
    with pytest.raises(Exception):  # noqa: B017 (botocore's ClientError)
        documents_backend().ready()
