import pytest

from tests.status_counts import status_counts_exact_after_each_test  # noqa: F401  # autouse


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what a commit would start (the check, the recording): the test task backend runs
    each task as it is queued."""

    class Runner:
        def __call__(self, action, *args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                result = action(*args, **kwargs)
            return result

    return Runner()
