"""The type check (README "Architecture", pyproject ``[tool.mypy]``): `make lint` runs mypy with
django-stubs on ``src/loaportal``. It fails on a type error; the modules written since the
accounts stage are held to mypy's strict flags, and so is every module added from now on: a
module is either on the strict list or one of the older ones listed here."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mypy.config_parser import parse_config_file
from mypy.options import Options

ROOT = Path(__file__).resolve().parent.parent
MYPY = Path(sys.executable).with_name("mypy")

# Written before the type check came: checked, but not (yet) held to the strict flags. A module
# made strict leaves this list; a new module never joins it (add it to the strict override).
LEGACY = {
    "loaportal",
    "loaportal.__main__",
    "loaportal.accounts",
    "loaportal.accounts.adapter",
    "loaportal.accounts.admin",
    "loaportal.accounts.apps",
    "loaportal.accounts.forms",
    "loaportal.accounts.hashers",
    "loaportal.accounts.middleware",
    "loaportal.accounts.models",
    "loaportal.accounts.selectors",
    "loaportal.accounts.services",
    "loaportal.accounts.stages",
    "loaportal.accounts.validators",
    "loaportal.accounts.views",
    "loaportal.audit",
    "loaportal.audit.admin",
    "loaportal.audit.apps",
    "loaportal.audit.context",
    "loaportal.audit.forms",
    "loaportal.audit.models",
    "loaportal.audit.receivers",
    "loaportal.audit.selectors",
    "loaportal.audit.services",
    "loaportal.audit.triggers",
    "loaportal.audit.views",
    "loaportal.cli",
    "loaportal.core",
    "loaportal.core.access",
    "loaportal.core.admin",
    "loaportal.core.apps",
    "loaportal.core.context_processors",
    "loaportal.core.exceptions",
    "loaportal.core.middleware",
    "loaportal.core.templatetags",
    "loaportal.core.templatetags.portal",
    "loaportal.core.views",
    "loaportal.institutions",
    "loaportal.institutions.apps",
    "loaportal.institutions.models",
    "loaportal.institutions.selectors",
    "loaportal.institutions.services",
    "loaportal.institutions.services.onboarding",
    "loaportal.institutions.views",
    "loaportal.invitations",
    "loaportal.invitations.admin",
    "loaportal.invitations.apps",
    "loaportal.invitations.codes",
    "loaportal.invitations.forms",
    "loaportal.invitations.models",
    "loaportal.invitations.selectors",
    "loaportal.invitations.services",
    "loaportal.invitations.views",
    "loaportal.notifications",
    "loaportal.notifications.apps",
    "loaportal.notifications.backends",
    "loaportal.notifications.management",
    "loaportal.notifications.management.commands",
    "loaportal.notifications.management.commands.worker",
    "loaportal.notifications.models",
    "loaportal.notifications.services",
    "loaportal.notifications.tasks",
    "loaportal.notifications.views",
    "loaportal.settings",
    "loaportal.terms",
    "loaportal.terms.admin",
    "loaportal.terms.apps",
    "loaportal.terms.forms",
    "loaportal.terms.initial",
    "loaportal.terms.models",
    "loaportal.terms.selectors",
    "loaportal.terms.services",
    "loaportal.terms.views",
    "loaportal.urls",
    "loaportal.wsgi",
}


# One unannotated function, added to a module on the strict list and to an older one.
UNANNOTATED = "\n\ndef _unannotated(value):\n    return value\n"
STRICT_MODULE, OLDER_MODULE = "core/durations.py", "core/exceptions.py"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One mypy run, with the project's configuration (plugin, settings, strict list), over a
    copy of the tree with a type error in a new file and the unannotated function added to
    ``STRICT_MODULE`` and ``OLDER_MODULE``."""
    work = tmp_path_factory.mktemp("typecheck")
    copy = work / "src" / "loaportal"
    shutil.copytree(
        ROOT / "src" / "loaportal",
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "templates"),
    )
    for module in (STRICT_MODULE, OLDER_MODULE):
        with open(copy / module, "a", encoding="utf-8") as source:
            source.write(UNANNOTATED)
    if (ROOT / ".mypy_cache").is_dir():
        # Start from the tree's cache when `make lint` left one: Django's stubs are not
        # analysed again (a copy: the tree's cache is never written by this test).
        shutil.copytree(ROOT / ".mypy_cache", work / "cache")
    probe = work / "probe.py"
    probe.write_text("from loaportal.core.normalize import email_normalize\n\nemail_normalize(3)\n")
    command = [str(MYPY), "--config-file", str(ROOT / "pyproject.toml")]
    command += ["--cache-dir", str(work / "cache"), str(probe)]
    command += [str(copy / module) for module in (STRICT_MODULE, OLDER_MODULE)]
    return subprocess.run(  # noqa: S603 (our own tool, fixed arguments)
        command,
        cwd=work,  # the configuration's ``mypy_path = "src"`` is relative to it: the copy
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _errors_in(run, module: str) -> list[str]:
    return [line for line in run.stdout.splitlines() if line.startswith(f"src/loaportal/{module}:")]


def test_a_type_error_fails_the_check(run):
    assert run.returncode == 1, run.stdout + run.stderr
    assert 'probe.py:3: error: Argument 1 to "email_normalize" has incompatible type "int"; ' in (
        run.stdout
    )


def test_a_module_on_the_strict_list_must_be_fully_annotated(run):
    errors = _errors_in(run, STRICT_MODULE)
    assert errors, run.stdout + run.stderr
    assert all("Function is missing a type annotation  [no-untyped-def]" in e for e in errors)


def test_an_older_module_is_checked_without_the_strict_flags(run):
    assert _errors_in(run, OLDER_MODULE) == [], run.stdout


def _options() -> Options:
    options = Options()
    parse_config_file(
        options, lambda: None, str(ROOT / "pyproject.toml"), io.StringIO(), io.StringIO()
    )
    return options


def _modules() -> list[str]:
    """Every module mypy checks in ``src/loaportal`` (migrations are excluded)."""
    names = []
    for path in sorted((ROOT / "src" / "loaportal").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(ROOT / "src").with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_every_new_module_is_strict():
    options = _options()
    modules = _modules()
    not_strict = {m for m in modules if not options.clone_for_module(m).disallow_untyped_defs}
    assert not_strict - LEGACY == set(), "add these modules to the strict override in pyproject"
    assert LEGACY - not_strict == set(), "strict (or gone) now: take them off LEGACY"
    strict = options.clone_for_module("loaportal.core.roles")
    assert strict.disallow_untyped_defs and strict.warn_return_any
    assert strict.disallow_any_generics and strict.disallow_untyped_calls
