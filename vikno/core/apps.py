from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vikno.core"
    label = "core"
