from django.db import models
from django.utils.translation import gettext_lazy as _

from vikno.core import clock


class TimeStampedModel(models.Model):
    """Base for every domain row: when it was created and last changed, from the one clock."""

    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)

    class Meta:
        abstract = True


class IdempotentResponse(models.Model):
    """The first response to a partner's POST sent with an `Idempotency-Key` header: a retry with
    the same key gets it again, and nothing is done twice (vikno.core.idempotency).

    `owner` is the API key's id (no foreign key: the kernel sits below the accounts). `fingerprint`
    is the SHA-256 of the request (method, path, body): the same key with another request is
    refused. The body kept is the response's, which the API keeps free of personal data."""

    owner = models.BigIntegerField()
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"],
                                               name="idempotent_response_owner_key_uniq")]

    def __str__(self) -> str:
        return f"{self.owner}:{self.key}"
