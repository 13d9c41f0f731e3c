"""django-allauth is pinned to one version because the portal touches its internals; every one
of them is gathered in ``accounts.allauth_internals``. This test imports each and checks the
private members the portal relies on, so an allauth upgrade that moves one fails here first."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from loaportal.accounts import allauth_internals

SRC = Path(allauth_internals.__file__).resolve().parent.parent
INTERNAL = re.compile(r"^\s*(?:from|import)\s+(allauth\.[\w.]*(?:internal|\._)[\w.]*)", re.M)


@pytest.mark.parametrize("name", allauth_internals.__all__)
def test_each_internal_imports(name):
    assert getattr(allauth_internals, name) is not None


@pytest.mark.parametrize(
    ("owner", "member"),
    [(owner, m) for owner, members in allauth_internals.PRIVATE_MEMBERS.items() for m in members],
)
def test_each_private_member_still_exists(owner, member):
    name = getattr(owner, "__qualname__", getattr(owner, "__name__", owner))
    assert hasattr(owner, member), f"{name}.{member} is gone: see allauth's release notes"


def test_the_login_stage_is_still_put_on_the_request():
    source = importlib.import_module("allauth.account.internal.decorators")
    assert f"request.{allauth_internals.REQUEST_LOGIN_STAGE} =" in Path(source.__file__).read_text()


def test_no_other_module_imports_an_allauth_internal():
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name != "allauth_internals.py" and INTERNAL.search(path.read_text())
    ]
    assert offenders == []


def test_allauth_is_pinned_to_the_version_installed():
    from importlib.metadata import version

    pyproject = (SRC.parent.parent / "pyproject.toml").read_text()
    pinned = re.search(r'"django-allauth(?:\[[\w,]+\])?==([^"]+)"', pyproject)
    assert pinned and pinned.group(1) == version("django-allauth")


@pytest.mark.django_db
def test_a_signed_in_user_on_the_sign_up_confirmation_goes_home_not_to_a_500(client):
    """allauth sends a signed-in person with nothing to confirm to its email-management page,
    which the portal does not mount (found by the role sweep)."""
    from loaportal.terms.selectors import terms_current
    from loaportal.terms.services import terms_accept
    from tests import flows
    from tests.factories import MembershipFactory

    user = MembershipFactory().user
    terms_accept(user=user, version=terms_current())
    client.force_login(user)
    response = client.get(flows.url("account_email_verification_sent"))
    assert (response.status_code, response["Location"]) == (302, flows.url("home"))
