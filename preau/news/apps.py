from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "preau.news"
    label = "news"
    verbose_name = _("News")

    def ready(self) -> None:
        from preau.directory.retention import ERASERS
        from preau.news.actions import erase_contributions

        if erase_contributions not in ERASERS:
            ERASERS.append(erase_contributions)
