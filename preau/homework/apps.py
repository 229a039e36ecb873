from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeworkConfig(AppConfig):
    name = "preau.homework"
    label = "homework"
    verbose_name = _("Homework notebook")
