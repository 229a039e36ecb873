"""Every write of the accounts app: logging in and out, codes, passwords, blocking, tokens.

Actions done by someone logged in take their `actor`. The anonymous flows (logging in,
activating an account, resetting a forgotten password) take the tenant and the client's
address; once the person is known, the audit entry names them as the actor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from preau.accounts import codes
from preau.accounts.models import ApiToken, LoginAttempt, OneTimeCode, UserSession
from preau.accounts.queries import (
    Lockout,
    access_api_token,
    access_session,
    accounts_for_identifier,
    attempt_key,
    find_account,
    live_session_keys,
    lockout_for,
    profiles_held,
    schools_of,
    session_store_class,
    sessions_of,
)
from preau.core.actor import Actor
from preau.core.audit import record_audit
from preau.core.metrics import LOGINS_DEFERRED
from preau.core.windows import next_login
from preau.directory.models import Person
from preau.directory.permissions import Perm, policy
from preau.sso.cas.actions import log_out_of_services

if TYPE_CHECKING:
    from preau.core.http import PreauRequest
    from preau.core.models import Tenant

ACTIVATION_CODE_VALIDITY = dt.timedelta(days=90)
RESET_CODE_VALIDITY = dt.timedelta(hours=24)
# A forgotten-password request sends at most this many codes per account and hour, so the
# form cannot be used to flood someone's mailbox (the answer on screen stays the same).
RESET_CODES_PER_HOUR = 3
# An e-mail shared by a family names several accounts: each gets its own code.
RESET_ACCOUNTS_PER_EMAIL = 5
BLOCK_REASON_MAX_LENGTH = 200
API_TOKEN_PREFIX = "preau_"  # noqa: S105 - a visible prefix, not a secret

Purpose = OneTimeCode.Purpose


# --- helpers -----------------------------------------------------------------------------------


def acting_as(person: Person, *, ip: str | None, tenant: Tenant | None = None) -> Actor:
    """The actor of someone acting on their own account before a full actor exists."""
    return Actor(person=person, tenant=tenant or person.tenant, ip=ip)


def _require_admin_of(actor: Actor, person: Person) -> None:
    if person.tenant_id != actor.tenant.pk or not policy.can(actor, Perm.ADMINISTER_PERSON, person):
        raise PermissionDenied(_("You do not administer this person's account."))


def _record_failure(tenant: Tenant, *, key: str, ip: str | None) -> None:
    """Count a failed attempt (written at once, whatever the caller's transaction does next)."""
    LoginAttempt.objects.create(tenant=tenant, login=key[:254], ip=ip or None)


def lockout_error(lockout: Lockout) -> ValidationError:
    """The clear message of a lock-out: what happened and when to try again."""
    at = formats.time_format(timezone.localtime(lockout.until))
    minutes = lockout.minutes_left
    wait = ngettext(
        "You can try again at %(time)s (in %(minutes)d minute).",
        "You can try again at %(time)s (in %(minutes)d minutes).",
        minutes,
    ) % {"time": at, "minutes": minutes}
    if lockout.scope == "account":
        what = _("Too many failed attempts for this account: it is locked for your security.")
    else:
        what = _(
            "Too many failed attempts from your network: logging in from it is paused for a while."
        )
    return ValidationError(f"{what} {wait}", code="locked")


def _blocked_error(person: Person) -> ValidationError:
    names = ", ".join(school.name for school in schools_of(person))
    if person.blocked_reason:
        what = _("This account is blocked: %(reason)s.") % {
            "reason": person.blocked_reason.rstrip(".")
        }
    else:
        what = _("This account is blocked.")
    if names:
        who = _("To have it reopened, contact the administration of %(schools)s.") % {
            "schools": names
        }
    else:
        who = _("To have it reopened, contact your school's administration.")
    return ValidationError(f"{what} {who}", code="blocked")


def _end_sessions(keys: Sequence[str]) -> None:
    """Delete these sessions from the session store (one round trip where the store allows),
    and log them out of the connected apps they opened through CAS."""
    keys = [key for key in keys if key]
    if not keys:
        return
    log_out_of_services(session_keys=keys)
    store = session_store_class()
    if hasattr(store, "get_model_class"):
        store.get_model_class().objects.filter(session_key__in=keys).delete()
        if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db":
            caches[settings.SESSION_CACHE_ALIAS].delete_many(
                [store.cache_key_prefix + key for key in keys]
            )
        return
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache":
        caches[settings.SESSION_CACHE_ALIAS].delete_many(
            [store.cache_key_prefix + key for key in keys]
        )
        return
    for key in keys:
        store(session_key=key).delete()


def _end_all_sessions_of(person: Person, *, keep_session_key: str | None = None) -> int:
    rows = UserSession.objects.filter(tenant_id=person.tenant_id, person=person)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    _end_sessions(keys)
    rows.filter(session_key__in=keys).delete()
    return len(keys)


def _issue_code(person: Person, *, purpose: str, validity: dt.timedelta) -> str:
    """A fresh code for `person`; their earlier unused codes of this purpose stop working."""
    now = timezone.now()
    OneTimeCode.objects.filter(
        person=person, purpose=purpose, used_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    plain = codes.generate_code()
    OneTimeCode.objects.create(
        tenant_id=person.tenant_id,
        person=person,
        purpose=purpose,
        code_hash=codes.hash_code(
            purpose=purpose, person_id=person.pk, code=codes.normalize_code(plain) or ""
        ),
        expires_at=now + validity,
    )
    return plain


def _verify_code(
    tenant: Tenant, *, login: str, code: str, purpose: str, ip: str | None
) -> tuple[Person, OneTimeCode]:
    """The person and their still-valid code, or a clear ValidationError (nothing written but
    the failure count, which the lock-out reads)."""
    raw = codes.normalize_code(code)
    if raw is None:
        raise ValidationError(
            {"code": _("Type the 8 characters of the code, for example ABCD-EFGH.")}
        )
    person = find_account(tenant, login)
    key = attempt_key(login, person)
    locked = lockout_for(tenant, key=key, ip=ip, person=person)
    if locked is not None:
        raise lockout_error(locked)
    row = None
    if person is not None:
        row = (
            OneTimeCode.objects.filter(
                tenant=tenant,
                person=person,
                purpose=purpose,
                code_hash=codes.hash_code(purpose=purpose, person_id=person.pk, code=raw),
            )
            .order_by("-created_at")
            .first()
        )
    if person is None or row is None:
        _record_failure(tenant, key=key, ip=ip)
        locked = lockout_for(tenant, key=key, ip=ip, person=person)
        if locked is not None:
            raise lockout_error(locked)
        raise ValidationError(
            {"code": _("This login name and this code do not match. Check both and try again.")}
        )
    if row.used_at is not None:
        raise ValidationError({"code": _("This code has already been used: a code works once.")})
    if row.expires_at <= timezone.now():
        newer = OneTimeCode.objects.filter(
            person=person, purpose=purpose, created_at__gt=row.created_at
        ).exists()
        if newer:
            raise ValidationError(
                {"code": _("This code was replaced by a more recent one: use the latest code.")}
            )
        if purpose == Purpose.ACTIVATION:
            raise ValidationError(
                {"code": _("This code has expired. Ask your school for a new activation letter.")}
            )
        raise ValidationError({"code": _("This code has expired. Ask for a new one.")})
    if person.is_blocked:
        raise _blocked_error(person)
    return person, row


def _claim_code(row: OneTimeCode) -> None:
    """Mark the code used, once: of two simultaneous uses, the second is refused."""
    now = timezone.now()
    claimed = OneTimeCode.objects.filter(
        pk=row.pk, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not claimed:
        raise ValidationError({"code": _("This code has already been used: a code works once.")})


def _check_new_password(person: Person, password: str) -> None:
    try:
        validate_password(password, user=person)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error


# --- logging in and out ------------------------------------------------------------------------


def authenticate_login(*, request: PreauRequest, identifier: str, password: str) -> Person:
    """The person these credentials open, or a ValidationError saying why not.

    Locked accounts and addresses are refused before the password is checked. A wrong
    password and an unknown login get the same message. Outside the operator's login windows
    (core.windows), the right password gets a "come back at" message instead of a session.
    Codes: "locked", "not_activated", "invalid", "blocked", "deferred".
    """
    tenant = request.tenant
    ip = request.META.get("REMOTE_ADDR") or None
    person = find_account(tenant, identifier)
    key = attempt_key(identifier, person)
    locked = lockout_for(tenant, key=key, ip=ip, person=person)
    if locked is not None:
        raise lockout_error(locked)
    if person is not None and person.activated_at is None and not person.has_usable_password():
        # Counted against the address only: a pupil who tries before activating must not lock
        # the activation page for their own account.
        _record_failure(tenant, key="", ip=ip)
        raise ValidationError(
            _(
                "This account is not activated yet. Activate it with the code printed on the "
                "letter from your school."
            ),
            code="not_activated",
        )
    user = authenticate(request, login=identifier, password=password)
    if not isinstance(user, Person):
        _record_failure(tenant, key=key, ip=ip)
        locked = lockout_for(tenant, key=key, ip=ip, person=person)
        if locked is not None:
            raise lockout_error(locked)
        raise ValidationError(
            _("Wrong login name, e-mail or password. Check them and try again."), code="invalid"
        )
    if user.is_blocked:
        raise _blocked_error(user)
    _check_login_window(user, tenant=tenant, ip=ip)
    return user


def _check_login_window(person: Person, *, tenant: Tenant, ip: str | None) -> None:
    """Refuse, for now, a login outside the operator's time windows for every profile the
    person holds (`PREAU_LOGIN_WINDOWS`, core.windows): the message says when to come back
    and an audit entry keeps the deferral. Nothing else happens (no failure is counted)."""
    windows = settings.PREAU_LOGIN_WINDOWS
    if not windows:
        return
    now = timezone.localtime()
    opening = next_login(windows, profiles_held(person), now)
    if opening is not None and opening <= now:
        return
    LOGINS_DEFERRED.inc()
    record_audit(
        actor=acting_as(person, ip=ip, tenant=tenant),
        action="accounts.login_deferred",
        subject=person,
        data={"until": opening.isoformat() if opening else None},
    )
    what = _(
        "To spread the connections of the busiest hours, logging in is open to your profile "
        "at set times only."
    )
    at = {"time": formats.time_format(opening) if opening else ""}
    if opening is None:
        when = _("Your school can tell you when logging in opens again.")
    elif opening.date() == now.date():
        when = _("You can log in from %(time)s today.") % at
    else:
        when = _("You can log in from %(day)s at %(time)s.") % {
            **at,
            "day": formats.date_format(opening, "l j F"),
        }
    raise ValidationError(f"{what} {when}", code="deferred")


def register_session(*, actor: Actor, session_key: str | None, user_agent: str) -> None:
    """Record (or refresh) one of the actor's open sessions, listed on their sessions page."""
    if not session_key:
        return
    values = {
        "ip": actor.ip or None,
        "user_agent": user_agent[:300],
        "last_seen_at": timezone.now(),
    }
    # A session key is random and fresh at each login: the row is new unless this session is
    # being listed again (same person), so try the update first and insert when there was none.
    mine = UserSession.objects.filter(session_key=session_key, person=actor.person)
    if not mine.update(**values):
        UserSession.objects.create(
            tenant=actor.tenant, person=actor.person, session_key=session_key, **values
        )


def open_session(*, actor: Actor, session_key: str | None, user_agent: str, method: str) -> None:
    """A login: list the new session and keep it in the connection log (the audit)."""
    register_session(actor=actor, session_key=session_key, user_agent=user_agent)
    record_audit(
        actor=actor, action="accounts.logged_in", subject=actor.person, data={"method": method}
    )


def end_session(*, actor: Actor, session_key: str | None) -> None:
    """Logging out: forget the row of this session (the view flushes the session itself) and
    log it out of the connected apps it opened through CAS."""
    if session_key:
        sessions_of(actor).filter(session_key=session_key).delete()
        log_out_of_services(session_keys=[session_key])
        record_audit(actor=actor, action="accounts.logged_out", subject=actor.person)


def refresh_sessions(*, actor: Actor, session_key: str | None, user_agent: str) -> None:
    """Before listing sessions: mark this one seen now and forget those that have ended."""
    register_session(actor=actor, session_key=session_key, user_agent=user_agent)
    rows = sessions_of(actor)
    keys = list(rows.values_list("session_key", flat=True))
    ended = set(keys) - live_session_keys(keys) - {session_key}
    if ended:
        rows.filter(session_key__in=ended).delete()


def revoke_session(*, actor: Actor, session_id: int) -> UserSession:
    """Log out one of the actor's own sessions (404 for anyone else's)."""
    with transaction.atomic():
        row = access_session(actor, session_id)
        _end_sessions([row.session_key])
        row.delete()
        record_audit(
            actor=actor,
            action="accounts.session_revoked",
            subject=actor.person,
            data={"ip": row.ip, "user_agent": row.user_agent[:120]},
        )
    return row


def log_out_everywhere(*, actor: Actor, keep_session_key: str | None) -> int:
    """Log out all the actor's sessions but `keep_session_key`; returns how many ended."""
    with transaction.atomic():
        count = _end_all_sessions_of(actor.person, keep_session_key=keep_session_key)
        record_audit(
            actor=actor,
            action="accounts.sessions_revoked",
            subject=actor.person,
            data={"count": count},
        )
    return count


# --- activation --------------------------------------------------------------------------------


def issue_activation_codes(*, actor: Actor, people: Sequence[Person]) -> list[tuple[Person, str]]:
    """Fresh activation codes to print on letters; earlier unused codes stop working.

    Every person must be administered by the actor, or nothing is written.
    """
    unique = list({person.pk: person for person in people}.values())
    ids = [person.pk for person in unique]
    allowed = set(
        policy.visible(actor, Person.objects.filter(tenant=actor.tenant, pk__in=ids)).values_list(
            "pk", flat=True
        )
    )
    if any(person.pk not in allowed for person in unique):
        raise PermissionDenied(_("You do not administer every one of these accounts."))
    issued: list[tuple[Person, str]] = []
    with transaction.atomic():
        for person in unique:
            plain = _issue_code(
                person, purpose=Purpose.ACTIVATION, validity=ACTIVATION_CODE_VALIDITY
            )
            record_audit(
                actor=actor,
                action="accounts.activation_code_issued",
                target=person,
                subject=person,
                school=actor.school,
            )
            issued.append((person, plain))
    return issued


def activate_account(
    *,
    tenant: Tenant,
    login: str,
    code: str,
    password: str,
    accept_terms: bool,
    ip: str | None,
) -> Person:
    """First connection: the code from the letter, a chosen password, the terms accepted.

    Errors name the field they belong to ("code", "password", "accept_terms") or none.
    """
    if not accept_terms:
        raise ValidationError({"accept_terms": _("Accept the terms of use to continue.")})
    person, row = _verify_code(tenant, login=login, code=code, purpose=Purpose.ACTIVATION, ip=ip)
    _check_new_password(person, password)
    with transaction.atomic():
        _claim_code(row)
        now = timezone.now()
        person.set_password(password)
        person.activated_at = now
        person.terms_accepted_at = now
        person.save(update_fields=["password", "activated_at", "terms_accepted_at"])
        OneTimeCode.objects.filter(
            person=person, purpose=Purpose.ACTIVATION, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        record_audit(
            actor=acting_as(person, ip=ip, tenant=tenant),
            action="accounts.account_activated",
            target=person,
            subject=person,
        )
    return person


# --- forgotten password ------------------------------------------------------------------------


def _reset_email(person: Person, *, tenant: Tenant, code: str, confirm_url: str) -> tuple[str, str]:
    with translation.override(person.language or settings.LANGUAGE_CODE):
        subject = _("Your password reset code")
        body = _(
            "Hello %(name)s,\n\n"
            "Someone, probably you, asked to reset the password of the account "
            "%(login)s on %(site)s.\n\n"
            "Your code: %(code)s\n\n"
            "It works once, for %(hours)d hours. Type it with a new password on this page:\n"
            "%(url)s\n\n"
            "If you did not ask for it, ignore this e-mail: your password stays the same."
        ) % {
            "name": person.first_name,
            "login": person.login,
            "site": tenant.name,
            "code": code,
            "hours": int(RESET_CODE_VALIDITY.total_seconds() // 3600),
            "url": f"{confirm_url}?{urlencode({'login': person.login})}",
        }
    return subject, body


def request_password_reset(
    *, tenant: Tenant, identifier: str, ip: str | None, confirm_url: str
) -> None:
    """E-mail a reset code to the active account(s) `identifier` names, if any.

    The caller shows the same answer whatever happens here, so nobody learns which login
    names or e-mails exist. `confirm_url` is the absolute address of the confirmation page.
    """
    if ip:
        locked = lockout_for(tenant, key=None, ip=ip)
        if locked is not None:
            raise lockout_error(locked)
    candidates = accounts_for_identifier(tenant, identifier, limit=RESET_ACCOUNTS_PER_EMAIL)
    typed = identifier.strip().lower()
    by_login = [p for p in candidates if p.login.lower() == typed]
    people = by_login or candidates
    now = timezone.now()
    for person in people:
        if person.is_blocked or person.activated_at is None or not person.email:
            continue
        recent = OneTimeCode.objects.filter(
            person=person, purpose=Purpose.RESET, created_at__gt=now - dt.timedelta(hours=1)
        ).count()
        if recent >= RESET_CODES_PER_HOUR:
            continue
        with transaction.atomic():
            plain = _issue_code(person, purpose=Purpose.RESET, validity=RESET_CODE_VALIDITY)
            record_audit(
                actor=None,
                tenant_id=tenant.pk,
                action="accounts.password_reset_requested",
                target=person,
                subject=person,
                data={"ip": ip},
            )
            subject, body = _reset_email(person, tenant=tenant, code=plain, confirm_url=confirm_url)
            transaction.on_commit(
                partial(send_mail, subject, body, None, [person.email], fail_silently=False)
            )


def reset_password_with_code(
    *, tenant: Tenant, login: str, code: str, password: str, ip: str | None
) -> Person:
    """A new password with the e-mailed code; every open session of the account is ended."""
    person, row = _verify_code(tenant, login=login, code=code, purpose=Purpose.RESET, ip=ip)
    _check_new_password(person, password)
    with transaction.atomic():
        _claim_code(row)
        now = timezone.now()
        person.set_password(password)
        person.save(update_fields=["password"])
        OneTimeCode.objects.filter(
            person=person, purpose=Purpose.RESET, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        _end_all_sessions_of(person)
        record_audit(
            actor=acting_as(person, ip=ip, tenant=tenant),
            action="accounts.password_reset_with_code",
            target=person,
            subject=person,
        )
    return person


# --- administration ----------------------------------------------------------------------------


def block_person(*, actor: Actor, person: Person, reason: str) -> None:
    """Block an account: it cannot log in, its sessions end. The reason is shown to the person."""
    _require_admin_of(actor, person)
    if person.pk == actor.person.pk:
        raise ValidationError(_("You cannot block your own account."))
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Say why the account is blocked: the person sees it.")})
    if len(reason) > BLOCK_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Keep the reason under %(max)d characters.")
                % {"max": BLOCK_REASON_MAX_LENGTH}
            }
        )
    with transaction.atomic():
        person.is_blocked = True
        person.blocked_reason = reason
        person.save(update_fields=["is_blocked", "blocked_reason"])
        ended = _end_all_sessions_of(person)
        record_audit(
            actor=actor,
            action="accounts.person_blocked",
            target=person,
            subject=person,
            school=actor.school,
            data={"reason": reason, "sessions_ended": ended},
        )


def unblock_person(*, actor: Actor, person: Person) -> None:
    _require_admin_of(actor, person)
    with transaction.atomic():
        person.is_blocked = False
        person.blocked_reason = ""
        person.save(update_fields=["is_blocked", "blocked_reason"])
        record_audit(
            actor=actor,
            action="accounts.person_unblocked",
            target=person,
            subject=person,
            school=actor.school,
        )


def reset_password(*, actor: Actor, person: Person) -> str:
    """Administrator's reset: the password stops working, sessions end, and a fresh activation
    code (returned, to print or hand over) lets the person choose a new one."""
    _require_admin_of(actor, person)
    with transaction.atomic():
        person.set_unusable_password()
        person.activated_at = None
        person.save(update_fields=["password", "activated_at"])
        now = timezone.now()
        OneTimeCode.objects.filter(
            person=person, purpose=Purpose.RESET, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        ended = _end_all_sessions_of(person)
        plain = _issue_code(person, purpose=Purpose.ACTIVATION, validity=ACTIVATION_CODE_VALIDITY)
        record_audit(
            actor=actor,
            action="accounts.password_reset_by_admin",
            target=person,
            subject=person,
            school=actor.school,
            data={"sessions_ended": ended},
        )
    return plain


# --- API tokens --------------------------------------------------------------------------------


def create_api_token(*, actor: Actor, label: str) -> tuple[ApiToken, str]:
    """A personal API token; only its SHA-256 is kept, the token is returned to show once."""
    label = " ".join(label.split())
    if not label:
        raise ValidationError(
            {"label": _("Name the token, for example after the script using it.")}
        )
    if len(label) > 80:
        raise ValidationError({"label": _("Keep the name under 80 characters.")})
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(
            tenant=actor.tenant,
            person=actor.person,
            label=label,
            key_hash=hashlib.sha256(token.encode()).hexdigest(),
        )
        record_audit(
            actor=actor, action="accounts.api_token_created", target=row, subject=actor.person
        )
    return row, token


def revoke_api_token(*, actor: Actor, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens (404 for anyone else's)."""
    with transaction.atomic():
        row = access_api_token(actor, token_id)
        if row.revoked_at is None:
            row.revoked_at = timezone.now()
            row.save(update_fields=["revoked_at"])
            record_audit(
                actor=actor, action="accounts.api_token_revoked", target=row, subject=actor.person
            )
    return row


# --- housekeeping ------------------------------------------------------------------------------

# Failed attempts are kept a week (the lock-out reads 15 minutes; the rest helps investigate),
# spent or expired codes a month.
LOGIN_ATTEMPTS_KEPT = dt.timedelta(days=7)
SPENT_CODES_KEPT = dt.timedelta(days=30)
SESSION_ROWS_BATCH = 1000


def purge_stale_rows() -> dict[str, int]:
    """Delete old failed attempts, long-spent codes and the rows of sessions that have ended.

    Run daily by `manage.py purge_accounts` (cron or Celery beat); no actor: nothing personal
    is changed, only bookkeeping that has served its purpose.
    """
    now = timezone.now()
    attempts, _ = LoginAttempt.objects.filter(at__lt=now - LOGIN_ATTEMPTS_KEPT).delete()
    spent = OneTimeCode.objects.filter(
        Q(used_at__lt=now - SPENT_CODES_KEPT) | Q(expires_at__lt=now - SPENT_CODES_KEPT)
    )
    codes_deleted, _ = spent.delete()
    sessions_deleted = 0
    last_pk = 0
    while True:
        batch = list(
            UserSession.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "session_key")[:SESSION_ROWS_BATCH]
        )
        if not batch:
            break
        last_pk = batch[-1][0]
        live = live_session_keys([key for _pk, key in batch])
        ended = [pk for pk, key in batch if key not in live]
        if ended:
            sessions_deleted += UserSession.objects.filter(pk__in=ended).delete()[0]
    return {
        "login_attempts": attempts,
        "codes": codes_deleted,
        "sessions": sessions_deleted,
    }
