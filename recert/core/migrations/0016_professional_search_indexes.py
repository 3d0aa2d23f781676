"""Indexes for the staff search at 100,000 professionals (issue 12), on PostgreSQL only:
trigram (pg_trgm, GIN) on the upper-cased name, which serves the search's
`full_name__icontains` (UPPER(full_name::text) LIKE UPPER('%word%')); the upper-cased
e-mail and member id for their `iexact` look-ups; (full_name, id) for the keyset pages.
SQLite (the embedded default) gets nothing: its searches are small."""

from django.db import migrations

INDEXES = [
    ("core_prof_name_trgm", "core_professional",
     "USING gin (UPPER((full_name)::text) gin_trgm_ops)"),
    ("core_prof_email_upper", "core_professional", "(UPPER((email)::text))"),
    ("core_prof_name_id", "core_professional", "(full_name, id)"),
    ("core_memberid_upper", "core_memberid", "(UPPER((member_id)::text))"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("core", "0015_policy_values")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
