"""PostgreSQL-only indexes for the admin's credit-entry search (issue 16): trigram (pg_trgm)
GIN indexes under Django's `icontains` (UPPER(col) LIKE UPPER('%…%')) on the entries' title,
provider and course number (the professionals' name, e-mail and member id have theirs from
0016). Other databases get none."""

from django.db import migrations

TRIGRAM = [
    ("core_creditentry", "creditentry_title_trgm", "title"),
    ("core_creditentry", "creditentry_provider_trgm", "provider"),
    ("core_creditentry", "creditentry_course_number_trgm", "course_number"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, name, column in TRIGRAM:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                              f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, name, _ in TRIGRAM:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("core", "0021_credit_entry_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
