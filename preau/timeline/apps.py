from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimelineConfig(AppConfig):
    name = "preau.timeline"
    label = "timeline"
    verbose_name = _("Timeline")

    def ready(self) -> None:
        from preau.core.notify import DELIVERERS
        from preau.timeline.tasks import queue_delivery

        if queue_delivery not in DELIVERERS:
            DELIVERERS.append(queue_delivery)
