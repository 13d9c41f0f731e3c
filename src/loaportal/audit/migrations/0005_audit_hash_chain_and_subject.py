"""Chain the audit trail with an HMAC (tamper evidence) and give each entry its subject.

Existing entries are given their subject (from the keys ``details`` has carried so far) and
their place in the chain, in the order they were written; for that one pass the append-only
triggers are lifted, then installed again (adding a unique column rebuilds the table on SQLite,
which drops them anyway). See loaportal.audit.chain.
"""

from django.conf import settings
from django.db import migrations, models

SUBJECT_FROM_DETAILS = {
    "invitation": "invitations.invitation",
    "request": "institutions.userchangerequest",
}


def chain_existing_entries(apps, schema_editor):
    from loaportal.audit.chain import GENESIS, HEAD_ID, entry_hash
    from loaportal.audit.triggers import triggers_install, triggers_remove

    connection = schema_editor.connection
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    if connection.vendor == "postgresql":
        # ALTER TABLE (the triggers) is refused while deferred constraint checks are pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    triggers_remove(connection)
    previous, seq = GENESIS, 0
    for event in AuditEvent.objects.using(connection.alias).order_by("id").iterator():
        details = event.details if isinstance(event.details, dict) else {}
        for key, subject_type in SUBJECT_FROM_DETAILS.items():
            if details.get(key) is not None:
                event.subject_type, event.subject_id = subject_type, str(details[key])
                break
        else:
            if event.event_type == "institution_created" and event.institution_id:
                event.subject_type = "institutions.institution"
                event.subject_id = str(event.institution_id)
            elif event.target_user_id:
                event.subject_type = "accounts.user"
                event.subject_id = str(event.target_user_id)
        seq += 1
        event.seq = seq
        event.chain_hash = entry_hash(event, previous)
        previous = event.chain_hash
        event.save(update_fields=["subject_type", "subject_id", "seq", "chain_hash"])
    AuditChainHead.objects.using(connection.alias).update_or_create(
        pk=HEAD_ID, defaults={"seq": seq, "chain_hash": previous}
    )
    triggers_install(connection)


def reinstall_triggers(apps, schema_editor):
    from loaportal.audit.triggers import triggers_install

    triggers_install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_open_event_kinds"),
        ("institutions", "0003_membership_verbose_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Unapplying runs backwards: this then runs last, after SQLite's rebuilds.
        migrations.RunPython(migrations.RunPython.noop, reinstall_triggers, elidable=False),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.PositiveBigIntegerField(default=0)),
                ("chain_hash", models.CharField(max_length=64)),
            ],
            options={
                "verbose_name": "audit chain head",
                "verbose_name_plural": "audit chain head",
            },
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain_hash",
            field=models.CharField(blank=True, max_length=64, verbose_name="Chain hash"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(
                blank=True, null=True, unique=True, verbose_name="Position"
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="subject_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="Subject"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="subject_type",
            field=models.CharField(blank=True, max_length=64, verbose_name="Subject kind"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["subject_type", "subject_id"], name="audit_event_subject_idx"
            ),
        ),
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop, elidable=False),
    ]
