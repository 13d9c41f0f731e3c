from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from loaportal.api.models import ApiToken
from loaportal.api.services import api_token_create, api_token_create_ircc
from tests.factories import OfficerFactory, dli_with_users
from tests.status_counts import status_counts_exact_after_each_test  # noqa: F401  # autouse


@pytest.fixture(autouse=True)
def _documents_dir(settings, tmp_path):
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "documents"
    return settings.VERIFICATION_DOCUMENTS_DIR


@dataclass
class Api:
    """The Django test client speaking to the API with one token."""

    client: Any
    token: str
    language: str = "en"

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"HTTP_ACCEPT_LANGUAGE": self.language}
        if self.token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def get(self, path: str, **params: Any):
        return self.client.get(f"/api/v1{path}", params, **self._headers())

    def post(self, path: str, body: Any):
        return self.client.post(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", **self._headers()
        )

    def post_multipart(self, path: str, data: dict[str, Any]):
        return self.client.post(f"/api/v1{path}", data, **self._headers())


@pytest.fixture
def world(db):
    """DLI A and DLI B with their users, an officer, and tokens of every kind."""
    a, b = dli_with_users(name="a-college", secondaries=1), dli_with_users(name="b-college")
    officer = OfficerFactory()
    tokens = {
        "a_read": api_token_create(
            institution=a.institution,
            name="A read",
            scope=ApiToken.Scope.READ,
            created_by=a.primary,
        ),
        "a_decide": api_token_create(
            institution=a.institution,
            name="A SIS",
            scope=ApiToken.Scope.DECIDE,
            created_by=a.primary,
        ),
        "b_decide": api_token_create(
            institution=b.institution,
            name="B SIS",
            scope=ApiToken.Scope.DECIDE,
            created_by=b.primary,
        ),
        "ircc": api_token_create_ircc(name="GCMS", created_by=officer),
    }
    return {"a": a, "b": b, "officer": officer, "tokens": tokens}


@pytest.fixture
def api_as(client, world):
    def make(name: str, language: str = "en") -> Api:
        return Api(client=client, token=world["tokens"][name].value, language=language)

    return make
