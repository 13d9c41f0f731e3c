import pytest

from tests.status_counts import status_counts_exact_after_each_test  # noqa: F401  # autouse


@pytest.fixture(autouse=True)
def _documents_dir(settings, tmp_path):
    """Each test stores documents in its own folder, so that a test can list what is left."""
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "documents"
    return settings.VERIFICATION_DOCUMENTS_DIR
