"""The scopes Préau's OpenID Connect provider knows, and the DOT backend that offers each client
only the scopes registered for it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from oauth2_provider.scopes import BaseScopes


class Scope(StrEnum):
    OPENID = "openid"
    PROFILE = "profile"
    EMAIL = "email"
    SCHOOLS = "schools"
    CLASSES = "classes"
    API_READ = "api.read"


# What the consent screen says, in plain words, for each scope.
DESCRIPTIONS: dict[str, Promise] = {
    Scope.OPENID: _("Know who you are (a stable identifier, without your name)"),
    Scope.PROFILE: _("See your name, your login name and your profiles (pupil, parent, teacher…)"),
    Scope.EMAIL: _("See your e-mail address"),
    Scope.SCHOOLS: _("See the schools you belong to"),
    Scope.CLASSES: _("See your classes for this school year"),
    Scope.API_READ: _("Read, on your behalf, what you can see in Préau (directory, classes)"),
}
# Short labels for the console's scope picker.
LABELS: dict[str, Promise] = {
    Scope.OPENID: _("openid — identifier (always granted)"),
    Scope.PROFILE: _("profile — name, login name, profiles"),
    Scope.EMAIL: _("email — e-mail address"),
    Scope.SCHOOLS: _("schools — schools (UAI)"),
    Scope.CLASSES: _("classes — current classes"),
    Scope.API_READ: _("api.read — read the /api/v1/ endpoints"),
}
ALL_SCOPES: tuple[str, ...] = tuple(s.value for s in Scope)


def client_scopes(application: Any) -> list[str]:
    """The scopes registered for a DOT application (openid always), [] if it has no
    registration of ours."""
    registration = getattr(application, "oidc_client", None) if application is not None else None
    if registration is None:
        return []
    allowed = set(registration.scopes) | {Scope.OPENID.value}
    return [s for s in ALL_SCOPES if s in allowed]


class PreauScopes(BaseScopes):
    def get_all_scopes(self) -> dict[str, str]:
        return {name: str(text) for name, text in DESCRIPTIONS.items()}

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        if application is None:
            return list(ALL_SCOPES)
        return client_scopes(application)

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return [Scope.OPENID.value]
