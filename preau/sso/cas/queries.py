"""Reads of the CAS server: which registered app a service address belongs to, whether a person
may use it, and the attributes released to it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from preau.core.actor import Actor
from preau.core.models import Tenant
from preau.core.pagination import Page, keyset_page
from preau.directory.models import Membership, Person
from preau.portal.models import AttributeProfile, ConnectedApp

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# Pronote's legacy CAS categories (STANDARDS.md), from the national profile codes.
PRONOTE_CATEGORIES = {
    "National_ELV": "National_1",
    "National_TUT": "National_2",
    "National_ENS": "National_3",
    "National_DIR": "National_4",
    "National_EVS": "National_5",
    "National_ETA": "National_6",
    "National_DOC": "National_6",
    "National_ACA": "National_7",
    "National_COL": "National_7",
}
_POSTAL_CODE = re.compile(r"\b(\d{5})\b")


def _origin(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of an absolute http(s) address; None if it is not one we accept.

    Refused: other schemes, plain http except on a loopback host, user info (`user@host`
    tricks), backslashes and `..` segments that browsers and servers read differently.
    """
    if "\\" in url or any(ord(c) < 0x21 for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host or parts.username or parts.password:
        return None
    if scheme == "http" and host not in LOOPBACK_HOSTS:
        return None
    if "/../" in f"{parts.path}/" or "/./" in f"{parts.path}/":
        return None
    return scheme, host, port or DEFAULT_PORTS[scheme]


def check_url(url: str) -> bool:
    """Whether Préau may send a person or a request to `url` (see `_origin`)."""
    return _origin(url) is not None


def check_service_pattern(pattern: str) -> None:
    """A pattern a registry may hold: an absolute https address (http on loopback), with a path,
    optionally ending in `*`."""
    base = pattern[:-1] if pattern.endswith("*") else pattern
    if "*" in base or _origin(base) is None or not urlsplit(base).path:
        raise ValidationError(
            _(
                "“%(pattern)s” is not a service address: write it in full, for example "
                "https://pronote.example.fr/ or https://moodle.example.fr/*."
            ),
            code="pattern",
            params={"pattern": pattern},
        )


def service_patterns(app: ConnectedApp) -> list[str]:
    return [line.strip() for line in app.service_patterns.splitlines() if line.strip()]


def matches(pattern: str, url: str) -> bool:
    """Whether the service address `url` is accepted by `pattern`.

    Same scheme, host and port always. Without `*`: the same path (the query string is the
    app's own business). With a trailing `*`: a path that begins with the pattern's.
    """
    wildcard = pattern.endswith("*")
    base = pattern[:-1] if wildcard else pattern
    origin = _origin(url)
    if origin is None or origin != _origin(base):
        return False
    if wildcard:
        return urlsplit(url).path.startswith(urlsplit(base).path)
    return (urlsplit(url).path or "/") == (urlsplit(base).path or "/")


def cas_apps(tenant: Tenant) -> QuerySet[ConnectedApp]:
    return ConnectedApp.objects.filter(tenant=tenant, is_enabled=True, cas_enabled=True).order_by(
        "position", "id"
    )


def service_app(tenant: Tenant, service: str) -> ConnectedApp | None:
    """The enabled CAS app of the tenant whose patterns accept `service` (one query)."""
    if not service or len(service) > 2000:
        return None
    for app in cas_apps(tenant):
        if any(matches(p, service) for p in service_patterns(app)):
            return app
    return None


def current_memberships(person: Person) -> list[Membership]:
    return list(
        Membership.objects.filter(
            tenant_id=person.tenant_id, person=person, year__is_current=True
        ).select_related("school", "school_class")
    )


def may_use(app: ConnectedApp, memberships: list[Membership]) -> bool:
    """Whether someone with these memberships is offered the app: in one of its schools (any if
    none are set) with one of its profiles (any if none are set)."""
    school_ids = {s.pk for s in app.schools.all()}
    return any(
        (not school_ids or m.school_id in school_ids)
        and (not app.profiles or m.profile in app.profiles)
        for m in memberships
    ) or (not school_ids and not app.profiles and not memberships)


def national_codes(memberships: list[Membership]) -> list[str]:
    return sorted({code for m in memberships for code in m.national_codes})


def cas_attributes(
    person: Person, app: ConnectedApp, memberships: list[Membership]
) -> dict[str, list[str]]:
    """The attributes released to `app`, by its attribute profile (STANDARDS.md)."""
    codes = national_codes(memberships)
    if app.attribute_profile == AttributeProfile.PRONOTE:
        postal = _POSTAL_CODE.search(person.address or "")
        attributes = {
            "user": [person.login],
            "nom": [person.last_name],
            "prenom": [person.first_name],
            "dateNaissance": [f"{person.birth_date:%d/%m/%Y}"] if person.birth_date else [],
            "codePostal": [postal.group(1)] if postal else [],
            "categories": sorted({PRONOTE_CATEGORIES[c] for c in codes}),
        }
    else:
        attributes = {
            "user": [person.login],
            "login": [person.login],
            "displayName": [f"{person.first_name} {person.last_name}"],
            "lastName": [person.last_name],
            "firstName": [person.first_name],
            "email": [person.email] if person.email else [],
            "profile": codes,
            "schools": sorted({m.school.uai for m in memberships}),
            "classes": sorted({m.school_class.code for m in memberships if m.school_class}),
        }
    return {name: values for name, values in attributes.items() if values}


def registry_for(actor: Actor) -> QuerySet[ConnectedApp]:
    """The connected apps the actor may change in the console, with their schools."""
    from preau.sso.cas.permissions import policy

    return policy.visible(actor, ConnectedApp.objects.all()).prefetch_related("schools")


def registry_page(actor: Actor, *, after: str | None, limit: int = 50) -> Page[ConnectedApp]:
    return keyset_page(
        registry_for(actor),
        order=("position", "name", "id"),
        after=after,
        limit=limit,
        base_query={"after": after} if after else {},
    )


def access_connected_app(actor: Actor, app_id: int) -> ConnectedApp:
    """A connected app the actor may change; 404 otherwise (missing = forbidden)."""
    app = registry_for(actor).filter(pk=app_id).first()
    if app is None:
        raise Http404
    return app
