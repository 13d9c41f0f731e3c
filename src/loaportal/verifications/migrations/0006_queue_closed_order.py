from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("verifications", "0005_updated_at"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="verificationrequest",
            index=models.Index(
                models.F("institution"),
                models.F("due_at").desc(),
                models.F("id").desc(),
                condition=models.Q(
                    status__in=["verified_matched", "not_verified_no_match", "not_verified_cancelled"]
                ),
                name="verif_request_decided",
            ),
        ),
        migrations.AddIndex(
            model_name="verificationrequest",
            index=models.Index(
                models.F("status"),
                models.F("requested_at").desc(),
                models.F("id").desc(),
                name="verif_request_status_req",
            ),
        ),
    ]
