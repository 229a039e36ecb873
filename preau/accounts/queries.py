"""Reads of the accounts app: account lookup, lock-out state, a person's sessions and codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Literal

from django.conf import settings
from django.core.cache import caches
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from preau.accounts.models import ApiToken, LoginAttempt, UserSession
from preau.core.actor import Actor
from preau.core.models import Tenant
from preau.directory.models import Membership, Person, School

DEFAULT_ACCOUNT_FAILURES = 5
DEFAULT_IP_FAILURES = 30
DEFAULT_LOCKOUT_MINUTES = 15
# A person rarely has more than a handful of sessions; the page shows the most recent ones.
MAX_LISTED_SESSIONS = 50


def account_failures_limit() -> int:
    return int(getattr(settings, "PREAU_LOCKOUT_ACCOUNT_FAILURES", DEFAULT_ACCOUNT_FAILURES))


def ip_failures_limit() -> int:
    return int(getattr(settings, "PREAU_LOCKOUT_IP_FAILURES", DEFAULT_IP_FAILURES))


def lockout_window() -> dt.timedelta:
    return dt.timedelta(
        minutes=int(getattr(settings, "PREAU_LOCKOUT_MINUTES", DEFAULT_LOCKOUT_MINUTES))
    )


def _identifier_q(identifier: str) -> Q:
    """Login name or e-mail, as typed or in lower case.

    Exact matches (not `iexact`) so the (tenant, login) and (tenant, email) indexes serve the
    8:00 wave: logins are generated in lower case, and e-mails are matched as typed or lowered.
    """
    ident = identifier.strip()
    variants = {ident, ident.lower()}
    return Q(login__in=variants) | Q(email__in=variants)


def accounts_for_identifier(tenant: Tenant, identifier: str, *, limit: int = 2) -> list[Person]:
    """The accounts of `tenant` whose login name or e-mail is `identifier` (at most `limit`).

    A login name is unique; an e-mail may be shared by a family's accounts.
    """
    if not identifier.strip():
        return []
    return list(Person.objects.filter(tenant=tenant).filter(_identifier_q(identifier))[:limit])


def find_account(tenant: Tenant, identifier: str) -> Person | None:
    """The one account `identifier` names in `tenant`, or None (unknown or ambiguous)."""
    candidates = accounts_for_identifier(tenant, identifier)
    return candidates[0] if len(candidates) == 1 else None


def attempt_key(identifier: str, person: Person | None) -> str:
    """What failures are counted against: the account's login name, or the text typed.

    Typing the login name or the e-mail of one account counts against the same account.
    """
    if person is not None:
        return person.login.lower()
    return identifier.strip().lower()[:254]


@dataclass(frozen=True)
class Lockout:
    """Logging in is paused for an account (`scope="account"`) or an address (`"ip"`)."""

    scope: Literal["account", "ip"]
    until: dt.datetime

    @property
    def minutes_left(self) -> int:
        seconds = (self.until - timezone.now()).total_seconds()
        return max(1, int(-(-seconds // 60)))


def _locked_until(qs: QuerySet[LoginAttempt], limit: int) -> dt.datetime | None:
    """When the `limit`-th most recent failure leaves the window, or None if fewer failures.

    The newest `limit` failures are all within the window exactly until the oldest of them
    leaves it: one indexed query reading at most `limit` rows.
    """
    if limit <= 0:
        return None
    oldest_of_last = list(qs.order_by("-at").values_list("at", flat=True)[limit - 1 : limit])
    return oldest_of_last[0] + lockout_window() if oldest_of_last else None


def ip_is_trusted(ip: str | None) -> bool:
    """Addresses exempt from the per-IP counter (a school's shared NAT address, for example)."""
    import ipaddress

    networks = getattr(settings, "PREAU_LOCKOUT_TRUSTED_NETWORKS", ())
    if not ip or not networks:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in networks)


def lockout_for(
    tenant: Tenant, *, key: str | None, ip: str | None, person: Person | None = None
) -> Lockout | None:
    """The lock-out in force for this account key or this address, if any.

    Failures count within the window; for a known account, only those since its last
    successful login. Without a key, only the address is checked.
    """
    now = timezone.now()
    since = now - lockout_window()
    account_since = since
    if person is not None and person.last_login and person.last_login > since:
        account_since = person.last_login
    base = LoginAttempt.objects.filter(tenant=tenant)
    if key:
        until = _locked_until(
            base.filter(login=key, at__gt=account_since), account_failures_limit()
        )
        if until is not None and until > now:
            return Lockout(scope="account", until=until)
    if ip and not ip_is_trusted(ip):
        until = _locked_until(base.filter(ip=ip, at__gt=since), ip_failures_limit())
        if until is not None and until > now:
            return Lockout(scope="ip", until=until)
    return None


def schools_of(person: Person) -> list[School]:
    """The schools a person belongs to this year: whom to contact about their account."""
    ids = Membership.objects.filter(
        tenant_id=person.tenant_id, person=person, year__is_current=True
    ).values("school_id")
    return list(School.objects.filter(pk__in=ids).order_by("name"))


def sessions_of(actor: Actor) -> QuerySet[UserSession]:
    """The actor's own open sessions, most recently seen first."""
    return UserSession.objects.filter(tenant=actor.tenant, person=actor.person).order_by(
        "-last_seen_at", "-id"
    )


def access_session(actor: Actor, session_id: int) -> UserSession:
    """One of the actor's own sessions; 404 for anyone else's (missing = forbidden)."""
    row = sessions_of(actor).filter(pk=session_id).first()
    if row is None:
        raise Http404
    return row


def session_store_class() -> Any:
    """The SessionStore class of settings.SESSION_ENGINE (its API varies by engine)."""
    return import_module(settings.SESSION_ENGINE).SessionStore


def live_session_keys(keys: list[str]) -> set[str]:
    """Which of these session keys still exist in the session store, in one round trip.

    Database-backed stores are asked with one query, cache-backed stores with one `get_many`;
    any other engine is asked key by key.
    """
    if not keys:
        return set()
    store = session_store_class()
    if hasattr(store, "get_model_class"):
        model = store.get_model_class()
        return set(
            model.objects.filter(session_key__in=keys, expire_date__gt=timezone.now()).values_list(
                "session_key", flat=True
            )
        )
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache":
        prefix = store.cache_key_prefix
        found = caches[settings.SESSION_CACHE_ALIAS].get_many([prefix + key for key in keys])
        return {key.removeprefix(prefix) for key in found}
    return {key for key in keys if store().exists(key)}


def api_tokens_of(actor: Actor) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(tenant=actor.tenant, person=actor.person).order_by(
        "-created_at", "-id"
    )


def access_api_token(actor: Actor, token_id: int) -> ApiToken:
    """One of the actor's own API tokens; 404 for anyone else's."""
    row = api_tokens_of(actor).filter(pk=token_id).first()
    if row is None:
        raise Http404
    return row


def profiles_held(person: Person) -> list[tuple[str, str]]:
    """(profile, school kind) of each of the person's current memberships: what the login
    windows (core.windows) are set for."""
    return list(
        Membership.objects.filter(person=person, year__is_current=True).values_list(
            "profile", "school__kind"
        )
    )
