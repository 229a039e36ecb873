"""Reads of the OpenID Connect provider: the client registry, the issuer of a host, the
subject identifier and the claims released about a person, and token lookups."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, RefreshToken

from preau.core.actor import Actor
from preau.core.pagination import Page, keyset_page
from preau.directory.models import Membership, Person, TeachingAssignment
from preau.sso.oidc.models import OidcClient
from preau.sso.oidc.permissions import policy
from preau.sso.oidc.scopes import DESCRIPTIONS, Scope

if TYPE_CHECKING:
    from preau.core.models import Tenant

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
DISCOVERY_SUFFIX = "/.well-known/openid-configuration"


# --- the registry (console) --------------------------------------------------------------------


def clients_for(actor: Actor) -> QuerySet[OidcClient]:
    """The OIDC clients the actor manages (the operator: the tenant's; anyone else: none)."""
    return policy.visible(actor, OidcClient.objects.all()).select_related("application")


def clients_page(actor: Actor, *, after: str | None, limit: int = 50) -> Page[OidcClient]:
    return keyset_page(
        clients_for(actor),
        order=("application__name", "id"),
        after=after,
        limit=limit,
        base_query={"after": after} if after else {},
    )


def access_client(actor: Actor, client_id: int) -> OidcClient:
    """A client the actor manages; 404 otherwise (missing = forbidden)."""
    client = clients_for(actor).filter(pk=client_id).first()
    if client is None:
        raise Http404
    return client


# --- protocol ----------------------------------------------------------------------------------


def issuer_for(request: HttpRequest) -> str:
    """`https://<host>/oidc`: the issuer of the tenant answering on this host. Plain http only
    on a loopback host (development, tests); behind a TLS proxy the issuer stays https."""
    host = request.get_host()
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    scheme = request.scheme if hostname.lower() in LOOPBACK_HOSTS else "https"
    path = reverse("oidc:discovery").removesuffix(DISCOVERY_SUFFIX)
    return f"{scheme}://{host}{path}"


def endpoint(request: HttpRequest, name: str) -> str:
    """The absolute address of one of the provider's endpoints, on the issuer's origin."""
    issuer = issuer_for(request)
    origin = issuer.removesuffix(reverse("oidc:discovery").removesuffix(DISCOVERY_SUFFIX))
    return origin + reverse(f"oidc:{name}")


def tenant_application(tenant_id: int | None, client_id: str) -> Application | None:
    """The enabled DOT application `client_id` registered by this tenant, or None."""
    if tenant_id is None or not client_id:
        return None
    try:
        return (
            Application.objects.select_related("oidc_client")
            .filter(
                client_id=client_id,
                oidc_client__tenant_id=tenant_id,
                oidc_client__is_enabled=True,
            )
            .first()
        )
    except ValueError:  # a NUL byte in client_id on PostgreSQL
        return None


def application_usable(application: Application | None, tenant_id: int | None) -> bool:
    registration = getattr(application, "oidc_client", None) if application else None
    return (
        registration is not None
        and tenant_id is not None
        and registration.tenant_id == tenant_id
        and registration.is_enabled
    )


def person_usable(person: Any, tenant_id: int | None) -> bool:
    """A person tokens may be issued for or accepted from: of this tenant, not blocked."""
    return (
        isinstance(person, Person)
        and tenant_id is not None
        and person.tenant_id == tenant_id
        and not person.is_blocked
    )


def api_access_token(tenant: Tenant, token: str) -> AccessToken | None:
    """The live access token `token` for the /api/v1/ endpoints on `tenant`'s host: issued by
    an enabled client of this tenant, with scope api.read, not expired, not revoked (revoking
    deletes it), for a person of this tenant who is not blocked."""
    checksum = hashlib.sha256(token.encode()).hexdigest()
    row = (
        AccessToken.objects.select_related("user", "application__oidc_client")
        .filter(
            token_checksum=checksum,
            expires__gt=timezone.now(),
            application__oidc_client__tenant=tenant,
            application__oidc_client__is_enabled=True,
            user__tenant=tenant,
            user__is_blocked=False,
        )
        .first()
    )
    if row is None or Scope.API_READ.value not in row.scope.split():
        return None
    return row


# --- claims ------------------------------------------------------------------------------------


def subject_for(person: Person) -> str:
    """The `sub` claim: an HMAC-SHA256 of tenant and person ids under OIDC_SUBJECT_KEY, cut to
    128 bits. Stable for a person, the same at every client, and no database id leaks out."""
    message = f"preau-oidc-sub|{person.tenant_id}|{person.pk}".encode()
    key = str(settings.OIDC_SUBJECT_KEY).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def claims_for(person: Person, scopes: list[str] | set[str]) -> dict[str, Any]:
    """The claims released about `person` for the granted `scopes` (ID token and userinfo).

    Reads only what the scopes need: memberships once (profile, schools, classes), teaching
    assignments once (classes).
    """
    scopes = set(scopes)
    claims: dict[str, Any] = {"sub": subject_for(person)}
    if Scope.PROFILE in scopes:
        claims.update(
            name=person.full_name,
            given_name=person.first_name,
            family_name=person.last_name,
            preferred_username=person.login,
            locale=person.language or "fr",
        )
    if Scope.EMAIL in scopes and person.email:
        claims["email"] = person.email
    if not scopes & {Scope.PROFILE, Scope.SCHOOLS, Scope.CLASSES}:
        return claims
    memberships = list(
        Membership.objects.filter(tenant_id=person.tenant_id, person=person, year__is_current=True)
        .select_related("school", "school_class")
        .order_by("school__name", "id")
    )
    if Scope.PROFILE in scopes:
        claims["profiles"] = sorted({code for m in memberships for code in m.national_codes})
    if Scope.SCHOOLS in scopes:
        claims["schools"] = list(dict.fromkeys(m.school.uai for m in memberships))
    if Scope.CLASSES in scopes:
        classes: dict[int, dict[str, str]] = {}
        for m in memberships:
            if m.school_class is not None:
                classes[m.school_class.pk] = _class_claim(m.school.uai, m.school_class)
        taught = (
            TeachingAssignment.objects.filter(
                tenant_id=person.tenant_id,
                teacher=person,
                year__is_current=True,
                school_class__isnull=False,
            )
            .select_related("school", "school_class")
            .order_by("school_class__name", "id")
        )
        for a in taught:
            if a.school_class is not None:
                classes.setdefault(a.school_class.pk, _class_claim(a.school.uai, a.school_class))
        claims["classes"] = sorted(classes.values(), key=lambda c: (c["school"], c["code"]))
    return claims


def _class_claim(uai: str, school_class: Any) -> dict[str, str]:
    return {"school": uai, "code": school_class.code, "name": school_class.name}


SUPPORTED_CLAIMS = [
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "locale",
    "email",
    "profiles",
    "schools",
    "classes",
]


@dataclass(frozen=True)
class Authorization:
    """An application that can act on the person's behalf: it holds a live token."""

    client: OidcClient
    scopes: list[str]
    since: Any

    @property
    def can(self) -> list[str]:
        """What it may do, in the words of the consent screen."""
        return [str(DESCRIPTIONS[s]) for s in self.scopes if s in DESCRIPTIONS]


def authorizations_of(actor: Actor) -> list[Authorization]:
    """The clients of the actor's tenant holding a live access or refresh token of theirs
    (two queries: the tokens, then their clients)."""
    now = timezone.now()
    person = actor.person
    live = AccessToken.objects.filter(user=person, expires__gt=now).values_list(
        "application_id", "scope", "created"
    )
    refresh = RefreshToken.objects.filter(user=person, revoked__isnull=True).values_list(
        "application_id", "access_token__scope", "created"
    )
    found: dict[int, tuple[set[str], Any]] = {}
    for application_id, scope, created in [*live, *refresh]:
        scopes, since = found.setdefault(application_id, (set(), created))
        scopes.update((scope or "").split())
        found[application_id] = (scopes, min(since, created))
    clients = OidcClient.objects.filter(
        tenant=actor.tenant, application_id__in=found
    ).select_related("application")
    return sorted(
        (
            Authorization(c, sorted(found[c.application_id][0]), found[c.application_id][1])
            for c in clients
        ),
        key=lambda a: a.client.name.lower(),
    )


def access_authorized_client(actor: Actor, client_id: int) -> OidcClient:
    """A client of the actor's tenant (the person may end its access whatever its state)."""
    client = (
        OidcClient.objects.filter(tenant=actor.tenant, pk=client_id)
        .select_related("application")
        .first()
    )
    if client is None:
        raise Http404
    return client
