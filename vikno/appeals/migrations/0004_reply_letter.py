from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("appeals", "0003_reply_results"),
    ]

    operations = [
        migrations.AddField(
            model_name="reply", name="outgoing_number",
            field=models.CharField(blank=True, max_length=64, verbose_name="outgoing number"),
        ),
        migrations.AddField(
            model_name="reply", name="outgoing_date",
            field=models.DateField(blank=True, null=True, verbose_name="outgoing date"),
        ),
        migrations.AddField(
            model_name="reply", name="signatory_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="signed by"),
        ),
        migrations.AddField(
            model_name="reply", name="signatory_position",
            field=models.CharField(blank=True, max_length=200, verbose_name="signatory's position"),
        ),
        migrations.AddField(
            model_name="reply", name="refusal_reasons",
            field=models.TextField(blank=True, verbose_name="reasons for the refusal"),
        ),
        migrations.AddField(
            model_name="reply", name="legal_basis",
            field=models.TextField(blank=True, verbose_name="legal basis"),
        ),
        migrations.AddField(
            model_name="reply", name="appeal_procedure",
            field=models.TextField(blank=True, verbose_name="how to appeal the decision"),
        ),
    ]
