"""A request for public information (Law 2939-VI) is registered as its own kind (ADR 13)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0012_appeal_contested_body'),
    ]

    operations = [
        migrations.AlterField(
            model_name='appeal',
            name='kind',
            field=models.CharField(choices=[('3.1', 'Proposal'), ('3.2', 'Application'), ('3.3', 'Complaint'), ('pi', 'Request for public information')], default='3.2', max_length=3, verbose_name='kind'),
        ),
    ]
