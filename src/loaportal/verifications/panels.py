"""Sections that apps above ``verifications`` add to a request's pages, without this app
importing them (README "Architecture": a lower layer offers a hook, the upper one registers).

A panel is called with the request being shown, the user looking at it, the moment the page
is rendered for, and whether the page is the officers' one; it returns HTML to show below the
decision, or ``""``. ``amendments`` registers the extension and correction requests this way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe

from loaportal.verifications.models import VerificationRequest

if TYPE_CHECKING:
    from django.http import HttpRequest

RequestPanel = Callable[["HttpRequest", VerificationRequest, datetime, bool], str]
_panels: list[RequestPanel] = []


def register_request_panel(panel: RequestPanel) -> None:
    if panel not in _panels:
        _panels.append(panel)


def request_panels(
    request: HttpRequest, verification_request: VerificationRequest, now: datetime, officer: bool
) -> list[SafeString]:
    """The HTML of every registered panel for this page, in registration order (each panel
    renders through Django's templates, which escape what they show)."""
    rendered = (panel(request, verification_request, now, officer) for panel in _panels)
    return [mark_safe(html) for html in rendered if html]  # noqa: S308
