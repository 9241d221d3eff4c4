"""An electronic appeal is a letter, 6.2, on axis 6 of the Classifier (ADR 9): the official axis has
no 6.4. The channel (web, email, api, open311) keeps the fact that it came electronically, so the
reverse step can restore 6.4 exactly for those rows."""

from django.db import migrations, models

ELECTRONIC_CHANNELS = ("web", "email", "api", "open311")


def to_letter(apps, schema_editor):
    Appeal = apps.get_model("appeals", "Appeal")
    Appeal.objects.filter(appeal_type="6.4").update(appeal_type="6.2")


def back_to_electronic(apps, schema_editor):
    Appeal = apps.get_model("appeals", "Appeal")
    Appeal.objects.filter(appeal_type="6.2", channel__in=ELECTRONIC_CHANNELS).update(
        appeal_type="6.4")


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0013_public_information_kind'),
    ]

    operations = [
        migrations.RunPython(to_letter, back_to_electronic),
        migrations.AlterField(
            model_name='appeal',
            name='appeal_type',
            field=models.CharField(choices=[('6.1', 'Telegram'), ('6.2', 'Letter'), ('6.3', 'Oral')], default='6.3', max_length=3, verbose_name='type'),
        ),
    ]
