"""Appeal.next_due: the earliest control date of a question still owed (per-question control),
filled from the questions and their main assignments, then indexed for the overdue queue.

At a million appeals the fill is one UPDATE … FROM an aggregate on PostgreSQL (seconds); the
partial index covers the appeals under control only."""

from django.conf import settings
from django.db import migrations, models

ANSWERED = ("answered", "closed")

FILL_SQL = """
UPDATE appeals_appeal AS a SET next_due = owed.due
FROM (SELECT q.appeal_id, min(q.due_date) AS due FROM appeals_question q
      WHERE q.due_date IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM appeals_assignment s
          WHERE s.question_id = q.id AND s.role = 'main' AND s.status = ANY(%s))
      GROUP BY q.appeal_id) AS owed
WHERE a.id = owed.appeal_id
"""


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL_SQL, [list(ANSWERED)])
        return
    Appeal = apps.get_model("appeals", "Appeal")
    Question = apps.get_model("appeals", "Question")
    Assignment = apps.get_model("appeals", "Assignment")
    answered = Assignment.objects.filter(question=models.OuterRef("pk"), role="main",
                                         status__in=ANSWERED)
    owed = (Question.objects.filter(appeal=models.OuterRef("pk"), due_date__isnull=False)
            .exclude(models.Exists(answered)))
    Appeal.objects.filter(models.Exists(owed)).update(next_due=models.Subquery(
        owed.order_by("due_date").values("due_date")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0024_intake_provisional_seq'),
        ('directory', '0005_replytemplate'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='appeal',
            name='next_due',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='nearest owed control date'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='appeal',
            index=models.Index(condition=models.Q(('status__in', ['assigned', 'in_work', 'registered', 'returned_for_revision'])), fields=['-priority', 'due_date', '-received_at', '-id', 'next_due'], name='appeal_overdue_work_order'),
        ),
        migrations.AddIndex(
            model_name='appeal',
            index=models.Index(condition=models.Q(('status__in', ['answered', 'assigned', 'awaiting_confirmation', 'in_work', 'registered', 'returned_for_revision'])), fields=['channel', 'id'], name='appeal_open_channel'),
        ),
    ]
