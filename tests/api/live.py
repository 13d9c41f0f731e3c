"""Setting up a live portal (``tests.processes``) for API tests: a DLI with its primary user,
an officer, tokens of both kinds and a few requests, made in ``loaportal shell``."""

from __future__ import annotations

from typing import Any

from tests.processes import Portal

SETUP = """
import json
from loaportal.accounts.models import User
from loaportal.api.services import api_token_create, api_token_create_ircc
from loaportal.institutions.models import Institution, Membership
from loaportal.verifications.letters import letter_pdf
from loaportal.verifications.services import verification_request_create
number = {dli!r}
institution = Institution.objects.create(
    dli_number=number, name_en="Live College " + number, name_fr="Collège " + number, province="ON"
)
primary = User.objects.create_user("primary-" + number.lower() + "@college.example", None,
                                   surname="Primary", phone="+16135550123")
Membership.objects.create(user=primary, institution=institution, role="primary")
officer = User.objects.filter(is_staff=True).first() or User.objects.create_user(
    "officer@ircc.example", None, surname="Officer", phone="+16135550123", is_staff=True)
numbers = []
for index in range({requests}):
    application = "S" + number[-6:] + "%04d" % index
    verification_request_create(
        application_number=application, dli_number=number, surname="Tremblay",
        given_names="Marie", date_of_birth="2004-05-17",
        document=letter_pdf(title="Letter " + application, lines=[]),
        document_name=application + ".pdf",
    )
    numbers.append(application)
from loaportal.amendments.services import correction_request_create, extension_request_create
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import verification_decide
extension = correction = None
if len(numbers) >= 3:
    extension = extension_request_create(
        verification_request=VerificationRequest.objects.get(application_number=numbers[1]),
        requested_by=primary, days=3, ground="labour_dispute", explanation="Strike.").pk
    decided = verification_decide(
        verification_request=VerificationRequest.objects.get(application_number=numbers[2]),
        outcome="verified_matched", comment="", decided_by=primary)
    correction = correction_request_create(
        verification_request=decided, requested_by=primary, outcome="not_verified_cancelled",
        ground="student_withdrew", explanation="Withdrew.").pk
print(json.dumps({{
    "extension": extension,
    "correction": correction,
    "read": api_token_create(institution=institution, name="Live read", scope="read",
                             created_by=primary).value,
    "decide": api_token_create(institution=institution, name="Live decide", scope="decide",
                               created_by=primary).value,
    "ircc": api_token_create_ircc(name="Live IRCC", created_by=officer).value,
    "numbers": numbers,
}}))
"""


def live_setup(portal: Portal, *, dli: str, requests: int) -> dict[str, Any]:
    result = portal.shell(SETUP.format(dli=dli, requests=requests))
    assert isinstance(result, dict)
    return result
