"""Test settings: the product's settings, with the environment a test run needs.

Tasks run immediately after commit (no worker process); everything else — database, cache,
email backend — is what the environment says, as in production.
"""

import os
import tempfile

os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("LOAPORTAL_VAR_DIR", tempfile.mkdtemp(prefix="loaportal-test-"))
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# beside it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from loaportal.accounts.hashers import PortalArgon2PasswordHasher  # noqa: E402
from loaportal.settings import *  # noqa: E402,F403


class FastArgon2PasswordHasher(PortalArgon2PasswordHasher):
    """Argon2id at its cheapest (8 KiB, one pass): same format and code path as the portal's
    hasher, without its deliberate 19 MiB and two passes, which would otherwise be paid for
    every user a test creates or signs in. The hashing tests restore the real parameters with
    the ``production_password_hasher`` fixture (tests/conftest.py)."""

    time_cost = 1
    memory_cost = 8
    parallelism = 1


PASSWORD_HASHERS = ["tests.settings.FastArgon2PasswordHasher"]
