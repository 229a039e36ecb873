"""CAS tickets: service, proxy and proxy-granting tickets, one row each.

A ticket is single-use: validating it sets `consumed_at` in one conditional UPDATE, so two
concurrent validations of the same ticket cannot both succeed. Service and proxy tickets stay
after use until their session ends: single logout needs them (the ticket is the SessionIndex
each service knows the session by).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from preau.core.models import TenantModel


class CasTicket(TenantModel):
    class Kind(models.TextChoices):
        SERVICE = "ST", "service ticket"
        PROXY = "PT", "proxy ticket"
        PROXY_GRANTING = "PGT", "proxy-granting ticket"

    kind = models.CharField(max_length=3, choices=Kind.choices)
    ticket = models.CharField(max_length=80, unique=True)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    app = models.ForeignKey("portal.ConnectedApp", on_delete=models.CASCADE, related_name="+")
    # The service address exactly as the ticket was issued for (validation compares it).
    service = models.TextField()
    session_key = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)
    # Issued right after the person typed their credentials (CAS `renew`).
    from_new_login = models.BooleanField(default=False)
    # For a proxy ticket: the proxy-granting ticket it came from; the chain of proxies (pgtUrls).
    granted_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    proxies = models.JSONField(default=list, blank=True)
    # For a proxy-granting ticket: the callback that received it.
    pgt_url = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.service}"
