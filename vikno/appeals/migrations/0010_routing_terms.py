"""ст.7: the 5-day routing terms. Appeals registered before get the term from their receipt,
ended by their first routing, forwarding or ст.5/ст.8 decision in the history; a late one is
already counted as told (no flood of old news at the first deadline control)."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

ENDING = ("assign", "forward", "not_considered", "return_missing_content")


def to_terms(apps, schema_editor):
    from vikno.directory import deadlines

    appeal_model = apps.get_model("appeals", "Appeal")
    transition_model = apps.get_model("appeals", "Transition")
    term_model = apps.get_model("appeals", "RoutingTerm")
    first: dict[int, tuple] = {}
    for appeal_id, action, at in (transition_model.objects.filter(action__in=ENDING)
                                  .order_by("-at", "-id").values_list("appeal_id", "action", "at")
                                  .iterator()):
        first[appeal_id] = (action, at)
    now = timezone.now()
    terms = []
    for pk, received_at in appeal_model.objects.values_list("pk", "received_at").iterator():
        start = timezone.localdate(received_at)
        due = deadlines.forwarding_due(start)
        action, at = first.get(pk, ("", None))
        done = timezone.localdate(at) if at else None
        late = done is not None and done > due and action in ("assign", "forward")
        terms.append(term_model(appeal_id=pk, start_date=start, due_date=due, done_date=done,
                                done_action=action, escalated_at=now if late else None))
    term_model.objects.bulk_create(terms, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0009_notification_reads"),
    ]

    operations = [
        migrations.CreateModel(
            name="RoutingTerm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("start_date", models.DateField(verbose_name="term began")),
                ("due_date", models.DateField(db_index=True, verbose_name="route or forward by")),
                ("done_date", models.DateField(blank=True, null=True, verbose_name="step taken")),
                ("done_action", models.CharField(blank=True, max_length=40)),
                ("escalated_at", models.DateTimeField(blank=True, null=True)),
                ("appeal", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="routing_terms",
                    to="appeals.appeal")),
            ],
            options={
                "ordering": ["start_date", "id"],
                "constraints": [models.UniqueConstraint(
                    condition=models.Q(("done_date__isnull", True)), fields=("appeal",),
                    name="routing_term_one_open")],
            },
        ),
        migrations.RunPython(to_terms, migrations.RunPython.noop),
    ]
