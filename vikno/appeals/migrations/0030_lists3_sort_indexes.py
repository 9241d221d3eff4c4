"""The queue's remaining orders of the open appeals from their own indexes (by priority, by status,
the control date descending with the empty ones last) and the topic filter's test of one appeal
from an index alone (ADR lists). Partial indexes cover the open appeals only (about 5 % of them)."""

from django.db import migrations, models

import vikno.core.indexes

OPEN = ["answered", "assigned", "awaiting_confirmation", "in_work", "registered", "returned_for_revision"]


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0029_lists2_executor_key"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=models.Q(("status__in", OPEN)),
                fields=["priority", "id"],
                name="appeal_open_priority",
            ),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=models.Q(("status__in", OPEN)), fields=["status", "id"], name="appeal_open_status"
            ),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=vikno.core.indexes.NullsLastIndex(
                models.OrderBy(models.F("due_date"), descending=True, nulls_last=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("status__in", OPEN)),
                name="appeal_open_due_desc",
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(fields=["appeal", "subtopic"], name="question_appeal_subtopic"),
        ),
    ]
