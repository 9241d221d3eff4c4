from django.db import models
from django.utils.translation import gettext_lazy as _

from vikno.core import clock


class TimeStampedModel(models.Model):
    """Base for every domain row: when it was created and last changed, from the one clock."""

    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)

    class Meta:
        abstract = True
