"""The back office shows no queued task or email: their arguments and results are not for
anyone's eyes, and the outbox is deliberately absent (issue 6, item 4).

django-tasks-db registers its task results in the admin when its admin module is imported;
import it first, so that it cannot register them after this module has taken them out.
"""

from django.contrib import admin
from django_tasks_db import admin as _tasks_db_admin  # noqa: F401 (registers, then removed)
from django_tasks_db.models import DBTaskResult

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
