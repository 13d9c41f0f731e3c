"""The layer order (README "Architecture", pyproject ``[tool.importlinter]``) is enforced:
`make lint` runs ``lint-imports``, which fails on any import against the order, even one
inside a function, and passes on the tree as it is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(source_root: Path, cwd: Path) -> subprocess.CompletedProcess:
    """Run the project's contract on the ``loaportal`` package found under ``source_root``."""
    return subprocess.run(  # noqa: S603 (our own tool, fixed arguments)
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(source_root)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_tree_keeps_the_layers(tmp_path):
    result = _lint_imports(ROOT / "src", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Layers run one way KEPT" in result.stdout


@pytest.mark.parametrize(
    ("module", "injected", "broken"),
    [
        # Inside a function: hidden from import cycles, not from the contract.
        (
            "core/exceptions.py",
            "\n\ndef _upward():\n    from loaportal.officers import views  # noqa: F401\n",
            "loaportal.core is not allowed to import loaportal.officers",
        ),
        (
            "accounts/services.py",
            "\nfrom loaportal.institutions.models import Membership  # noqa: E402,F401\n",
            "loaportal.accounts is not allowed to import loaportal.institutions",
        ),
        (
            "institutions/selectors.py",
            "\nfrom loaportal.invitations.models import Invitation  # noqa: E402,F401\n",
            "loaportal.institutions is not allowed to import loaportal.invitations",
        ),
        # For annotations only: still an import against the order.
        (
            "accounts/selectors.py",
            "\nif TYPE_CHECKING:\n    from loaportal.institutions.models import Membership\n",
            "loaportal.accounts is not allowed to import loaportal.institutions",
        ),
        # Independent neighbours on one floor do not import each other either.
        (
            "audit/services.py",
            "\nfrom loaportal.notifications import services as _n  # noqa: E402,F401\n",
            "loaportal.audit is not allowed to import loaportal.notifications",
        ),
    ],
)
def test_an_upward_import_breaks_the_contract(tmp_path, module, injected, broken):
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "loaportal",
        copy / "loaportal",
        ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "templates"),
    )
    with open(copy / "loaportal" / module, "a", encoding="utf-8") as source:
        source.write(injected)
    result = _lint_imports(copy, tmp_path)
    assert result.returncode != 0, result.stdout
    assert "Layers run one way BROKEN" in result.stdout
    assert broken in result.stdout
