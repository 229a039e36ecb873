"""Every write of the federation: registering identity providers, logging in and out through
them, linking a parent's account, and the replay store. Each leaves an audit entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.accounts import actions as accounts
from preau.accounts.queries import session_store_class
from preau.core.actor import Actor
from preau.core.audit import record_audit
from preau.directory.models import Authority, Person
from preau.sso.saml import queries as q
from preau.sso.saml.models import (
    ConsumedAssertion,
    FederatedIdentity,
    FederatedSession,
    IdentityProvider,
)
from preau.sso.saml.permissions import Perm, policy
from preau.sso.saml.sp import LoginResult, Refused, name_id_value, name_id_xml, read_metadata

if TYPE_CHECKING:
    from preau.core.http import PreauRequest
    from preau.core.models import Tenant

# Replay rows are kept at least this long, even for an assertion without NotOnOrAfter.
MIN_REPLAY_WINDOW = dt.timedelta(hours=1)


# --- providers (console) -------------------------------------------------------------------------


def _require_manager(actor: Actor, provider: IdentityProvider | None = None) -> None:
    if not policy.can(actor, Perm.MANAGE_PROVIDERS, provider):
        raise PermissionDenied(_("Only the operator manages identity providers."))


def _checked_metadata(tenant_id: int, xml: str, *, exclude_pk: int | None = None) -> str:
    """The entity id of valid metadata, or a ValidationError on the metadata field."""
    try:
        info = read_metadata(xml)
    except ValueError as exc:
        raise ValidationError({"metadata_xml": str(exc)}) from exc
    if not info.has_signing_cert:
        raise ValidationError(
            {
                "metadata_xml": _(
                    "The metadata has no signing certificate for the identity provider: Préau "
                    "could not check its signatures. Ask the provider for complete metadata."
                )
            }
        )
    if not info.has_redirect_sso:
        raise ValidationError(
            {
                "metadata_xml": _(
                    "The metadata offers no single sign-on address with the HTTP-Redirect "
                    "binding, which Préau uses."
                )
            }
        )
    taken = IdentityProvider.objects.filter(tenant_id=tenant_id, entity_id=info.entity_id)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(
            {
                "metadata_xml": _("This identity provider (%(id)s) is already registered.")
                % {"id": info.entity_id}
            }
        )
    return info.entity_id


def _check_academie(actor: Actor, kind: str, academie: Authority | None) -> None:
    if academie is not None and (
        academie.tenant_id != actor.tenant.pk or academie.kind != Authority.Kind.ACADEMIE
    ):
        raise ValidationError({"academie": _("Choose one of the territory's académies.")})
    if kind == IdentityProvider.Kind.AGENTS and academie is None:
        raise ValidationError(
            {"academie": _("Say which académie's agents log in with this provider.")}
        )


def create_identity_provider(
    *,
    actor: Actor,
    name: str,
    kind: str,
    label: str,
    metadata_xml: str,
    academie: Authority | None = None,
    position: int = 0,
    is_enabled: bool = False,
) -> IdentityProvider:
    _require_manager(actor)
    _check_academie(actor, kind, academie)
    entity_id = _checked_metadata(actor.tenant.pk, metadata_xml)
    with transaction.atomic():
        provider = IdentityProvider.objects.create(
            tenant=actor.tenant,
            name=name,
            kind=kind,
            label=label,
            academie=academie,
            metadata_xml=metadata_xml,
            entity_id=entity_id,
            position=position,
            is_enabled=is_enabled,
        )
        record_audit(
            actor=actor,
            action="saml.provider_created",
            target=provider,
            data={"entity_id": entity_id, "kind": kind, "enabled": is_enabled},
        )
    return provider


def update_identity_provider(
    *,
    actor: Actor,
    provider: IdentityProvider,
    name: str,
    kind: str,
    label: str,
    academie: Authority | None,
    position: int,
    metadata_xml: str = "",
) -> IdentityProvider:
    """Change what the login page shows; new metadata (a rotated certificate) if given."""
    _require_manager(actor, provider)
    _check_academie(actor, kind, academie)
    changed = []
    if metadata_xml.strip() and metadata_xml != provider.metadata_xml:
        provider.entity_id = _checked_metadata(
            actor.tenant.pk, metadata_xml, exclude_pk=provider.pk
        )
        provider.metadata_xml = metadata_xml
        changed.append("metadata_xml")
    for attr, value in (
        ("name", name),
        ("kind", kind),
        ("label", label),
        ("academie", academie),
        ("position", position),
    ):
        if getattr(provider, attr) != value:
            setattr(provider, attr, value)
            changed.append(attr)
    with transaction.atomic():
        provider.save()
        record_audit(
            actor=actor,
            action="saml.provider_updated",
            target=provider,
            data={"changed": changed},
        )
    return provider


def set_identity_provider_enabled(
    *, actor: Actor, provider: IdentityProvider, enabled: bool
) -> IdentityProvider:
    _require_manager(actor, provider)
    with transaction.atomic():
        provider.is_enabled = enabled
        provider.save(update_fields=["is_enabled", "updated_at"])
        record_audit(
            actor=actor,
            action="saml.provider_enabled" if enabled else "saml.provider_disabled",
            target=provider,
        )
    return provider


# --- logging in ----------------------------------------------------------------------------------


def record_refusal(
    *, tenant: Tenant, provider: IdentityProvider | None, reason: str, ip: str | None
) -> None:
    """An answer Préau would not accept: nobody is logged in, the reason is kept."""
    record_audit(
        actor=None,
        tenant_id=tenant.pk,
        action="saml.refused",
        target=provider,
        data={"reason": reason, "ip": ip or ""},
    )


def consume_assertion(*, tenant: Tenant, assertion_id: str, not_on_or_after: float) -> None:
    """Mark the assertion used; Refused("replay") if it already was."""
    now = timezone.now()
    expires = now + MIN_REPLAY_WINDOW
    if not_on_or_after:
        expires = max(expires, dt.datetime.fromtimestamp(not_on_or_after, tz=dt.UTC))
    ConsumedAssertion.objects.filter(tenant=tenant, expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            ConsumedAssertion.objects.create(
                tenant=tenant, assertion_id=assertion_id[:256], expires_at=expires
            )
    except IntegrityError as exc:
        raise Refused(
            "replay",
            _("This login answer has already been used. Start logging in again."),
        ) from exc


@dataclass(frozen=True)
class FederatedLogin:
    """The outcome of a verified assertion: a person to log in, or nobody (`person` None)."""

    provider: IdentityProvider
    subject: str
    person: Person | None
    is_parent: bool


def blocked_message(person: Person) -> str:
    error = accounts._blocked_error(person)
    return " ".join(error.messages)


def log_in_federated(*, tenant: Tenant, result: LoginResult, ip: str | None) -> FederatedLogin:
    """Find whom the assertion designates; refuse a blocked person; never create an account."""
    provider = result.provider
    match = q.match_person(result)
    person = match.person
    if person is None:
        record_audit(
            actor=None,
            tenant_id=tenant.pk,
            action="saml.unmatched",
            target=provider,
            data={
                "subject": match.subject,
                "kind": provider.kind,
                "parent": match.is_parent,
                "ambiguous": match.ambiguous,
                "ip": ip or "",
            },
        )
        return FederatedLogin(provider, match.subject, None, match.is_parent)
    if person.is_blocked:
        record_audit(
            actor=None,
            tenant_id=tenant.pk,
            action="saml.refused",
            target=provider,
            subject=person,
            data={"reason": "blocked", "ip": ip or ""},
        )
        raise Refused("blocked", blocked_message(person))
    actor = accounts.acting_as(person, ip=ip, tenant=tenant)
    with transaction.atomic():
        now = timezone.now()
        if match.identity is not None:
            FederatedIdentity.objects.filter(pk=match.identity.pk).update(last_login_at=now)
        else:
            FederatedIdentity.objects.update_or_create(
                tenant=tenant,
                provider=provider,
                person=person,
                defaults={"subject": match.subject, "last_login_at": now},
            )
        record_audit(
            actor=actor,
            action="saml.login",
            target=provider,
            subject=person,
            data={"matched_on": match.matched_on, "subject": match.subject},
        )
    return FederatedLogin(provider, match.subject, person, match.is_parent)


def link_parent_account(
    *,
    request: PreauRequest,
    provider: IdentityProvider,
    subject: str,
    identifier: str,
    password: str,
) -> Person:
    """A parent EduConnect did not match proves their Préau account once; later logins use
    the link. ValidationError (wrong password, not a parent's account, already linked)."""
    person = accounts.authenticate_login(request=request, identifier=identifier, password=password)
    if not q.is_guardian(person):
        raise ValidationError(
            _(
                "This Préau account is not a parent's account. Log in with the account your "
                "child's school gave you as a parent."
            ),
            code="not_guardian",
        )
    ip = request.META.get("REMOTE_ADDR") or None
    actor = accounts.acting_as(person, ip=ip, tenant=request.tenant)
    with transaction.atomic():
        taken = FederatedIdentity.objects.filter(tenant=request.tenant, provider=provider)
        if taken.filter(person=person).exists() or taken.filter(subject=subject).exists():
            raise ValidationError(
                _(
                    "This account is already linked to an EduConnect identity. Contact your "
                    "child's school if this is not you."
                ),
                code="already_linked",
            )
        identity = FederatedIdentity.objects.create(
            tenant=request.tenant,
            provider=provider,
            person=person,
            subject=subject,
            last_login_at=timezone.now(),
        )
        record_audit(
            actor=actor,
            action="saml.linked",
            target=provider,
            subject=person,
            data={"identity": identity.pk, "subject": subject},
        )
        record_audit(
            actor=actor,
            action="saml.login",
            target=provider,
            subject=person,
            data={"matched_on": "linked", "subject": subject},
        )
    return person


def open_federated_session(
    *,
    actor: Actor,
    provider: IdentityProvider,
    session_key: str | None,
    name_id: object,
    session_index: str,
) -> None:
    """Remember what single logout needs about this freshly opened session."""
    if not session_key:
        return
    FederatedSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "tenant": actor.tenant,
            "person": actor.person,
            "provider": provider,
            "name_id": name_id_xml(name_id),
            "name_id_value": name_id_value(name_id),
            "session_index": session_index[:256],
        },
    )


# --- logging out ---------------------------------------------------------------------------------


def leave_federated_session(*, actor: Actor, session_key: str | None) -> FederatedSession | None:
    """The person logs out of Préau: forget the federated session (returned, so a
    LogoutRequest can be sent to its provider)."""
    row = q.federated_session(actor.tenant, session_key)
    if row is None or row.person_id != actor.person.pk:
        return None
    with transaction.atomic():
        row.delete()
        record_audit(
            actor=actor,
            action="saml.logout",
            target=row.provider,
            subject=actor.person,
            data={"initiated_by": "sp"},
        )
    return row


def end_federated_sessions(
    *, tenant: Tenant, provider: IdentityProvider, name_id: str, session_indexes: tuple[str, ...]
) -> list[str]:
    """The provider says this person logged out: end their Préau sessions opened through it.
    Returns the ended session keys."""
    rows = list(
        q.federated_sessions_for(provider, name_id=name_id, session_indexes=session_indexes)
    )
    store = session_store_class()
    ended = []
    for row in rows:
        actor = accounts.acting_as(row.person, ip=None, tenant=tenant)
        with transaction.atomic():
            accounts.end_session(actor=actor, session_key=row.session_key)
            store(session_key=row.session_key).delete()
            row.delete()
            record_audit(
                actor=actor,
                action="saml.logout",
                target=provider,
                subject=row.person,
                data={"initiated_by": "idp"},
            )
        ended.append(row.session_key)
    return ended
