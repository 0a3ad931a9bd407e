from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = "Services et équipes"

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the checks)
