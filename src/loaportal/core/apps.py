from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "loaportal.core"
    label = "core"
    verbose_name = "LOA Portal"
