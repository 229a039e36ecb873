"""Writes of the CAS server: issue, validate and proxy tickets; single logout; the registry.

Validation and proxy requests come from connected apps, not people: they take the tenant (from
the host) instead of an actor, and what they may do is decided by the ticket itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from preau.core.actor import Actor
from preau.core.audit import record_audit
from preau.core.models import Tenant
from preau.core.permissions import require
from preau.directory.models import School
from preau.portal.models import ConnectedApp
from preau.sso.cas import queries
from preau.sso.cas.models import CasTicket
from preau.sso.cas.permissions import Perm, policy
from preau.sso.cas.responses import Failure, Success

logger = logging.getLogger(__name__)

Kind = CasTicket.Kind
_PREFIX = {Kind.SERVICE: "ST", Kind.PROXY: "PT", Kind.PROXY_GRANTING: "PGT"}


class TicketError(Exception):
    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.failure = Failure(code, description)


def _new_ticket(kind: str) -> str:
    return f"{_PREFIX[Kind(kind)]}-{secrets.token_urlsafe(32)}"


def _ticket_lifetime() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PREAU_CAS_TICKET_SECONDS)


# --- issuing ----------------------------------------------------------------------------------


def issue_service_ticket(
    *, actor: Actor, app: ConnectedApp, service: str, session_key: str, from_new_login: bool
) -> CasTicket:
    """A service ticket for `service` (an address of `app`), bound to this session."""
    require(policy, actor, Perm.USE_SERVICE, app)
    now = timezone.now()
    row = CasTicket.objects.create(
        tenant=actor.tenant,
        kind=Kind.SERVICE,
        ticket=_new_ticket(Kind.SERVICE),
        person=actor.person,
        app=app,
        service=service,
        session_key=session_key,
        created_at=now,
        expires_at=now + _ticket_lifetime(),
        from_new_login=from_new_login,
    )
    record_audit(
        actor=actor,
        action="cas.ticket_issued",
        target=app,
        subject=actor.person,
        school=actor.school,
        data={"service": service[:500], "renew": from_new_login},
    )
    return row


def _refuse(tenant: Tenant, row: CasTicket | None, code: str, description: str) -> TicketError:
    """A refused validation; audited when the ticket was a real one (reuse, wrong service...)."""
    if row is not None:
        record_audit(
            actor=None,
            tenant_id=tenant.pk,
            action="cas.validation_refused",
            target=row.app,
            subject=row.person,
            data={"code": code, "kind": row.kind, "service": row.service[:500]},
        )
    return TicketError(code, description)


def validate_ticket(
    *,
    tenant: Tenant,
    ticket: str,
    service: str,
    renew: bool = False,
    accept_proxy_tickets: bool = False,
    pgt_url: str = "",
) -> Success:
    """Consume `ticket` for `service`: the person and their attributes, or a TicketError.

    Whatever the outcome, a ticket once presented cannot be presented again.
    """
    if not ticket or not service:
        raise TicketError("INVALID_REQUEST", "ticket and service are required")
    kinds = [Kind.SERVICE, Kind.PROXY] if accept_proxy_tickets else [Kind.SERVICE]
    if not any(ticket.startswith(_PREFIX[k] + "-") for k in kinds):
        if ticket.startswith("PT-"):
            raise TicketError(
                "INVALID_TICKET_SPEC", "proxy tickets are validated at /proxyValidate"
            )
        raise TicketError("INVALID_TICKET", f"ticket {ticket[:80]} not recognised")
    now = timezone.now()
    consumed = CasTicket.objects.filter(
        tenant=tenant, ticket=ticket, kind__in=kinds, consumed_at__isnull=True
    ).update(consumed_at=now)
    row = (
        CasTicket.objects.filter(tenant=tenant, ticket=ticket)
        .select_related("person", "app")
        .first()
    )
    if not consumed or row is None:
        raise _refuse(tenant, row, "INVALID_TICKET", f"ticket {ticket[:80]} not recognised")
    if row.expires_at <= now:
        raise _refuse(tenant, row, "INVALID_TICKET", f"ticket {ticket[:80]} has expired")
    if row.service != service:
        raise _refuse(tenant, row, "INVALID_SERVICE", "ticket was issued for another service")
    if renew and not row.from_new_login:
        raise _refuse(tenant, row, "INVALID_TICKET_SPEC", "ticket was not issued from a new login")
    app, person = row.app, row.person
    if person.is_blocked or not (app.is_enabled and app.cas_enabled):
        raise _refuse(tenant, row, "INVALID_TICKET", "ticket is no longer valid")
    memberships = queries.current_memberships(person)
    attributes = {
        "authenticationDate": [
            (person.last_login or row.created_at).astimezone(dt.UTC).isoformat()
        ],
        "isFromNewLogin": ["true" if row.from_new_login else "false"],
        "longTermAuthenticationRequestTokenUsed": ["false"],
        **queries.cas_attributes(person, app, memberships),
    }
    pgt_iou = _grant_proxy_granting_ticket(row, pgt_url) if pgt_url else ""
    return Success(user=person.login, attributes=attributes, pgt_iou=pgt_iou, proxies=row.proxies)


def _grant_proxy_granting_ticket(row: CasTicket, pgt_url: str) -> str:
    """Call the app back with a new PGT; its IOU if the callback answered 200, else ""."""
    # The callback must be https (plain http only on a loopback host, for tests).
    if not row.app.allow_proxy or not queries.check_url(pgt_url):
        return ""
    now = timezone.now()
    pgt = CasTicket.objects.create(
        tenant_id=row.tenant_id,
        kind=Kind.PROXY_GRANTING,
        ticket=_new_ticket(Kind.PROXY_GRANTING),
        person=row.person,
        app=row.app,
        service=row.service,
        session_key=row.session_key,
        created_at=now,
        expires_at=now + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE),
        proxies=row.proxies,
        pgt_url=pgt_url,
    )
    iou = f"PGTIOU-{secrets.token_urlsafe(32)}"
    query = urllib.parse.urlencode({"pgtId": pgt.ticket, "pgtIou": iou})
    separator = "&" if urllib.parse.urlsplit(pgt_url).query else "?"
    if _call(f"{pgt_url}{separator}{query}") != 200:
        pgt.delete()
        return ""
    return iou


def grant_proxy_ticket(*, tenant: Tenant, pgt: str, target_service: str) -> CasTicket:
    """A proxy ticket for `target_service`, from a live proxy-granting ticket."""
    if not pgt or not target_service:
        raise TicketError("INVALID_REQUEST", "pgt and targetService are required")
    now = timezone.now()
    granting = (
        CasTicket.objects.filter(
            tenant=tenant, ticket=pgt, kind=Kind.PROXY_GRANTING, expires_at__gt=now
        )
        .select_related("person")
        .first()
    )
    if granting is None or granting.person.is_blocked:
        raise TicketError("INVALID_TICKET", f"ticket {pgt[:80]} not recognised")
    app = queries.service_app(tenant, target_service)
    if app is None or not queries.may_use(app, queries.current_memberships(granting.person)):
        raise TicketError("UNAUTHORIZED_SERVICE", "this service may not be proxied")
    proxy = CasTicket.objects.create(
        tenant=tenant,
        kind=Kind.PROXY,
        ticket=_new_ticket(Kind.PROXY),
        person=granting.person,
        app=app,
        service=target_service,
        session_key=granting.session_key,
        created_at=now,
        expires_at=now + _ticket_lifetime(),
        granted_by=granting,
        proxies=[granting.pgt_url, *granting.proxies],
    )
    record_audit(
        actor=None,
        tenant_id=tenant.pk,
        action="cas.ticket_issued",
        target=app,
        subject=granting.person,
        data={"service": target_service[:500], "proxy": granting.pgt_url[:500]},
    )
    return proxy


# --- single logout ------------------------------------------------------------------------


def _call(url: str, data: bytes | None = None) -> int:
    """GET (or POST form `data` to) a connected app; its status, 0 if it could not be reached."""
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")  # noqa: S310
    if data:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(  # noqa: S310 - the address passed check_url
            request, timeout=settings.PREAU_CAS_CALLBACK_TIMEOUT
        ) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (OSError, ValueError):
        return 0


@dataclass(frozen=True)
class LogoutNotice:
    url: str
    login: str
    ticket: str


def log_out_of_services(*, session_keys: Sequence[str]) -> list[LogoutNotice]:
    """The sessions have ended: forget their tickets and tell each app that received one.

    The posts are queued (a slow app never holds a logout); returns what was queued.
    """
    keys = [key for key in session_keys if key]
    if not keys:
        return []
    rows = list(
        CasTicket.objects.filter(
            session_key__in=keys, kind__in=[Kind.SERVICE, Kind.PROXY]
        ).select_related("app", "person")
    )
    notices = [
        LogoutNotice(
            url=row.app.logout_url or row.service, login=row.person.login, ticket=row.ticket
        )
        for row in rows
    ]
    CasTicket.objects.filter(session_key__in=keys).delete()
    for tenant_id, person, services in _by_person(rows):
        record_audit(
            actor=None,
            tenant_id=tenant_id,
            action="cas.logout",
            subject=person,
            data={"services": services},
        )
    if notices:
        from preau.sso.cas.tasks import send_logout_requests

        payload = [[n.url, n.login, n.ticket] for n in notices]
        transaction.on_commit(lambda: send_logout_requests.delay(payload))
    return notices


def _by_person(rows: Iterable[CasTicket]) -> list[tuple[int, Any, list[str]]]:
    grouped: dict[int, tuple[int, Any, list[str]]] = {}
    for row in rows:
        entry = grouped.setdefault(row.person_id, (row.tenant_id, row.person, []))
        if row.app.name not in entry[2]:
            entry[2].append(row.app.name)
    return list(grouped.values())


def send_logout_request(*, url: str, login: str, ticket: str) -> int:
    """Post one back-channel `LogoutRequest` (the `logoutRequest` form field); the status."""
    from preau.sso.cas.responses import logout_request

    if not queries.check_url(url):
        return 0
    body = urllib.parse.urlencode(
        {"logoutRequest": logout_request(name_id=login, session_index=ticket)}
    ).encode()
    status = _call(url, body)
    if status != 200:
        logger.warning("CAS single logout to %s answered %s", url, status)
    return status


def purge_tickets() -> int:
    """Delete tickets whose session can no longer be alive, and unused expired tickets."""
    now = timezone.now()
    old = now - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    expired_unused = CasTicket.objects.filter(consumed_at__isnull=True, expires_at__lt=now).exclude(
        kind=Kind.PROXY_GRANTING
    )
    deleted = expired_unused.delete()[0]
    deleted += CasTicket.objects.filter(created_at__lt=old).delete()[0]
    return deleted


# --- the registry (console) ------------------------------------------------------------------


def save_connected_app(
    *, actor: Actor, app: ConnectedApp, schools: Sequence[School], created: bool
) -> ConnectedApp:
    """Create or change a connected app from the console form (already validated)."""
    require(policy, actor, Perm.MANAGE_SERVICES)
    if not actor.is_operator and (
        not schools or not {s.pk for s in schools} <= actor.admin_school_ids
    ):
        raise PermissionDenied(Perm.CHANGE_SERVICE)
    with transaction.atomic():
        app.tenant = actor.tenant
        app.full_clean(exclude=["schools"])
        app.save()
        app.schools.set(schools)
        record_audit(
            actor=actor,
            action="cas.service_created" if created else "cas.service_changed",
            target=app,
            data={
                "cas": app.cas_enabled,
                "patterns": queries.service_patterns(app),
                "attributes": app.attribute_profile,
                "schools": sorted(s.uai for s in schools),
                "profiles": app.profiles,
                "enabled": app.is_enabled,
            },
        )
    return app
