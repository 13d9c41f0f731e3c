"""Create the database cache table used for rate limits when no Redis is configured.

Rate limits must be shared by every process (web server and worker), so the embedded default
keeps them in the database instead of process memory.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
