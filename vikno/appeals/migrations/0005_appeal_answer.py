from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("appeals", "0004_reply_letter"),
    ]

    operations = [
        migrations.AddField(
            model_name="appeal", name="answer_number",
            field=models.CharField(blank=True, max_length=64, verbose_name="answer index"),
        ),
        migrations.AddField(
            model_name="appeal", name="answer_date",
            field=models.DateField(blank=True, null=True, verbose_name="answer date"),
        ),
        migrations.AddField(
            model_name="appeal", name="file_number",
            field=models.CharField(blank=True, max_length=64, verbose_name="file number"),
        ),
    ]
