"""Events may be written unsealed and chained later by the sealer (ADR 0027).

`seq`, `prev_hash` and `hash` may be null until the event is sealed; a partial index lists the
unsealed ones. On PostgreSQL the append-only trigger lets exactly one UPDATE through: the seal,
which fills those three columns of an unsealed event and changes nothing else. Every other UPDATE,
and every DELETE, is refused as before.

Cost on a large trail: dropping NOT NULL is a catalogue change; the partial index reads the table
once (an index of the unsealed rows only, near-empty).
"""

from django.db import migrations, models

FUNCTION = "audit_auditevent_append_only"

CONTENT = ("id", "occurred_at", "actor_id", "actor_username", "actor_role", "action",
           "object_type", "object_id", "object_label", "before", "after")

SEALING = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.hash IS NULL AND OLD.seq IS NULL AND OLD.prev_hash IS NULL
       AND NEW.hash IS NOT NULL AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL
       AND ({", ".join("NEW." + c for c in CONTENT)})
           IS NOT DISTINCT FROM ({", ".join("OLD." + c for c in CONTENT)}) THEN
        RETURN NEW;  -- the seal: an unsealed event gets its place in the chain, once
    END IF;
    RAISE EXCEPTION 'audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

APPEND_ONLY = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def _run(schema_editor, sql):
    # A cursor without parameters: the "%" of RAISE's format must reach PostgreSQL as it is.
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def allow_sealing(apps, schema_editor):
    _run(schema_editor, SEALING)


def refuse_all(apps, schema_editor):
    _run(schema_editor, APPEND_ONLY)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_audit_filter_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='seq',
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True, verbose_name='sequence'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('hash__isnull', True)), fields=['id'], name='audit_unsealed_idx'),
        ),
        migrations.RunPython(allow_sealing, refuse_all, elidable=False),
    ]
