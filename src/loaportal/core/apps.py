from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "loaportal.core"
    label = "core"
    verbose_name = "LOA Portal"

    def ready(self) -> None:
        from loaportal.core import checks  # noqa: F401 (registers the system checks)
