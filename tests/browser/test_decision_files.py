"""Verify by file, in a real browser, in French and English: a file with valid rows and one row
of each error kind, its preview, "Confirm and record", exactly the valid rows decided; the same
file again records nothing new and says why; a file with wrong columns is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from loaportal.decision_files.models import DecisionFile, DecisionFileRow
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import verification_decide
from tests import flows
from tests.browser.helpers import (
    check_accessibility,
    expect_heading,
    press,
    sign_in_quickly,
)
from tests.decision_files.support import csv_file, pending
from tests.factories import dli_with_users

pytestmark = pytest.mark.browser

TEXT = {
    "fr": {
        "title": "Vérifier par fichier",
        "file": "Fichier de décisions",
        "upload": "Téléverser et vérifier",
        "confirm": "Confirmer l'enregistrement",
        "recorded": "3 décisions enregistrées.",
        "before": "Vous avez déjà téléversé ce fichier",
        "nothing": "Rien à enregistrer",
        "unusable": "Le fichier n'a pas pu être utilisé",
        "no_match": "Non vérifiée – Aucune correspondance",
    },
    "en": {
        "title": "Verify by file",
        "file": "Decision file",
        "upload": "Upload and check",
        "confirm": "Confirm and record",
        "recorded": "3 decisions recorded.",
        "before": "You uploaded this file before",
        "nothing": "Nothing to record",
        "unusable": "The file could not be used",
        "no_match": "Not verified – No match",
    },
}


def _text(page) -> str:
    return " ".join(page.locator("#main-content").inner_text().replace("\u00a0", " ").split())


def _upload(page, path, x) -> None:
    page.get_by_label(x["file"]).set_input_files(str(path))
    press(page, x["upload"])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_member_records_a_decision_file_after_its_preview(browser, live_server, tmp_path, lang):
    x = TEXT[lang]
    dli = dli_with_users(name=f"spruce-{lang}", secondaries=0)
    other = dli_with_users(name=f"larch-{lang}", secondaries=0)
    matched, no_match, cancelled, decided, wrong, no_comment = pending(dli.institution, 6)
    verification_decide(
        verification_request=decided, outcome="verified_matched", comment="", decided_by=dli.primary
    )
    overdue = pending(dli.institution, requested_at=timezone.now() - timedelta(days=12))
    theirs = pending(other.institution, surname="Okonkwo-Lindqvist")
    path = tmp_path / "decisions.csv"
    path.write_bytes(
        csv_file(
            [
                [matched.application_number, "verified_matched", ""],
                [no_match.application_number, x["no_match"], "Not our letter"],
                [cancelled.application_number, "Not verified - cancelled or withdrawn", "Left"],
                ["S999999999", "verified_matched", ""],  # unknown
                [theirs.application_number, "verified_matched", ""],  # another DLI's
                [decided.application_number, "verified_matched", ""],  # already decided
                [overdue.application_number, "verified_matched", ""],  # past the deadline
                [wrong.application_number, "approved", ""],  # unknown outcome
                [no_comment.application_number, "not_verified_no_match", ""],  # no comment
                [matched.application_number, "verified_matched", ""],  # duplicate row
            ],
            delimiter=";",
        )
    )
    context = browser.new_context(base_url=live_server.url)
    sign_in_quickly(context, live_server, dli.primary)
    page = context.new_page()
    page.goto(flows.url("home", lang))
    page.get_by_role("link", name=x["title"], exact=True).click()
    expect_heading(page, x["title"])
    check_accessibility(page)
    _upload(page, path, x)

    # The preview: every error, in the page's language; nothing recorded yet.
    expect(page.get_by_role("button", name=x["confirm"], exact=True)).to_be_visible()
    decision_file = DecisionFile.objects.get(institution=dli.institution)
    text = _text(page)
    with translation.override(lang):
        for row in DecisionFileRow.objects.filter(decision_file=decision_file, result="error"):
            assert row.message.replace("\u00a0", " ") in text, row.error_code
    codes = set(
        DecisionFileRow.objects.filter(decision_file=decision_file).values_list(
            "error_code", flat=True
        )
    )
    assert codes == {
        "",
        "unknown_application",
        "other_dli",
        "already_decided",
        "past_deadline",
        "outcome_unknown",
        "comment_required",
        "duplicate",
    }
    assert theirs.surname not in text  # nothing of another DLI's request is shown
    assert VerificationRequest.objects.filter(decided_at__isnull=False).count() == 1
    check_accessibility(page)

    press(page, x["confirm"])
    expect(page.locator("#main-content")).to_contain_text(x["recorded"])
    check_accessibility(page)
    decided_now = dict(
        VerificationRequest.objects.filter(decided_at__isnull=False)
        .exclude(pk=decided.pk)
        .values_list("pk", "status")
    )
    assert decided_now == {
        matched.pk: "verified_matched",
        no_match.pk: "not_verified_no_match",
        cancelled.pk: "not_verified_cancelled",
    }

    # The same file again: nothing new to record, and why.
    page.goto(flows.url("decision_files:index", lang))
    _upload(page, path, x)
    expect(page.locator("#main-content")).to_contain_text(x["before"])
    expect(page.locator("#main-content")).to_contain_text(x["nothing"])
    expect(page.get_by_role("button", name=x["confirm"], exact=True)).to_have_count(0)
    with translation.override(lang):
        again = DecisionFile.objects.filter(institution=dli.institution).latest("id")
        message = DecisionFileRow.objects.get(decision_file=again, line=2).message
    assert message.replace("\u00a0", " ") in _text(page)

    # A file without the columns.
    wrong_file = tmp_path / "wrong.csv"
    wrong_file.write_bytes(b"student,result\nGagnon,ok\n")
    page.goto(flows.url("decision_files:index", lang))
    _upload(page, wrong_file, x)
    expect(page.locator("#main-content")).to_contain_text(x["unusable"])
    assert VerificationRequest.objects.filter(decided_at__isnull=False).count() == 4
    context.close()
