from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "vikno.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from vikno.accounts import signals

        user_logged_in.connect(signals.record_login, dispatch_uid=signals.LOGIN_DISPATCH_UID)
        user_login_failed.connect(signals.record_login_failed,
                                  dispatch_uid=signals.LOGIN_FAILED_DISPATCH_UID)

