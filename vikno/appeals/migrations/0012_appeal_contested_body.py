"""What registration records for the Law: the body complained of (ст.7 ч.4), the contested
decision's date and a restored term (ст.17), the missing required content (ст.5)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0011_appeal_term_optional'),
        ('directory', '0004_authority_superior'),
    ]

    operations = [
        migrations.AddField(
            model_name='appeal',
            name='contested_authority',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.authority', verbose_name='body complained of'),
        ),
        migrations.AddField(
            model_name='appeal',
            name='contested_decision_on',
            field=models.DateField(blank=True, null=True, verbose_name='date of the contested decision'),
        ),
        migrations.AddField(
            model_name='appeal',
            name='term_restored',
            field=models.BooleanField(default=False, verbose_name='missed term restored'),
        ),
        migrations.AddField(
            model_name='appeal',
            name='missing_content',
            field=models.CharField(blank=True, max_length=300, verbose_name='required content missing'),
        ),
    ]
