"""Test settings: the product's settings, with the environment a test run needs.

Tasks run immediately after commit (no worker process); everything else — database, cache,
email backend — is what the environment says, as in production.
"""

import os
import tempfile

os.environ.setdefault("TASKS_BACKEND", "immediate")
# The API's change feeds hold back changes younger than this; tests read them at once.
os.environ.setdefault("API_FEED_SETTLE_SECONDS", "0")
os.environ.setdefault("LOAPORTAL_VAR_DIR", tempfile.mkdtemp(prefix="loaportal-test-"))
# pytest-xdist runs the suite in several worker processes ("gw0", "gw1", …; `make test` uses
# one per core). Each worker gets its own var directory (the generated keys are written there
# on first use, which two processes must not race for), its own test database (pytest-django
# adds the worker's name to the test database's name) and its own cache keys (below).
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER:
    os.environ["LOAPORTAL_VAR_DIR"] = os.path.join(os.environ["LOAPORTAL_VAR_DIR"], XDIST_WORKER)
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

if REDIS_URL:  # noqa: F405
    # Workers share the Redis database: each one keeps to keys of its own, and a test clears
    # only its worker's keys (tests/conftest.py ``_fresh_state``), never the whole database.
    CACHES["default"]["KEY_PREFIX"] = f"loaportal-test-{XDIST_WORKER or 'main'}"  # noqa: F405
