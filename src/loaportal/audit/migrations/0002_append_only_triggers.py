"""Make audit_auditevent append-only below the ORM: triggers reject UPDATE and DELETE (and
TRUNCATE on PostgreSQL). See loaportal.audit.triggers."""

from django.db import migrations


def install(apps, schema_editor):
    from loaportal.audit.triggers import triggers_install

    triggers_install(schema_editor.connection)


def remove(apps, schema_editor):
    from loaportal.audit.triggers import triggers_remove

    triggers_remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
