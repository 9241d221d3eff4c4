from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("directory", "0002_working_calendar"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership", name="is_head",
            field=models.BooleanField(default=False, verbose_name="head or deputy head of the body"),
        ),
        migrations.AddField(
            model_name="membership", name="position",
            field=models.CharField(blank=True, max_length=200, verbose_name="position"),
        ),
    ]
