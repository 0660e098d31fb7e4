from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "carecircle.indicators"
    verbose_name = _("指标监测")

    def ready(self) -> None:
        from carecircle.indicators import receivers  # noqa: F401
