from django.db import migrations, models


class Migration(migrations.Migration):
    """The language of the notices sent to an applicant (Ukrainian unless asked otherwise)."""

    dependencies = [
        ("appeals", "0006_extension_decider"),
    ]

    operations = [
        migrations.AddField(
            model_name="applicant",
            name="language",
            field=models.CharField(choices=[("uk", "Ukrainian"), ("en", "English")], default="uk",
                                   max_length=8, verbose_name="language of notices"),
        ),
    ]
