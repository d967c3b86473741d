from django.apps import AppConfig


class MetaverseConfig(AppConfig):
    name = "metaverse"
    verbose_name = "metaverse"

    def ready(self) -> None:
        from metaverse import checks  # noqa: F401 - registers the deployment checks
