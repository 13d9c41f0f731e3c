"""Publish version 1 of the portal's terms and conditions, in French and English."""

from django.db import migrations

from loaportal.terms.initial import VERSION, initial_terms_fields

def publish(apps, schema_editor):
    TermsVersion = apps.get_model("terms", "TermsVersion")
    TermsVersion.objects.get_or_create(version=VERSION, defaults=initial_terms_fields())


class Migration(migrations.Migration):
    dependencies = [("terms", "0001_initial")]
    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
