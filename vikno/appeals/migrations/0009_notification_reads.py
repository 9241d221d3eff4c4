"""Each reader marks a notification read for itself. A notification read before this change is
kept read for every account (who read it was not recorded): nobody sees old news come back."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import vikno.core.clock


def to_reads(apps, schema_editor):
    notification_model = apps.get_model("appeals", "Notification")
    read_model = apps.get_model("appeals", "NotificationRead")
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    users = list(user_model.objects.values_list("pk", flat=True))
    for pk, user_id, read_at in notification_model.objects.filter(read_at__isnull=False).values_list(
            "pk", "user_id", "read_at").iterator():
        readers = [user_id] if user_id else users
        read_model.objects.bulk_create(
            [read_model(notification_id=pk, user_id=u, read_at=read_at) for u in readers],
            ignore_conflicts=True)


def to_read_at(apps, schema_editor):
    notification_model = apps.get_model("appeals", "Notification")
    read_model = apps.get_model("appeals", "NotificationRead")
    for pk, read_at in read_model.objects.values_list("notification_id", "read_at"):
        notification_model.objects.filter(pk=pk, read_at__isnull=True).update(read_at=read_at)


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0008_texts_as_kinds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="NotificationRead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("read_at", models.DateTimeField(default=vikno.core.clock.now)),
                ("notification", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="reads",
                    to="appeals.notification")),
                ("user", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="+",
                    to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("notification", "user"),
                                                        name="notification_read_once")],
            },
        ),
        migrations.RunPython(to_reads, to_read_at),
        migrations.RemoveField(model_name="notification", name="read_at"),
    ]
