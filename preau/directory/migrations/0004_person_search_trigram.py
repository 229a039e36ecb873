"""A trigram index on people's folded names (PostgreSQL only): the pickers' "part of a name"
search (`search_name LIKE '%…%'`) finds its rows without walking every name of the tenant.
SQLite has no such index and keeps its plain scan."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS directory_person_search_trgm "
        "ON directory_person USING gin (search_name gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS directory_person_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_fold_ligatures")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
