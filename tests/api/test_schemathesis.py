"""The OpenAPI document holds: it validates (openapi-spec-validator), and schemathesis, run
against the live server (gunicorn) over every operation with valid tokens of both kinds, finds
no server error and no answer that breaks the document (status codes, content types, bodies).

Bounded (a few examples per operation) so that it takes seconds, not minutes.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from openapi_spec_validator import validate

from tests.api.live import live_setup
from tests.processes import portal_processes

ST = Path(sys.executable).parent / "st"
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)


def test_the_openapi_document_validates_and_keeps_its_stable_paths(db):
    response = Client(HTTP_HOST="127.0.0.1").get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert {
        "/api/v1/dli/verification-requests",
        "/api/v1/dli/decisions",
        "/api/v1/ircc/verification-requests",
    } <= set(document["paths"])
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_the_reference_page_is_served_with_its_own_assets_under_the_csp(client):
    response = client.get("/api/v1/docs", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert b"/static/swagger-ui/swagger-ui-bundle.js" in response.content
    assert b"<script>" not in response.content  # no inline script


@pytest.fixture(scope="module")
def portal(django_db_setup, django_db_blocker, _smtp_controller, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("portal")
    with (
        django_db_blocker.unblock(),
        portal_processes(tmp_path=tmp_path, smtp_port=_smtp_controller.port, workers=2) as portal,
    ):
        yield portal


def _schemathesis(
    portal, *, token: str, paths: str, examples: int, setup: dict, config: Path
) -> subprocess.CompletedProcess:
    base = f"http://127.0.0.1:{portal.base_port}"
    # The path parameters name objects that exist, so that those operations are reached
    # beyond their 404.
    config.write_text(
        "[parameters]\n"
        f'"path.application_number" = "{setup["numbers"][0]}"\n'
        f'"path.extension_id" = {setup["extension"]}\n'
        f'"path.correction_id" = {setup["correction"]}\n'
    )
    return subprocess.run(  # noqa: S603 (our own command)
        [
            str(ST),
            "--config-file",
            str(config),
            "run",
            f"{base}/api/v1/openapi.json",
            "--url",
            base,
            "--header",
            f"Authorization: Bearer {token}",
            "--include-path-regex",
            paths,
            "--checks",
            CHECKS,
            "--max-examples",
            str(examples),
            "--phases",
            "examples,fuzzing",
            "--workers",
            "1",
            "--seed",
            "11",
            "--generation-deterministic",
            "--no-shrink",
            "--request-timeout",
            "20",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env={**portal.env, "NO_COLOR": "1"},
        # schemathesis keeps a cache in its working directory: the test's, not the checkout.
        cwd=config.parent,
    )


def test_schemathesis_finds_no_server_error_nor_answer_breaking_the_document(portal, tmp_path):
    setup = live_setup(portal, dli="O19391100011", requests=3)
    for token, paths in (("decide", "^/api/v1/dli/"), ("ircc", "^/api/v1/ircc/")):
        started = time.monotonic()
        result = _schemathesis(
            portal,
            token=setup[token],
            paths=paths,
            examples=5,
            setup=setup,
            config=tmp_path / "schemathesis.toml",
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-6000:]
        print(paths, f"{time.monotonic() - started:.1f}s", output.strip().splitlines()[-1])
