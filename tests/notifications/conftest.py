import pytest

from tests.notifications.faults import FaultySmtp


@pytest.fixture
def database_queue(settings):
    """The embedded default: a database-backed queue that ``loaportal worker`` empties."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def faulty_smtp(settings, transactional_db):
    """The portal's mail server, down until the test starts it."""
    server = FaultySmtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.sink.host
    settings.EMAIL_PORT = server.sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
