from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("appeals", "0005_appeal_answer"),
    ]

    operations = [
        migrations.AddField(
            model_name="extension", name="decider_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="decided by"),
        ),
        migrations.AddField(
            model_name="extension", name="decider_position",
            field=models.CharField(blank=True, max_length=200, verbose_name="position"),
        ),
        migrations.AddField(
            model_name="extension", name="decider_body",
            field=models.CharField(blank=True, max_length=300, verbose_name="body"),
        ),
        migrations.AddField(
            model_name="extension", name="document_number",
            field=models.CharField(blank=True, max_length=64, verbose_name="document number"),
        ),
        migrations.AddField(
            model_name="extension", name="document_date",
            field=models.DateField(blank=True, null=True, verbose_name="document date"),
        ),
    ]
