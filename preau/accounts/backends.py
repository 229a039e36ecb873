"""Tenant-aware authentication: login names and e-mails are unique within a tenant only."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from preau.directory.models import Person


class TenantBackend(BaseBackend):
    def authenticate(
        self, request: HttpRequest | None, login: str = "", password: str = "", **kwargs: Any
    ) -> Person | None:
        from preau.accounts.queries import accounts_for_identifier

        tenant = getattr(request, "tenant", None)
        if tenant is None or not login or not password:
            return None
        candidates = accounts_for_identifier(tenant, login)
        if len(candidates) != 1:
            # Unknown, or an e-mail shared by two accounts (a family address): hash anyway so
            # timing does not tell which logins exist.
            Person().set_password(password)
            return None
        person = candidates[0]
        if person.check_password(password):
            return person
        return None

    def get_user(self, user_id: int) -> Person | None:
        return Person.objects.filter(pk=user_id).first()
