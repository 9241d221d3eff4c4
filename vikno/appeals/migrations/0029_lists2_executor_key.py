"""Appeal.executor_key (the queue's sort by executor, ADR lists): the field, filled set-based
(one UPDATE … FROM on PostgreSQL; the same subquery per row on SQLite), then its indexes; and the
covering indexes of an executor's queue."""

from django.conf import settings
from django.db import migrations, models

import vikno.core.indexes


# The first main executor (by assignment) still or last at work on each appeal, by name
# (lifecycle.SHOWN_ASSIGNMENT_STATUSES).
SHOWN = ("assigned", "in_work", "answered", "for_revision", "closed")

FILL_POSTGRESQL = f"""
UPDATE appeals_appeal AS a SET executor_key = first.name
FROM (SELECT DISTINCT ON (q.appeal_id) q.appeal_id, au.name
      FROM appeals_assignment s
      JOIN appeals_question q ON q.id = s.question_id
      JOIN directory_authority au ON au.id = s.authority_id
      WHERE s.role = 'main' AND s.status IN ({", ".join(f"'{v}'" for v in SHOWN)})
      ORDER BY q.appeal_id, s.id) AS first
WHERE a.id = first.appeal_id
"""


# From this many appeals on, the GIN indexes (the search's) are dropped for the fill and built
# again after it: each rewritten row would otherwise enter every one of them, the dearest part
# of the fill (about 1.5 ms a row; a million appeals would take some 25 minutes).
REBUILD_GIN_FROM = 50_000


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM appeals_appeal")
            gin: list[tuple[str, str]] = []
            if cursor.fetchone()[0] >= REBUILD_GIN_FROM:
                cursor.execute("SELECT indexname, indexdef FROM pg_indexes "
                               "WHERE tablename = 'appeals_appeal' AND indexdef LIKE '%USING gin%'")
                gin = cursor.fetchall()
            for name, _definition in gin:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute(FILL_POSTGRESQL)
            for _name, definition in gin:
                cursor.execute(definition)
        return
    Appeal = apps.get_model("appeals", "Appeal")
    Assignment = apps.get_model("appeals", "Assignment")
    Appeal.objects.update(executor_key=models.Subquery(
        Assignment.objects.filter(question__appeal=models.OuterRef("pk"), role="main",
                                  status__in=SHOWN)
        .order_by("id").values("authority__name")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0028_search2_vocabulary'),
        ('directory', '0005_replytemplate'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='appeal',
            name='executor_key',
            field=models.CharField(blank=True, editable=False, max_length=300, null=True, verbose_name='main executor (sort key)'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='appeal',
            index=models.Index(fields=['executor_key', 'id'], condition=models.Q(('status__in', ['answered', 'assigned', 'awaiting_confirmation', 'in_work', 'registered', 'returned_for_revision'])), name='appeal_open_executor'),
        ),
        migrations.AddIndex(
            model_name='appeal',
            index=vikno.core.indexes.NullsLastIndex(models.OrderBy(models.F('executor_key'), descending=True, nulls_last=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('status__in', ['answered', 'assigned', 'awaiting_confirmation', 'in_work', 'registered', 'returned_for_revision'])), name='appeal_open_executor_desc'),
        ),
        # An executor's queue (access.appeals_visible_to) from indexes alone.
        migrations.AddIndex(
            model_name='appeal',
            index=models.Index(condition=models.Q(('status__in', ['answered', 'assigned', 'awaiting_confirmation', 'in_work', 'registered', 'returned_for_revision'])), fields=['id'], include=('priority', 'due_date', 'received_at'), name='appeal_open_id'),
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(fields=['authority', 'status'], include=('question',), name='assignment_authority_status'),
        ),
        migrations.AddIndex(
            model_name='question',
            index=models.Index(fields=['id'], include=('appeal',), name='question_id_appeal'),
        ),
    ]
