"""The rulebook: the Classifier of appeals, territories (KATOTTG), authorities, routing rules.

All of it is reference data loaded from versioned files (see `manage.py load_reference`).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ClassifierVersion(models.Model):
    """An edition of the Classifier of appeals (Cabinet Resolution No. 858) with its validity."""

    code = models.CharField(_("version"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    source = models.CharField(_("source"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("classifier version")
        verbose_name_plural = _("classifier versions")

    def __str__(self) -> str:
        return self.code

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class Holiday(models.Model):
    """A public holiday (Labour Code ст.73) on its date; Easter and Trinity move, so every year is
    listed. Whether it is a day off on that date depends on martial law (`MartialLawPeriod`)."""

    day = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y} {self.name}"


class MartialLawPeriod(models.Model):
    """A period in which public holidays are working days and no day off is moved (Law No. 2136-IX
    ст.6 ч.6). `valid_to` is empty while martial law lasts."""

    valid_from = models.DateField(_("from"), unique=True)
    valid_to = models.DateField(_("to (inclusive)"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("martial-law period")
        verbose_name_plural = _("martial-law periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="martial_law_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        end = f"{self.valid_to:%d.%m.%Y}" if self.valid_to else "…"
        return f"{self.valid_from:%d.%m.%Y} – {end}"

    def clean(self) -> None:
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError(_("The period cannot end before it starts."))


class Axis(models.IntegerChoices):
    FORM = 1, _("Form of receipt")
    SIGN = 2, _("Sign of receipt")
    KIND = 3, _("Kind of appeal")
    SEX = 4, _("Sex of the author")
    SUBJECT = 5, _("Subject of the appeal")
    TYPE = 6, _("Type of appeal")
    CATEGORY = 7, _("Category of the author")
    SOCIAL_STATUS = 8, _("Social status of the author")


class ClassifierItem(models.Model):
    """A code on one of the Part I axes (form of receipt, kind, category of the author, …)."""

    version = models.ForeignKey(ClassifierVersion, on_delete=models.PROTECT, related_name="items")
    axis = models.PositiveSmallIntegerField(_("axis"), choices=Axis.choices)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    # Category of the author with statutory privileges (ст.20): served first.
    is_privileged = models.BooleanField(_("served first"), default=False)
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["axis", "sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "axis", "code"], name="classifier_item_unique"),
        ]
        verbose_name = _("classifier code")
        verbose_name_plural = _("classifier codes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Topic(models.Model):
    """A Part II topic (001–024); the statutory reports count by it."""

    version = models.ForeignKey(ClassifierVersion, on_delete=models.PROTECT, related_name="topics")
    code = models.CharField(_("code"), max_length=3)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="topic_unique_per_version"),
        ]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SubTopic(models.Model):
    """A fine topic operators pick (e.g. "no hot water"); maps to exactly one Part II topic."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="subtopics")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=300)
    # Whether an appeal on this sub-topic normally needs additional study (1 month, not 15 days).
    needs_study = models.BooleanField(_("needs additional study"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["topic__code", "sort", "name"]
        verbose_name = _("sub-topic")
        verbose_name_plural = _("sub-topics")

    def __str__(self) -> str:
        return self.name


class TerritoryLevel(models.IntegerChoices):
    OBLAST = 1, _("Oblast")
    RAION = 2, _("Raion")
    HROMADA = 3, _("Hromada")
    SETTLEMENT = 4, _("Settlement")


class Territory(models.Model):
    """A unit of the KATOTTG codifier. `path` lists the codes from the oblast down, for subtree queries."""

    code = models.CharField(_("KATOTTG code"), max_length=19, primary_key=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=TerritoryLevel.choices)
    category = models.CharField(_("category"), max_length=1)
    category_name = models.CharField(_("category name"), max_length=60, blank=True)
    name = models.CharField(_("name"), max_length=120)
    full_name = models.CharField(_("full name"), max_length=250)
    path = models.CharField(max_length=80, db_index=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self) -> str:
        return self.full_name

    def ancestor_codes(self) -> list[str]:
        """Codes from the oblast down to this unit itself."""
        return self.path.split("/")


class Delivery(models.TextChoices):
    IN_SYSTEM = "in_system", _("In Vikno (the executor works here)")
    EMAIL = "email", _("By e-mail")
    GCC = "gcc", _("Government Contact Centre")


class Authority(models.Model):
    """A body that executes appeals: the oblast administration and its departments, raion
    administrations, hromada councils, the Government hotline."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("type"), max_length=60)
    level = models.CharField(_("level"), max_length=20)
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, null=True, blank=True, related_name="authorities",
        verbose_name=_("jurisdiction"),
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="units"
    )
    # ст.16 of the Law on citizens' appeals: where a complaint about this body goes, in the order
    # of subordination (ADR 12). Empty: no body of the region is above it.
    superior = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="subordinates",
        verbose_name=_("superior body"),
    )
    delivery = models.CharField(
        _("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.IN_SYSTEM
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=120, blank=True)
    hotline = models.CharField(_("hotline"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    working_hours = models.TextField(_("working hours"), blank=True)
    reception_note = models.TextField(_("reception of citizens"), blank=True)
    source_url = models.TextField(_("source"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")

    def __str__(self) -> str:
        return self.name


class TargetLevel(models.TextChoices):
    """A routing rule may name "the council of the appeal's hromada" instead of one authority."""

    HROMADA = "hromada", _("Council of the appeal's hromada")
    RAION = "raion", _("Administration of the appeal's raion")
    OBLAST = "oblast", _("Oblast administration")


class RoutingRule(models.Model):
    """(sub-topic or topic, territory) → authority. The most specific matching rule wins:
    a sub-topic beats a topic beats any topic; a deeper territory beats a wider one."""

    subtopic = models.ForeignKey(
        SubTopic, on_delete=models.CASCADE, null=True, blank=True, related_name="routing_rules"
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="routing_rules"
    )
    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, null=True, blank=True, related_name="routing_rules"
    )
    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, null=True, blank=True, related_name="routing_rules"
    )
    target_level = models.CharField(
        _("target by jurisdiction"), max_length=10, choices=TargetLevel.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.CheckConstraint(
                condition=(Q(authority__isnull=False) & Q(target_level=""))
                | (Q(authority__isnull=True) & ~Q(target_level="")),
                name="routing_rule_one_target",
            ),
        ]

    def __str__(self) -> str:
        what = self.subtopic or self.topic or "*"
        where = self.territory.name if self.territory else "*"
        target = self.authority or self.get_target_level_display()
        return f"{what} @ {where} → {target}"

    def clean(self) -> None:
        if bool(self.authority_id) == bool(self.target_level):
            raise ValidationError(_("A rule names either one authority or a jurisdiction level."))


class Membership(models.Model):
    """Binds an executor's account to the authority whose assignments it works on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="members")
    # ст.20: only the head of the body (or a deputy) extends the term of consideration; such an
    # account may decide its own body's extension requests in the workspace.
    is_head = models.BooleanField(_("head or deputy head of the body"), default=False)
    position = models.CharField(_("position"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("authority membership")
        verbose_name_plural = _("authority memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.authority}"


class ReplyTemplate(models.Model):
    """A reply text the centre keeps for frequent answers; the answer forms offer it, those of
    the question's sub-topic and topic first. Kept by supervisors (directory.services)."""

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("topic"))
    subtopic = models.ForeignKey(SubTopic, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("sub-topic"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return self.title
