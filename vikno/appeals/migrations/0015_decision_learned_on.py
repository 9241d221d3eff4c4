"""ст.17: the day the applicant learned of the contested decision (a month's term runs from it)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0014_electronic_is_a_letter'),
    ]

    operations = [
        migrations.AddField(
            model_name='appeal',
            name='decision_learned_on',
            field=models.DateField(blank=True, null=True, verbose_name='date the applicant learned of the decision'),
        ),
    ]
