from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Fournisseurs"

    def ready(self) -> None:
        from anymail.signals import tracking
        from django.db.models.signals import post_delete, post_save

        from . import checks, registry
        from .email import handle_tracking_event
        from .models import ProviderSetting

        checks.register()
        tracking.connect(handle_tracking_event, dispatch_uid="providers.tracking")

        def forget_configuration(**kwargs) -> None:
            registry.invalidate_config_cache()

        post_save.connect(
            forget_configuration,
            sender=ProviderSetting,
            weak=False,
            dispatch_uid="providers.config.save",
        )
        post_delete.connect(
            forget_configuration,
            sender=ProviderSetting,
            weak=False,
            dispatch_uid="providers.config.delete",
        )
