"""The question's appeal kept on each assignment, and the index an executor's appeals are read
from: (authority, status) with the question and the appeal (access.appeals_visible_to, ADR lists).

The existing rows get their appeal in one UPDATE (at a million assignments, seconds, not a loop);
backwards, the column and the index's appeal go again."""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE appeals_assignment s SET appeal_id = q.appeal_id "
                "FROM appeals_question q WHERE q.id = s.question_id")
            # The new key's checks are deferred: run them now, so that the column can be made
            # NOT NULL in this transaction ("pending trigger events" otherwise).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute(
                "UPDATE appeals_assignment SET appeal_id = (SELECT q.appeal_id FROM appeals_question q "
                "WHERE q.id = appeals_assignment.question_id)")


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0033_portal_tracking_code"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="assignment", name="assignment_authority_status"),
        migrations.AddField(
            model_name="assignment",
            name="appeal",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="appeals.appeal", db_index=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="assignment",
            name="appeal",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="appeals.appeal", db_index=False),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(fields=["authority", "status"], include=["question", "appeal"],
                               name="assignment_authority_status"),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(fields=["appeal", "authority", "status"],
                               name="assignment_appeal_authority"),
        ),
    ]
