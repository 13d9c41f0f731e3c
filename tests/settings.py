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

from loaportal.settings import *  # noqa: E402,F403
