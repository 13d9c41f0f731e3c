"""Who calls the API: ``Authorization: Bearer <token>`` checked on every call.

401 for a missing, made-up, revoked or expired token (or one whose creator lost access); 403
for a token on the wrong side (a DLI token on IRCC paths and the reverse) or with too small a
scope; 429 with ``Retry-After`` past the per-token rate limit. The caller is put on the request
(``request.caller``) and named in every audit entry written during the call.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security.base import AuthBase

from loaportal.api.errors import ApiError
from loaportal.api.models import ApiToken
from loaportal.api.services import Caller, TokenRefused, api_token_authenticate
from loaportal.audit.context import api_token_use
from loaportal.core import ratelimit

RATE_WINDOW_SECONDS = 60


def _rate_limit(token: ApiToken) -> None:
    amount = settings.API_RATE_LIMIT_PER_MINUTE
    if amount <= 0:
        return
    if ratelimit.attempt(f"api-token:{token.pk}", amount=amount, duration=RATE_WINDOW_SECONDS):
        return
    # The window slides by tenths: a slot frees up within one tenth of it.
    retry = math.ceil(RATE_WINDOW_SECONDS / ratelimit.BUCKETS)
    raise ApiError(429, "rate_limited", headers={"Retry-After": str(retry)})


class TokenAuth(AuthBase):
    """A bearer token of one side (``kind``), with at least ``scope`` for DLI tokens."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __init__(self, *, kind: str, scope: str = ApiToken.Scope.READ):
        self.kind = kind
        self.scope = scope
        super().__init__()

    def __call__(self, request: HttpRequest) -> Caller:
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(401, "token_missing", headers={"WWW-Authenticate": "Bearer"})
        try:
            caller = api_token_authenticate(value.strip())
        except TokenRefused as refused:
            raise ApiError(
                401, refused.code, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            ) from None
        token = caller.token
        api_token_use(token.audit_identity())
        _rate_limit(token)
        if token.kind != self.kind:
            raise ApiError(403, "wrong_side")
        if self.scope == ApiToken.Scope.DECIDE and token.scope != ApiToken.Scope.DECIDE:
            raise ApiError(403, "scope_insufficient")
        request.caller = caller  # type: ignore[attr-defined]
        return caller


def caller_of(request: Any) -> Caller:
    caller: Caller = request.caller
    return caller


dli_read = TokenAuth(kind=ApiToken.Kind.DLI)
dli_decide = TokenAuth(kind=ApiToken.Kind.DLI, scope=ApiToken.Scope.DECIDE)
ircc = TokenAuth(kind=ApiToken.Kind.IRCC)
