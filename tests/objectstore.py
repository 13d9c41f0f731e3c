"""A real S3-compatible server on loopback (moto's server mode, ``moto_server``), for the tests
of the documents' object storage. One server per test process, started on first use; each test
gets a bucket of its own.

A pytest plugin (loaded with ``-p tests.objectstore`` from pyproject.toml).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
REGION = "ca-central-1"
ACCESS_KEY = "loaportal-test"
SECRET_KEY = "loaportal-test-secret"


@dataclass
class ObjectStore:
    port: int
    process: subprocess.Popen

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def create_bucket(self, name: str | None = None) -> str:
        name = name or f"docs-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        return name

    def url(self, bucket: str, prefix: str = "documents", **options: str) -> str:
        """A ``DOCUMENTS_STORAGE_URL`` for ``bucket`` on this server."""
        values = {"endpoint_url": self.endpoint, "region": REGION, **options}
        query = "&".join(f"{k}={v}" for k, v in values.items())
        return f"s3://{ACCESS_KEY}:{SECRET_KEY}@{bucket}/{prefix}?{query}"

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_object_store(port: int | None = None, log: Path | None = None) -> ObjectStore:
    """Start ``moto_server`` on loopback and wait until it answers (at most 30 s)."""
    port = port or _free_port()
    output = log.open("w") if log else subprocess.DEVNULL
    process = subprocess.Popen(  # noqa: S603 (our own command)
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            assert process.poll() is None, "moto_server exited"
            assert time.monotonic() < deadline, "moto_server did not start within 30 s"
            time.sleep(0.1)
    return ObjectStore(port=port, process=process)


def stop_object_store(store: ObjectStore) -> None:
    store.process.terminate()
    try:
        store.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        store.process.kill()
        store.process.wait()


@pytest.fixture(scope="session")
def object_store() -> Iterator[ObjectStore]:
    store = start_object_store()
    try:
        yield store
    finally:
        stop_object_store(store)


@pytest.fixture
def s3_documents(settings, object_store) -> str:
    """Documents go to a fresh bucket on the loopback S3 server; returns the bucket's name."""
    bucket = object_store.create_bucket()
    settings.DOCUMENTS_STORAGE_URL = object_store.url(bucket)
    return bucket
