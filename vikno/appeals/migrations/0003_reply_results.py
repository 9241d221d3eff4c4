"""Results of consideration per ст.15 and the reporting form; old rows keep their stored values,
except the undefined "cancelled", which becomes "other"."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    apps.get_model("appeals", "Reply").objects.filter(result="cancelled").update(result="other")


def backwards(apps, schema_editor):
    # Results the old list did not have fall back to its nearest value.
    Reply = apps.get_model("appeals", "Reply")
    Reply.objects.filter(result="other").update(result="cancelled")
    Reply.objects.filter(result__in=["refused", "forwarded", "returned_to_author",
                                     "not_considered"]).update(result="explained")


class Migration(migrations.Migration):

    dependencies = [
        ("appeals", "0002_applicant_first_name_label"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reply",
            name="result",
            field=models.CharField(
                choices=[
                    ("done", "Resolved positively (satisfied)"), ("refused", "Refused"),
                    ("explained", "Explained"), ("forwarded", "Forwarded to the competent body"),
                    ("returned_to_author", "Returned to the author (ст.5)"),
                    ("not_considered", "Not subject to consideration (ст.8)"), ("other", "Other"),
                    ("not_in_competence", "Not in competence: back to the centre"),
                    ("impossible_now", "Impossible now / needs funding"),
                ],
                max_length=20, verbose_name="result",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
