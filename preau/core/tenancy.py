"""Resolving the tenant from the request's host, cached."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from preau.core.models import Tenant

CACHE_SECONDS = 60


def tenant_for_host(host: str) -> Tenant | None:
    """The tenant answering on `host` (port stripped), or None. Cached for a minute."""
    host = host.split(":", 1)[0].lower().rstrip(".")
    key = f"preau:tenant-host:{host}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    tenant = Tenant.objects.filter(hosts__host=host).first()
    if tenant is None and host in settings.PREAU_DEMO_HOSTS:
        tenant = Tenant.objects.filter(is_demo=True).order_by("pk").first()
    cache.set(key, tenant or False, CACHE_SECONDS)
    return tenant


def forget_host_cache(*hosts: str) -> None:
    cache.delete_many([f"preau:tenant-host:{h.lower()}" for h in hosts])
