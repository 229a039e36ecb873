"""Reads of the federation: providers offered on the login page, the console's list, and
whom an assertion designates (docs/saml.md, "Matching")."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from preau.core.actor import Actor
from preau.core.models import Tenant
from preau.directory.models import Authority, Membership, Person, Profile
from preau.sso.saml.models import FederatedIdentity, FederatedSession, IdentityProvider
from preau.sso.saml.permissions import Perm, policy
from preau.sso.saml.sp import LoginResult, name_id_value

# EduConnect attribute names (STANDARDS.md, "Federation: Préau as service provider").
EDUCONNECT_OID = "urn:oid:1.3.6.1.4.1.20326.10.999.1."
EC_AFFILIATION = EDUCONNECT_OID + "7"
EC_FREDUCTID = EDUCONNECT_OID + "57"
PARENT_AFFILIATIONS = frozenset({"resp1d", "resp2d"})
PUPIL_AFFILIATIONS = frozenset({"eleve1d", "eleve2d"})
# Agents: the academic e-mail, by name and by the LDAP `mail` OID.
MAIL_ATTRIBUTES = ("mail", "ctemail", "urn:oid:0.9.2342.19200300.100.1.3", "email")
TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"


# --- providers -----------------------------------------------------------------------------------


def providers_for_console(actor: Actor) -> QuerySet[IdentityProvider]:
    return policy.visible(actor, IdentityProvider.objects.select_related("academie")).order_by(
        "position", "name", "id"
    )


def access_provider(actor: Actor, provider_id: int) -> IdentityProvider:
    """The provider, for its operator; 404 for anyone else and for a missing one."""
    provider = providers_for_console(actor).filter(pk=provider_id).first()
    if provider is None or not policy.can(actor, Perm.MANAGE_PROVIDERS, provider):
        raise Http404
    return provider


def academies(tenant: Tenant) -> QuerySet[Authority]:
    return Authority.objects.filter(tenant=tenant, kind=Authority.Kind.ACADEMIE).order_by("name")


def enabled_providers(tenant: Tenant) -> list[IdentityProvider]:
    return list(
        IdentityProvider.objects.filter(tenant=tenant, is_enabled=True)
        .select_related("academie")
        .only("id", "name", "kind", "label", "academie__name", "position", "tenant_id")
        .order_by("position", "name", "id")
    )


@dataclass
class LoginChoices:
    """The login page's "Who are you?" groups."""

    educonnect: list[IdentityProvider] = field(default_factory=list)
    agents: list[IdentityProvider] = field(default_factory=list)
    other: list[IdentityProvider] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.educonnect or self.agents or self.other)


def login_choices(tenant: Tenant) -> LoginChoices:
    choices = LoginChoices()
    for provider in enabled_providers(tenant):
        if provider.kind == IdentityProvider.Kind.EDUCONNECT:
            choices.educonnect.append(provider)
        elif provider.kind == IdentityProvider.Kind.AGENTS:
            choices.agents.append(provider)
        else:
            choices.other.append(provider)
    return choices


def enabled_provider(tenant: Tenant, provider_id: int) -> IdentityProvider:
    provider = IdentityProvider.objects.filter(
        tenant=tenant, pk=provider_id, is_enabled=True
    ).first()
    if provider is None:
        raise Http404
    return provider


def enabled_provider_or_none(tenant: Tenant, provider_id: int) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(tenant=tenant, pk=provider_id, is_enabled=True).first()


def provider_of_tenant(tenant: Tenant, provider_id: int) -> IdentityProvider | None:
    """Any provider of the tenant, enabled or not (logging out still works once disabled)."""
    return IdentityProvider.objects.filter(tenant=tenant, pk=provider_id).first()


def provider_by_entity_id(tenant: Tenant, entity_id: str) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(tenant=tenant, entity_id=entity_id).first()


def federated_session(tenant: Tenant, session_key: str | None) -> FederatedSession | None:
    if not session_key:
        return None
    return (
        FederatedSession.objects.filter(tenant=tenant, session_key=session_key)
        .select_related("provider")
        .first()
    )


def federated_sessions_for(
    provider: IdentityProvider, *, name_id: str, session_indexes: tuple[str, ...] = ()
) -> QuerySet[FederatedSession]:
    rows = FederatedSession.objects.filter(
        tenant_id=provider.tenant_id, provider=provider, name_id_value=name_id
    ).select_related("person")
    if session_indexes:
        rows = rows.filter(session_index__in=session_indexes)
    return rows


AGENT_PROFILES = (Profile.TEACHER, Profile.STAFF, Profile.AGENT)


def is_guardian(person: Person) -> bool:
    return Membership.objects.filter(person=person, profile=Profile.GUARDIAN).exists()


# --- matching ------------------------------------------------------------------------------------


def aaf_join_key(refid: str) -> str:
    """The join key at the end of FrEduCtRefId's AAF form `{AAF}<académie>|...|<key>`."""
    if not refid.upper().startswith("{AAF}"):
        return ""
    return refid.rsplit("|", 1)[-1].strip()


@dataclass(frozen=True)
class Match:
    """Whom an assertion designates in the tenant (`person` None: nobody)."""

    subject: str
    person: Person | None
    identity: FederatedIdentity | None
    matched_on: str  # "identity", "join_key", "email", or "" when nobody matched
    is_parent: bool
    ambiguous: bool = False


def subject_of(result: LoginResult) -> str:
    """The stable identifier: FrEduCtId for EduConnect, else a non-transient NameID, else the
    academic e-mail."""
    provider = result.provider
    if provider.kind == IdentityProvider.Kind.EDUCONNECT:
        found = result.first(EC_FREDUCTID, "FrEduCtId")
        if found:
            return found
    value = name_id_value(result.name_id)
    if value and getattr(result.name_id, "format", None) != TRANSIENT:
        return value
    return result.first(*MAIL_ATTRIBUTES).lower() or value


def affiliations(result: LoginResult) -> set[str]:
    return {v.lower() for v in result.all(EC_AFFILIATION, "FrEduCtPersonAffiliation")}


def match_person(result: LoginResult) -> Match:
    provider = result.provider
    subject = subject_of(result)
    is_parent = provider.kind == IdentityProvider.Kind.EDUCONNECT and bool(
        affiliations(result) & PARENT_AFFILIATIONS
    )
    identity = (
        FederatedIdentity.objects.filter(
            tenant_id=provider.tenant_id, provider=provider, subject=subject
        )
        .select_related("person")
        .first()
        if subject
        else None
    )
    if identity is not None:
        return Match(subject, identity.person, identity, "identity", is_parent)
    people = Person.objects.filter(tenant_id=provider.tenant_id)
    if provider.kind == IdentityProvider.Kind.EDUCONNECT:
        names = [*settings.SAML_EDUCONNECT_REFID_ATTRIBUTES]
        key = next((aaf_join_key(v) for v in result.all(*names) if aaf_join_key(v)), "")
        candidates = list(people.filter(external_id=key)[:2]) if key else []
        matched_on = "join_key"
    else:
        # An académie vouches for its agents: only staff, teachers and authority agents match.
        mail = result.first(*MAIL_ATTRIBUTES)
        agents = people.filter(
            Exists(Membership.objects.filter(person=OuterRef("pk"), profile__in=AGENT_PROFILES))
        )
        candidates = list(agents.filter(email__iexact=mail)[:2]) if "@" in mail else []
        matched_on = "email"
    if len(candidates) == 1:
        return Match(subject, candidates[0], None, matched_on, is_parent)
    return Match(subject, None, None, "", is_parent, ambiguous=len(candidates) > 1)


def contact_hint(provider: IdentityProvider) -> str:
    """Whom an unmatched person should contact."""
    if provider.kind == IdentityProvider.Kind.AGENTS:
        if provider.academie is not None:
            return _(
                "Contact the digital services of the %(academie)s or the administration of "
                "your school: they can check the e-mail address recorded for you."
            ) % {"academie": provider.academie.name}
        return _(
            "Contact your académie's digital services or the administration of your school: "
            "they can check the e-mail address recorded for you."
        )
    return _(
        "Contact the administration of your school (or your child's school): they can check "
        "that your account exists and is linked to the national directory."
    )
