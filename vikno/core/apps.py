from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vikno.core"
    label = "core"

    def ready(self) -> None:
        from vikno.core import search  # noqa: F401  (registers the SQLite fold function)
