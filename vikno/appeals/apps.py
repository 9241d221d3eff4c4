from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "vikno.appeals"
    label = "appeals"
    verbose_name = _("Appeals")

    def ready(self) -> None:
        # The kept executor keys follow a renamed authority (vikno/appeals/receivers.py).
        from vikno.appeals import receivers
        from vikno.directory.models import Authority

        pre_save.connect(receivers.authority_name_remember, sender=Authority,
                         dispatch_uid="appeals-authority-name-remember")
        post_save.connect(receivers.authority_name_follow, sender=Authority,
                          dispatch_uid="appeals-authority-name-follow")
