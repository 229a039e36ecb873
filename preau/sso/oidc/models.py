"""A tenant's registration of an OpenID Connect client.

django-oauth-toolkit's `Application` holds the protocol side (client id, hashed secret,
redirect URIs, client type); it knows nothing of tenants. `OidcClient` is the tenant-owned
row beside it: one-to-one, and the validator refuses any application without one, of another
tenant, or disabled.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application

from preau.core.models import TenantModel


class OidcClient(TenantModel):
    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="oidc_client"
    )
    description = models.TextField(_("description"), blank=True)
    # A first-party client (the territory's own mobile app, portal widgets) skips the consent
    # screen; a third-party one asks each person once.
    is_first_party = models.BooleanField(_("first-party client"), default=False)
    scopes = models.JSONField(_("allowed scopes"), default=list, blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    secret_rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("OpenID Connect client")
        indexes = [models.Index(fields=["tenant", "id"])]

    def __str__(self) -> str:
        return self.application.name if self.application_id else ""

    @property
    def name(self) -> str:
        return self.application.name

    @property
    def client_id(self) -> str:
        return self.application.client_id

    @property
    def is_confidential(self) -> bool:
        return self.application.client_type == Application.CLIENT_CONFIDENTIAL

    @property
    def redirect_uris(self) -> list[str]:
        return self.application.redirect_uris.split()
