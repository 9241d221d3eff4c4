from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "vikno.portal"
    label = "portal"
    verbose_name = "Portal"
