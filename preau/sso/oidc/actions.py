"""Every write of the OpenID Connect provider: the client registry (operator only) and the
audit entry of each authorization a person grants."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from preau.core.actor import Actor
from preau.core.audit import record_audit
from preau.core.permissions import require
from preau.sso.oidc.models import OidcClient
from preau.sso.oidc.permissions import Perm, policy
from preau.sso.oidc.queries import LOOPBACK_HOSTS
from preau.sso.oidc.scopes import ALL_SCOPES, Scope

NAME_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 2000
REDIRECT_URI_MAX_LENGTH = 500
MAX_REDIRECT_URIS = 10


# --- checks ------------------------------------------------------------------------------------


def check_redirect_uri(uri: str) -> None:
    """An address Préau may send a code to: absolute https (plain http on a loopback host
    only, for native and development clients), no user info, fragment or wildcard."""
    error = ValidationError(
        _(
            "“%(uri)s” is not a valid redirect address: write it in full with https "
            "(http only on 127.0.0.1, [::1] or localhost), without # or *."
        ),
        code="redirect_uri",
        params={"uri": uri},
    )
    if len(uri) > REDIRECT_URI_MAX_LENGTH or "*" in uri or "#" in uri or "\\" in uri:
        raise error
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in uri):
        raise error
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise error from exc
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        raise error
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and (host in LOOPBACK_HOSTS or f"[{host}]" in LOOPBACK_HOSTS):
        return
    raise error


def _clean_redirect_uris(redirect_uris: str | Iterable[str]) -> list[str]:
    lines = redirect_uris.split() if isinstance(redirect_uris, str) else list(redirect_uris)
    uris = list(dict.fromkeys(u.strip() for u in lines if u.strip()))
    if not uris:
        raise ValidationError(
            {"redirect_uris": _("Give at least one redirect address, one per line.")}
        )
    if len(uris) > MAX_REDIRECT_URIS:
        raise ValidationError(
            {
                "redirect_uris": _("Give at most %(count)d redirect addresses.")
                % {"count": MAX_REDIRECT_URIS}
            }
        )
    errors = []
    for uri in uris:
        try:
            check_redirect_uri(uri)
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationError({"redirect_uris": errors})
    return uris


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Name the client as people will see it.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": _("Keep the name under %(count)d characters.") % {"count": NAME_MAX_LENGTH}}
        )
    return name


def _clean_description(description: str) -> str:
    description = description.strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ValidationError(
            {
                "description": _("Keep the description under %(count)d characters.")
                % {"count": DESCRIPTION_MAX_LENGTH}
            }
        )
    return description


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = set(scopes)
    unknown = chosen - set(ALL_SCOPES)
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scope: %(scope)s.") % {"scope": ", ".join(sorted(unknown))}}
        )
    chosen.add(Scope.OPENID.value)
    return [s for s in ALL_SCOPES if s in chosen]


@dataclass(frozen=True)
class _Cleaned:
    name: str
    description: str
    redirect_uris: list[str]
    scopes: list[str]


def _clean(
    *, name: str, description: str, redirect_uris: str | Iterable[str], scopes: Iterable[str]
) -> _Cleaned:
    """All the fields checked at once, every error reported next to its field."""
    errors: dict[str, list[ValidationError]] = {}

    def attempt(check: Callable[[Any], Any], raw: Any) -> Any:
        try:
            return check(raw)
        except ValidationError as exc:
            for key, messages in exc.error_dict.items():
                errors.setdefault(key, []).extend(messages)
            return None

    cleaned = _Cleaned(
        name=attempt(_clean_name, name),
        description=attempt(_clean_description, description),
        redirect_uris=attempt(_clean_redirect_uris, redirect_uris),
        scopes=attempt(_clean_scopes, scopes),
    )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _require_change(actor: Actor, client: OidcClient) -> None:
    if not policy.can(actor, Perm.CHANGE_CLIENT, client):
        raise PermissionDenied(Perm.CHANGE_CLIENT)


def _summary(client: OidcClient) -> dict[str, object]:
    return {
        "client_id": client.application.client_id,
        "client_type": client.application.client_type,
        "redirect_uris": client.redirect_uris,
        "scopes": client.scopes,
        "first_party": client.is_first_party,
    }


# --- the registry ------------------------------------------------------------------------------


def create_client(
    *,
    actor: Actor,
    name: str,
    redirect_uris: str | Iterable[str],
    confidential: bool,
    scopes: Iterable[str],
    description: str = "",
    is_first_party: bool = False,
) -> tuple[OidcClient, str | None]:
    """Register a client for the actor's tenant. Returns it and, for a confidential client,
    its secret in clear: shown once, only its hash is kept."""
    require(policy, actor, Perm.MANAGE_CLIENTS)
    values = _clean(name=name, description=description, redirect_uris=redirect_uris, scopes=scopes)
    secret = generate_client_secret() if confidential else None
    with transaction.atomic():
        application = Application.objects.create(
            name=values.name,
            client_type=(
                Application.CLIENT_CONFIDENTIAL if confidential else Application.CLIENT_PUBLIC
            ),
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(values.redirect_uris),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=is_first_party,
            client_secret=secret or "",
            hash_client_secret=confidential,
        )
        client = OidcClient.objects.create(
            tenant=actor.tenant,
            application=application,
            description=values.description,
            is_first_party=is_first_party,
            scopes=values.scopes,
            created_by=actor.person,
        )
        record_audit(
            actor=actor, action="oidc.client_created", target=client, data=_summary(client)
        )
    return client, secret


def update_client(
    *,
    actor: Actor,
    client: OidcClient,
    name: str,
    redirect_uris: str | Iterable[str],
    scopes: Iterable[str],
    description: str = "",
    is_first_party: bool = False,
) -> OidcClient:
    """Change a client's name, description, addresses, scopes and first-party flag (its type
    and identifier never change)."""
    _require_change(actor, client)
    values = _clean(name=name, description=description, redirect_uris=redirect_uris, scopes=scopes)
    before = _summary(client)
    with transaction.atomic():
        application = client.application
        application.name = values.name
        application.redirect_uris = " ".join(values.redirect_uris)
        application.skip_authorization = is_first_party
        application.save(update_fields=["name", "redirect_uris", "skip_authorization", "updated"])
        client.description = values.description
        client.scopes = values.scopes
        client.is_first_party = is_first_party
        client.save(update_fields=["description", "scopes", "is_first_party"])
        after = _summary(client)
        changed = {k: after[k] for k in after if after[k] != before[k]}
        record_audit(actor=actor, action="oidc.client_changed", target=client, data=changed)
    return client


def revoke_client_tokens(application: Application) -> int:
    """End every live grant and token of an application; the number of access tokens ended."""
    Grant.objects.filter(application=application).delete()
    RefreshToken.objects.filter(application=application, revoked__isnull=True).update(
        revoked=timezone.now()
    )
    count, _detail = AccessToken.objects.filter(application=application).delete()
    return count


def disable_client(*, actor: Actor, client: OidcClient) -> OidcClient:
    """Refuse the client from now on and end the tokens it holds."""
    _require_change(actor, client)
    with transaction.atomic():
        if client.is_enabled:
            client.is_enabled = False
            client.save(update_fields=["is_enabled"])
            ended = revoke_client_tokens(client.application)
            record_audit(
                actor=actor,
                action="oidc.client_disabled",
                target=client,
                data={"client_id": client.client_id, "tokens_ended": ended},
            )
    return client


def enable_client(*, actor: Actor, client: OidcClient) -> OidcClient:
    _require_change(actor, client)
    with transaction.atomic():
        if not client.is_enabled:
            client.is_enabled = True
            client.save(update_fields=["is_enabled"])
            record_audit(
                actor=actor,
                action="oidc.client_enabled",
                target=client,
                data={"client_id": client.client_id},
            )
    return client


def rotate_client_secret(*, actor: Actor, client: OidcClient) -> str:
    """A new secret for a confidential client, returned in clear to show once; the old one
    stops working at once."""
    _require_change(actor, client)
    if not client.is_confidential:
        raise ValidationError(_("A public client has no secret."), code="public_client")
    secret = generate_client_secret()
    with transaction.atomic():
        application = client.application
        application.client_secret = secret
        application.hash_client_secret = True
        application.save(update_fields=["client_secret", "hash_client_secret", "updated"])
        client.secret_rotated_at = timezone.now()
        client.save(update_fields=["secret_rotated_at"])
        record_audit(
            actor=actor,
            action="oidc.client_secret_rotated",
            target=client,
            data={"client_id": client.client_id},
        )
    return secret


# --- authorizations ----------------------------------------------------------------------------


def record_authorization(
    *, actor: Actor, application: Application, scopes: Iterable[str], consented: bool
) -> None:
    """Audit an authorization granted by `actor` to a client (one entry per code issued)."""
    client = getattr(application, "oidc_client", None)
    if client is None or client.tenant_id != actor.tenant.pk:
        raise PermissionDenied("oidc.authorize")
    record_audit(
        actor=actor,
        action="oidc.authorized",
        target=client,
        subject=actor.person,
        data={
            "client_id": application.client_id,
            "scopes": sorted(set(scopes)),
            "consent": "given" if consented else "first_party_or_remembered",
        },
    )


def revoke_authorization(*, actor: Actor, client: OidcClient) -> int:
    """The person ends an application's access to their account: its tokens of theirs are
    revoked (the next request of the application fails; their consent is asked again)."""
    person = actor.person
    with transaction.atomic():
        Grant.objects.filter(application=client.application, user=person).delete()
        RefreshToken.objects.filter(
            application=client.application, user=person, revoked__isnull=True
        ).update(revoked=timezone.now())
        ended, _detail = AccessToken.objects.filter(
            application=client.application, user=person
        ).delete()
        record_audit(
            actor=actor,
            action="oidc.authorization_revoked",
            target=client,
            subject=person,
            data={"client_id": client.client_id},
        )
    return ended
