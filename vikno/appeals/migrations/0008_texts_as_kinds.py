"""Notices, notifications and history notes keep a message kind and its parameters instead of a
text frozen in the actor's language. Rows written before keep their text as the `legacy`
parameter, shown as is."""

from django.db import migrations, models
from django.utils import translation

TEXT_FIELDS = (("Notice", "text"), ("Notification", "text"), ("Transition", "note"))


def to_kinds(apps, schema_editor):
    for model_name, field in TEXT_FIELDS:
        model = apps.get_model("appeals", model_name)
        rows = list(model.objects.exclude(**{field: ""}).only("pk", field))
        for row in rows:
            row.message = "legacy"
            row.params = {"legacy": getattr(row, field)}
        model.objects.bulk_update(rows, ["message", "params"], batch_size=500)


def to_texts(apps, schema_editor):
    from vikno.appeals.messages import render

    with translation.override("uk"):
        for model_name, field in TEXT_FIELDS:
            model = apps.get_model("appeals", model_name)
            rows = list(model.objects.exclude(message="").only("pk", "message", "params"))
            for row in rows:
                setattr(row, field, render(row.message, row.params or {})[:500])
            model.objects.bulk_update(rows, [field], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0007_applicant_language"),
    ]

    operations = [
        *[
            op
            for model_name in ("notice", "notification", "transition")
            for op in (
                migrations.AddField(
                    model_name=model_name, name="message",
                    field=models.CharField(max_length=60, blank=model_name == "transition",
                                           default=""),
                    preserve_default=False,
                ),
                migrations.AddField(
                    model_name=model_name, name="params",
                    field=models.JSONField(blank=True, default=dict),
                ),
            )
        ],
        migrations.RunPython(to_kinds, to_texts),
        # A default, so that reversing can add the columns back to rows that exist.
        migrations.AlterField(model_name="notice", name="text",
                              field=models.TextField(blank=True, default="")),
        migrations.AlterField(model_name="notification", name="text",
                              field=models.CharField(blank=True, default="", max_length=500)),
        migrations.AlterField(model_name="transition", name="note",
                              field=models.TextField(blank=True, default="")),
        migrations.RemoveField(model_name="notice", name="text"),
        migrations.RemoveField(model_name="notification", name="text"),
        migrations.RemoveField(model_name="transition", name="note"),
    ]
