from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasConfig(AppConfig):
    name = "preau.sso.cas"
    label = "cas"
    verbose_name = _("CAS server")
