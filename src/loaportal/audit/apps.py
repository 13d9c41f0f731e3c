from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def install_triggers_after_migrate(sender, using="default", plan=None, **kwargs) -> None:
    """Re-install the append-only triggers after every ``migrate``.

    On SQLite a migration that rebuilds ``audit_auditevent`` (most AlterField, AddField with a
    constraint, RemoveConstraint...) silently drops its triggers; on PostgreSQL someone may
    have disabled them. Whatever the migrations did, the table leaves ``migrate`` guarded.
    """
    from django.db import connections

    from loaportal.audit.triggers import TABLE, triggers_install

    connection = connections[using]
    if TABLE not in connection.introspection.table_names():
        return  # audit unapplied (``migrate audit zero``)
    triggers_install(connection)


class AuditConfig(AppConfig):
    name = "loaportal.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from loaportal.audit import receivers

        receivers.connect()
        post_migrate.connect(
            install_triggers_after_migrate, sender=self, dispatch_uid="audit_triggers_post_migrate"
        )
