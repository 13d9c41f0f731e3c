"""``loaportal load_demo_amendments`` (run by ``make run``): one extension and one correction
request waiting for an officer on the demo DLI, loaded once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from loaportal.amendments.models import CorrectionRequest, ExtensionRequest


@pytest.mark.django_db
def test_the_demo_loads_one_of_each_once():
    call_command("load_demo")
    call_command("load_demo_verifications")
    call_command("load_demo_amendments")
    call_command("load_demo_amendments")
    extension, correction = ExtensionRequest.objects.get(), CorrectionRequest.objects.get()
    assert extension.is_open and correction.is_open
    assert extension.institution.dli_number == "O19390898172"
    assert correction.current_outcome == "verified_matched"
