"""An appeal not considered at registration (ст.8) has no term: the control dates may be empty."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("appeals", "0010_routing_terms"),
    ]

    operations = [
        migrations.AlterField(
            model_name='appeal',
            name='due_date',
            field=models.DateField(blank=True, db_index=True, null=True, verbose_name='control date'),
        ),
        migrations.AlterField(
            model_name='appeal',
            name='max_due_date',
            field=models.DateField(blank=True, null=True, verbose_name='latest possible date'),
        ),
        migrations.AlterField(
            model_name='question',
            name='due_date',
            field=models.DateField(blank=True, null=True, verbose_name='control date'),
        ),
    ]
