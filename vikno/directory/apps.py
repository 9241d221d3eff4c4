from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "vikno.directory"
    label = "directory"
    verbose_name = _("Directory and classifier")

    def ready(self) -> None:
        # An edited holiday or martial-law period must count in the very next term computed.
        from vikno.directory.models import Holiday, MartialLawPeriod
        from vikno.directory.selectors import forget_working_calendar

        for model in (Holiday, MartialLawPeriod):
            post_save.connect(forget_working_calendar, sender=model,
                              dispatch_uid=f"calendar-{model.__name__}")
            post_delete.connect(forget_working_calendar, sender=model,
                                dispatch_uid=f"calendar-del-{model.__name__}")
        # Registration keeps sub-topics, territories, Classifier codes and routing rules per
        # process (refcache): an edit of any of them must route the very next appeal.
        from vikno.directory import refcache
        from vikno.directory.models import (
            Authority,
            ClassifierItem,
            ClassifierVersion,
            RoutingRule,
            SubTopic,
            Territory,
            Topic,
        )

        for reference in (Authority, ClassifierItem, ClassifierVersion, RoutingRule, SubTopic,
                          Territory, Topic):
            post_save.connect(refcache.forget, sender=reference,
                              dispatch_uid=f"refcache-{reference.__name__}")
            post_delete.connect(refcache.forget, sender=reference,
                                dispatch_uid=f"refcache-del-{reference.__name__}")
