"""On PostgreSQL the database itself refuses UPDATE and DELETE of audit events.

The model and its queryset refuse too, but raw SQL passes them by; the trigger closes that door
for every role except one that may disable triggers (a superuser), and the hash chain makes
even that visible. SQLite has no such guard: the chain alone detects tampering there.
"""

from django.db import migrations

FUNCTION = "audit_auditevent_append_only"
TRIGGER = "audit_auditevent_append_only"

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER IF EXISTS {TRIGGER} ON audit_auditevent;
CREATE TRIGGER {TRIGGER}
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON audit_auditevent;
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def _run(schema_editor, sql):
    # A cursor without parameters: the "%" of RAISE's format must reach PostgreSQL as it is.
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def create_trigger(apps, schema_editor):
    _run(schema_editor, CREATE)


def drop_trigger(apps, schema_editor):
    _run(schema_editor, DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
