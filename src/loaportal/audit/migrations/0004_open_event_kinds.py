"""Open the audit trail to new event kinds without a migration of its table.

The kinds are now ``loaportal.audit.models.EventType`` only (a Python registry the service
validates against and that labels them for display): the database check constraint on
``event_type`` goes, and so do the field's ``choices``, whose every change used to produce an
AlterField here.

Removing the constraint rebuilds the table on SQLite, which drops its triggers: the
append-only triggers are installed again at the end (on PostgreSQL they are left as they are).
"""

from django.db import migrations, models


def reinstall_triggers(apps, schema_editor):
    from loaportal.audit.triggers import triggers_install

    triggers_install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_password_events"),
    ]

    operations = [
        # Unapplying runs the operations backwards: this one runs last then, after the
        # constraint is back (another SQLite rebuild).
        migrations.RunPython(migrations.RunPython.noop, reinstall_triggers, elidable=False),
        migrations.RemoveConstraint(
            model_name="auditevent",
            name="audit_auditevent_type_valid",
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="event_type",
            field=models.CharField(db_index=True, max_length=32, verbose_name="Event"),
        ),
        migrations.RunPython(reinstall_triggers, migrations.RunPython.noop, elidable=False),
    ]
