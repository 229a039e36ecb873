"""Writes of the directory: schools, people, classes, groups and communication rules, by hand.

Every action takes the actor first, checks that they administer the school, validates that every
object it is handed belongs to the same tenant and school (a forged id is a ValidationError,
never a cross-school write), writes in one transaction and leaves an audit entry.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from preau.core.actor import Actor
from preau.core.audit import record_audit
from preau.core.permissions import require
from preau.directory.communication import RULES, effective_rules
from preau.directory.logins import generate_login
from preau.directory.models import (
    Authority,
    CommunicationRule,
    Function,
    Group,
    GroupMember,
    ImportChange,
    ImportJob,
    Level,
    Membership,
    Person,
    Profile,
    School,
    SchoolClass,
    SchoolYear,
    validate_uai,
)
from preau.directory.permissions import Perm, policy
from preau.directory.queries import current_year

LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
NAME_MAX = 100
LOGIN_MAX = 150


# --- helpers ----------------------------------------------------------------------------------


def _require_school(actor: Actor, school: School) -> None:
    require(policy, actor, Perm.ADMINISTER_SCHOOL, school)


def _open_year(actor: Actor) -> SchoolYear:
    year = current_year(actor.tenant)
    if year is None:
        raise ValidationError(
            _("No school year is open: open the current school year first."), code="no_year"
        )
    return year


def _require_current(actor: Actor, year_id: int) -> None:
    """Past school years are archives: their classes and groups are read, never changed."""
    year = current_year(actor.tenant)
    if year is None or year.pk != year_id:
        raise ValidationError(
            _("This belongs to a past school year: it is kept as an archive and cannot change."),
            code="archive",
        )


def _clean_name(value: str, field: str, errors: dict[str, list[str]]) -> str:
    value = " ".join((value or "").split())
    if not value:
        errors.setdefault(field, []).append(_("This field is required."))
    elif len(value) > NAME_MAX:
        errors.setdefault(field, []).append(
            _("Use at most %(max)d characters.") % {"max": NAME_MAX}
        )
    return value


def _clean_email(value: str, errors: dict[str, list[str]]) -> str:
    # Stored lower-case: the login backend matches e-mails exactly, on an index.
    value = (value or "").strip().lower()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            errors.setdefault("email", []).append(_("Enter a valid e-mail address."))
    return value


def _clean_login(
    actor: Actor, value: str, errors: dict[str, list[str]], *, exclude: Person | None = None
) -> str:
    value = (value or "").strip().lower()
    if not value:
        return value
    if len(value) > LOGIN_MAX or not LOGIN_RE.match(value):
        errors.setdefault("login", []).append(
            _(
                "A login name uses lower-case letters without accents, digits, dots, hyphens "
                "and underscores, and starts with a letter or a digit."
            )
        )
        return value
    taken = Person.objects.filter(tenant=actor.tenant, login__iexact=value)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        errors.setdefault("login", []).append(_login_taken(value))
    return value


def _login_taken(login: str) -> str:
    return _("The login name “%(login)s” is already used by someone else in this ENT.") % {
        "login": login
    }


def _clean_functions(
    functions: Iterable[str], *, is_staff: bool, errors: dict[str, list[str]]
) -> list[str]:
    functions = list(dict.fromkeys(functions))
    if any(f not in Function.values for f in functions):
        errors.setdefault("functions", []).append(_("Choose functions from the list."))
    elif functions and not is_staff:
        errors.setdefault("functions", []).append(_("Only staff members have functions."))
    return functions


def _check_class(
    school: School, year: SchoolYear, school_class: SchoolClass | None, field: str = "school_class"
) -> None:
    if school_class is None:
        return
    if (
        school_class.tenant_id != school.tenant_id
        or school_class.school_id != school.pk
        or school_class.year_id != year.pk
    ):
        raise ValidationError(
            {field: _("Choose a class of this school for the current school year.")},
            code="foreign_class",
        )


def _check_level(actor: Actor, level: Level | None) -> None:
    if level is not None and level.tenant_id != actor.tenant.pk:
        raise ValidationError({"level": _("Choose a level from the list.")}, code="foreign_level")


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _ids(objects: Iterable[Any]) -> set[int]:
    return {obj.pk for obj in objects}


# --- people ------------------------------------------------------------------------------------


@transaction.atomic
def create_person(
    *,
    actor: Actor,
    school: School,
    first_name: str,
    last_name: str,
    profile: str,
    email: str = "",
    birth_date: dt.date | None = None,
    school_class: SchoolClass | None = None,
    functions: Sequence[str] = (),
    login: str = "",
) -> Person:
    """Create an account by hand and its membership of `school` for the current year.

    The login name is generated (`prenom.nom`, then `prenom.nom2`…) when left blank; a login
    name typed by hand must be free in the tenant. The account is not activated: print an
    activation code for it.
    """
    _require_school(actor, school)
    year = _open_year(actor)
    errors: dict[str, list[str]] = {}
    first_name = _clean_name(first_name, "first_name", errors)
    last_name = _clean_name(last_name, "last_name", errors)
    email = _clean_email(email, errors)
    login = _clean_login(actor, login, errors)
    if profile not in Profile.values:
        errors.setdefault("profile", []).append(_("Choose a profile from the list."))
    functions = _clean_functions(functions, is_staff=profile == Profile.STAFF, errors=errors)
    if school_class is not None and profile != Profile.PUPIL:
        errors.setdefault("school_class", []).append(_("Only pupils belong to a class."))
    _raise(errors)
    _check_class(school, year, school_class)

    if not login:
        login = generate_login(actor.tenant, first_name, last_name)
    person = Person(
        tenant=actor.tenant,
        login=login,
        first_name=first_name,
        last_name=last_name,
        email=email,
        birth_date=birth_date,
    )
    person.set_unusable_password()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent creation took the name in between
        raise ValidationError({"login": [_login_taken(login)]}) from exc
    Membership.objects.create(
        tenant=actor.tenant,
        person=person,
        school=school,
        year=year,
        profile=profile,
        functions=functions,
        school_class=school_class,
    )
    record_audit(
        actor=actor,
        action="directory.person_created",
        target=person,
        subject=person,
        school=school,
        data={
            "login": login,
            "profile": profile,
            "functions": functions,
            "class": school_class.code if school_class else None,
        },
    )
    return person


@transaction.atomic
def update_person(
    *,
    actor: Actor,
    school: School,
    person: Person,
    first_name: str,
    last_name: str,
    email: str = "",
    birth_date: dt.date | None = None,
    login: str | None = None,
    school_class: SchoolClass | None = None,
    functions: Sequence[str] | None = None,
) -> Person:
    """Change a member's identity, login name, class (pupils) or functions (staff).

    `login=None` keeps the login name; `functions=None` keeps the functions. `school_class`
    is the pupil's class in `school` this year (None: no class).
    """
    _require_school(actor, school)
    year = _open_year(actor)
    memberships = {
        m.profile: m
        for m in Membership.objects.select_for_update().filter(
            tenant=actor.tenant, school=school, year=year, person_id=person.pk
        )
    }
    if person.tenant_id != actor.tenant.pk or not memberships:
        raise ValidationError(_("This person is not a member of this school this year."))
    person = Person.objects.select_for_update().get(pk=person.pk)

    errors: dict[str, list[str]] = {}
    first_name = _clean_name(first_name, "first_name", errors)
    last_name = _clean_name(last_name, "last_name", errors)
    email = _clean_email(email, errors)
    if login is not None and login.strip() != person.login:
        login = _clean_login(actor, login, errors, exclude=person) or person.login
    else:
        login = None  # unchanged (an imported login name may predate today's format)
    pupil = memberships.get(Profile.PUPIL)
    staff = memberships.get(Profile.STAFF)
    if school_class is not None and pupil is None:
        errors.setdefault("school_class", []).append(_("Only pupils belong to a class."))
    if functions is not None:
        functions = _clean_functions(functions, is_staff=staff is not None, errors=errors)
    _raise(errors)
    _check_class(school, year, school_class)

    changes = _apply_changes(
        person,
        {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "birth_date": birth_date,
            "login": login if login is not None else person.login,
        },
    )
    if changes:
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError as exc:
            raise ValidationError({"login": [_login_taken(person.login)]}) from exc
    if pupil is not None and pupil.school_class_id != (school_class.pk if school_class else None):
        old_class = pupil.school_class.code if pupil.school_class else None
        changes["class"] = [old_class, school_class.code if school_class else None]
        pupil.school_class = school_class
        pupil.save(update_fields=["school_class"])
    if staff is not None and functions is not None and list(staff.functions) != functions:
        changes["functions"] = [list(staff.functions), functions]
        staff.functions = functions
        staff.save(update_fields=["functions"])
    if changes:
        record_audit(
            actor=actor,
            action="directory.person_updated",
            target=person,
            subject=person,
            school=school,
            data={"changes": changes},
        )
    return person


def _audit_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _apply_changes(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the fields of `obj` that differ; return them as {field: [old, new]} for the audit."""
    changes: dict[str, list[Any]] = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = [_audit_value(old), _audit_value(new)]
            setattr(obj, field, new)
    return changes


# --- classes -----------------------------------------------------------------------------------


def _clean_code(value: str, errors: dict[str, list[str]]) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault("code", []).append(_("This field is required."))
    elif len(value) > 30:
        errors.setdefault("code", []).append(_("Use at most %(max)d characters.") % {"max": 30})
    return value


def _clean_label(value: str, errors: dict[str, list[str]]) -> str:
    value = " ".join((value or "").split())
    if not value:
        errors.setdefault("name", []).append(_("This field is required."))
    elif len(value) > 80:
        errors.setdefault("name", []).append(_("Use at most %(max)d characters.") % {"max": 80})
    return value


def _class_code_taken(code: str) -> str:
    return _("A class with the code “%(code)s” already exists in this school this year.") % {
        "code": code
    }


@transaction.atomic
def create_class(
    *, actor: Actor, school: School, code: str, name: str, level: Level | None = None
) -> SchoolClass:
    """A new class of `school` for the current school year; its code is unique there."""
    _require_school(actor, school)
    year = _open_year(actor)
    errors: dict[str, list[str]] = {}
    code = _clean_code(code, errors)
    name = _clean_label(name, errors)
    if code and SchoolClass.objects.filter(school=school, year=year, code__iexact=code).exists():
        errors.setdefault("code", []).append(_class_code_taken(code))
    _raise(errors)
    _check_level(actor, level)
    try:
        with transaction.atomic():
            school_class = SchoolClass.objects.create(
                tenant=actor.tenant, school=school, year=year, code=code, name=name, level=level
            )
    except IntegrityError as exc:
        raise ValidationError({"code": [_class_code_taken(code)]}) from exc
    record_audit(
        actor=actor,
        action="directory.class_created",
        target=school_class,
        school=school,
        data={"code": code, "name": name},
    )
    return school_class


@transaction.atomic
def update_class(
    *, actor: Actor, school_class: SchoolClass, code: str, name: str, level: Level | None = None
) -> SchoolClass:
    """Rename a class or change its code or level."""
    school = school_class.school
    _require_school(actor, school)
    _require_current(actor, school_class.year_id)
    errors: dict[str, list[str]] = {}
    code = _clean_code(code, errors)
    name = _clean_label(name, errors)
    if (
        code
        and SchoolClass.objects.filter(
            school=school, year_id=school_class.year_id, code__iexact=code
        )
        .exclude(pk=school_class.pk)
        .exists()
    ):
        errors.setdefault("code", []).append(_class_code_taken(code))
    _raise(errors)
    _check_level(actor, level)
    changes = _apply_changes(
        school_class, {"code": code, "name": name, "level_id": level.pk if level else None}
    )
    if changes:
        try:
            with transaction.atomic():
                school_class.save(update_fields=["code", "name", "level"])
        except IntegrityError as exc:
            raise ValidationError({"code": [_class_code_taken(code)]}) from exc
        record_audit(
            actor=actor,
            action="directory.class_updated",
            target=school_class,
            school=school,
            data={"changes": changes},
        )
    return school_class


@transaction.atomic
def set_class_pupils(
    *, actor: Actor, school_class: SchoolClass, pupils: Iterable[Person]
) -> tuple[int, int]:
    """Make `pupils` the pupils of `school_class`, moving their memberships of this year.

    Every pupil must be a pupil of the class's school that year. Pupils of the class who are
    not in `pupils` are left without a class. Returns (how many joined, how many left).
    """
    school = school_class.school
    _require_school(actor, school)
    _require_current(actor, school_class.year_id)
    wanted = _ids(pupils)
    memberships = Membership.objects.select_for_update(of=("self",)).filter(
        tenant=actor.tenant, school=school, year_id=school_class.year_id, profile=Profile.PUPIL
    )
    joining = list(
        memberships.filter(person_id__in=wanted)
        .exclude(school_class=school_class)
        .select_related("person", "school_class")
    )
    found = set(memberships.filter(person_id__in=wanted).values_list("person_id", flat=True))
    if found != wanted:
        raise ValidationError(
            {"pupils": _("Choose pupils of this school from the list.")}, code="foreign_pupil"
        )
    leaving = list(
        memberships.filter(school_class=school_class)
        .exclude(person_id__in=wanted)
        .select_related("person")
    )
    for m in joining:
        record_audit(
            actor=actor,
            action="directory.class_pupil_added",
            target=school_class,
            subject=m.person,
            school=school,
            data={"from": m.school_class.code if m.school_class else None, "to": school_class.code},
        )
    for m in leaving:
        record_audit(
            actor=actor,
            action="directory.class_pupil_removed",
            target=school_class,
            subject=m.person,
            school=school,
            data={"from": school_class.code, "to": None},
        )
    Membership.objects.filter(pk__in=[m.pk for m in joining]).update(school_class=school_class)
    Membership.objects.filter(pk__in=[m.pk for m in leaving]).update(school_class=None)
    return len(joining), len(leaving)


# --- groups ------------------------------------------------------------------------------------


def _group_code_taken(code: str) -> str:
    return _("A group with the code “%(code)s” already exists in this school this year.") % {
        "code": code
    }


def _check_group_fields(
    *,
    school: School,
    year_id: int,
    code: str,
    name: str,
    kind: str,
    classes: Sequence[SchoolClass],
    exclude: Group | None = None,
) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    code = _clean_code(code, errors)
    name = _clean_label(name, errors)
    if kind not in Group.Kind.values:
        errors.setdefault("kind", []).append(_("Choose a kind from the list."))
    taken = Group.objects.filter(school=school, year_id=year_id, code__iexact=code)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if code and taken.exists():
        errors.setdefault("code", []).append(_group_code_taken(code))
    if any(
        c.tenant_id != school.tenant_id or c.school_id != school.pk or c.year_id != year_id
        for c in classes
    ):
        errors.setdefault("classes", []).append(
            _("Choose classes of this school for the current school year.")
        )
    _raise(errors)
    return code, name


@transaction.atomic
def create_group(
    *,
    actor: Actor,
    school: School,
    code: str,
    name: str,
    kind: str,
    classes: Sequence[SchoolClass] = (),
) -> Group:
    """A new group of `school` for the current year, optionally tied to classes."""
    _require_school(actor, school)
    year = _open_year(actor)
    classes = list(classes)
    code, name = _check_group_fields(
        school=school, year_id=year.pk, code=code, name=name, kind=kind, classes=classes
    )
    try:
        with transaction.atomic():
            group = Group.objects.create(
                tenant=actor.tenant, school=school, year=year, code=code, name=name, kind=kind
            )
    except IntegrityError as exc:
        raise ValidationError({"code": [_group_code_taken(code)]}) from exc
    group.classes.set(classes)
    record_audit(
        actor=actor,
        action="directory.group_created",
        target=group,
        school=school,
        data={"code": code, "name": name, "kind": kind, "classes": sorted(c.code for c in classes)},
    )
    return group


@transaction.atomic
def update_group(
    *,
    actor: Actor,
    group: Group,
    code: str,
    name: str,
    kind: str,
    classes: Sequence[SchoolClass] = (),
) -> Group:
    """Rename a group, change its code, kind or classes."""
    school = group.school
    _require_school(actor, school)
    _require_current(actor, group.year_id)
    classes = list(classes)
    code, name = _check_group_fields(
        school=school,
        year_id=group.year_id,
        code=code,
        name=name,
        kind=kind,
        classes=classes,
        exclude=group,
    )
    changes = _apply_changes(group, {"code": code, "name": name, "kind": kind})
    old_classes = sorted(group.classes.values_list("code", flat=True))
    new_classes = sorted(c.code for c in classes)
    if old_classes != new_classes:
        changes["classes"] = [old_classes, new_classes]
    if changes:
        try:
            with transaction.atomic():
                group.save(update_fields=["code", "name", "kind"])
        except IntegrityError as exc:
            raise ValidationError({"code": [_group_code_taken(code)]}) from exc
        group.classes.set(classes)
        record_audit(
            actor=actor,
            action="directory.group_updated",
            target=group,
            school=school,
            data={"changes": changes},
        )
    return group


@transaction.atomic
def set_group_members(*, actor: Actor, group: Group, people: Iterable[Person]) -> tuple[int, int]:
    """Make `people` the members of `group`; each must be a member of its school that year.

    Returns (how many joined, how many left).
    """
    school = group.school
    _require_school(actor, school)
    _require_current(actor, group.year_id)
    wanted = _ids(people)
    members_of_school = set(
        Membership.objects.filter(
            tenant=actor.tenant, school=school, year_id=group.year_id, person_id__in=wanted
        ).values_list("person_id", flat=True)
    )
    if members_of_school != wanted:
        raise ValidationError(
            {"members": _("Choose members of this school from the list.")}, code="foreign_member"
        )
    current = {
        gm.person_id: gm
        for gm in GroupMember.objects.select_for_update(of=("self",))
        .filter(group=group)
        .select_related("person")
    }
    joining = wanted - current.keys()
    leaving = [gm for pid, gm in current.items() if pid not in wanted]
    newcomers = {p.pk: p for p in Person.objects.filter(pk__in=joining)}
    GroupMember.objects.bulk_create(
        [GroupMember(tenant=actor.tenant, group=group, person_id=pid) for pid in sorted(joining)]
    )
    GroupMember.objects.filter(pk__in=[gm.pk for gm in leaving]).delete()
    for pid in sorted(joining):
        record_audit(
            actor=actor,
            action="directory.group_member_added",
            target=group,
            subject=newcomers[pid],
            school=school,
        )
    for gm in leaving:
        record_audit(
            actor=actor,
            action="directory.group_member_removed",
            target=group,
            subject=gm.person,
            school=school,
        )
    return len(joining), len(leaving)


# --- communication rules -----------------------------------------------------------------------


@transaction.atomic
def set_communication_rules(
    *, actor: Actor, school: School, rules: Mapping[str, bool]
) -> dict[str, bool]:
    """Set the school's communication rules; only differences from the defaults are stored.

    Keys absent from `rules` keep their current value. Returns the rules now in force.
    """
    _require_school(actor, school)
    unknown = sorted(set(rules) - set(RULES))
    if unknown:
        raise ValidationError(
            _("Unknown communication rule: %(rules)s.") % {"rules": ", ".join(unknown)},
            code="unknown_rule",
        )
    before = effective_rules(school)
    after = {key: bool(rules.get(key, before[key])) for key in RULES}
    changes = {key: [before[key], after[key]] for key in RULES if before[key] != after[key]}
    for key, rule in RULES.items():
        if after[key] == rule.default:
            CommunicationRule.objects.filter(school=school, rule=key).delete()
        else:
            CommunicationRule.objects.update_or_create(
                school=school, rule=key, defaults={"tenant": actor.tenant, "allowed": after[key]}
            )
    if changes:
        record_audit(
            actor=actor,
            action="directory.communication_rules_changed",
            target=school,
            school=school,
            data={"changes": changes},
        )
    return after


# --- schools -----------------------------------------------------------------------------------
#
# Who may do what:
# - create a school: the operator (under any authorities of the tenant, or none) or an authority
#   administrator (under authorities of the tenant, at least one of them theirs, and no authority
#   they do not administer);
# - change a school: anyone who administers it (`Perm.ADMINISTER_SCHOOL`), but only the operator
#   or an administrator of one of the school's authorities changes its UAI, kind, sector and
#   authorities; a school administrator (ADML) changes its name and city only. An authority
#   administrator attaches or detaches only authorities they administer, and the school stays
#   under at least one of them.

SCHOOL_NAME_MAX = 160
CITY_MAX = 120


def _uai_taken(other: School | None) -> str:
    if other is None:  # taken by a concurrent write that we cannot see
        return _("This UAI code is already used by another school.")
    return _("This UAI code is already used by %(school)s.") % {"school": other.name}


def _clean_uai(
    actor: Actor, value: str, errors: dict[str, list[str]], *, exclude: School | None = None
) -> str:
    value = (value or "").strip().upper()
    if not value:
        errors.setdefault("uai", []).append(_("This field is required."))
        return value
    try:
        # Non-ASCII digits (superscripts, other scripts) pass str.isdigit() but are no UAI.
        validate_uai(value if value.isascii() else "")
    except ValidationError as exc:
        errors.setdefault("uai", []).extend(exc.messages)
        return value
    taken = School.objects.filter(tenant=actor.tenant, uai__iexact=value)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    other = taken.only("name").first()
    if other is not None:
        errors.setdefault("uai", []).append(_uai_taken(other))
    return value


def _clean_school_fields(
    name: str, kind: str, sector: str, city: str, errors: dict[str, list[str]]
) -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not name:
        errors.setdefault("name", []).append(_("This field is required."))
    elif len(name) > SCHOOL_NAME_MAX:
        errors.setdefault("name", []).append(
            _("Use at most %(max)d characters.") % {"max": SCHOOL_NAME_MAX}
        )
    city = " ".join((city or "").split())
    if len(city) > CITY_MAX:
        errors.setdefault("city", []).append(
            _("Use at most %(max)d characters.") % {"max": CITY_MAX}
        )
    if kind not in School.Kind.values:
        errors.setdefault("kind", []).append(_("Choose a kind of school from the list."))
    if sector not in School.Sector.values:
        errors.setdefault("sector", []).append(_("Choose a sector from the list."))
    return name, city


def _check_authorities(
    actor: Actor,
    authorities: list[Authority],
    errors: dict[str, list[str]],
    *,
    before: frozenset[int] | set[int] = frozenset(),
) -> None:
    """Authorities of the tenant; for an authority administrator, only theirs may be attached or
    detached, and the school must stay under at least one of theirs."""
    if any(a.tenant_id != actor.tenant.pk for a in authorities):
        errors.setdefault("authorities", []).append(_("Choose authorities from the list."))
        return
    if actor.is_operator:
        return
    mine = actor.admin_authority_ids
    if (_ids(authorities) ^ before) - mine:
        errors.setdefault("authorities", []).append(
            _("You can only attach a school to, or detach it from, authorities you administer.")
        )
    elif not _ids(authorities) & mine:
        errors.setdefault("authorities", []).append(
            _("Choose at least one authority you administer.")
        )


def _authority_names(authorities: Iterable[Authority]) -> list[str]:
    return sorted(a.name for a in authorities)


@transaction.atomic
def create_school(
    *,
    actor: Actor,
    uai: str,
    name: str,
    kind: str,
    sector: str,
    city: str = "",
    authorities: Iterable[Authority] = (),
) -> School:
    """A new school of the tenant, under `authorities`.

    The UAI is stripped and upper-cased, must be well formed (7 digits and the right check
    letter) and free in the tenant. The operator may create any school; an authority
    administrator only under authorities they administer (at least one).
    """
    if not policy.can(actor, Perm.CREATE_SCHOOL):
        raise PermissionDenied("directory.create_school")
    authorities = list(dict.fromkeys(authorities))
    errors: dict[str, list[str]] = {}
    uai = _clean_uai(actor, uai, errors)
    name, city = _clean_school_fields(name, kind, sector, city, errors)
    _check_authorities(actor, authorities, errors)
    _raise(errors)
    try:
        with transaction.atomic():
            school = School.objects.create(
                tenant=actor.tenant, uai=uai, name=name, kind=kind, sector=sector, city=city
            )
    except IntegrityError as exc:  # a concurrent creation took the UAI in between
        other = School.objects.filter(tenant=actor.tenant, uai__iexact=uai).first()
        raise ValidationError({"uai": [_uai_taken(other)]}) from exc
    school.authorities.set(authorities)
    record_audit(
        actor=actor,
        action="directory.school_created",
        target=school,
        school=school,
        data={
            "uai": uai,
            "name": name,
            "kind": kind,
            "sector": sector,
            "city": city,
            "authorities": _authority_names(authorities),
        },
    )
    return school


@transaction.atomic
def update_school(
    *,
    actor: Actor,
    school: School,
    uai: str,
    name: str,
    kind: str,
    sector: str,
    city: str = "",
    authorities: Iterable[Authority] = (),
) -> School:
    """Change a school. `authorities` is the full set the school hangs under afterwards.

    A school administrator may change the name and city only: handing them another UAI, kind,
    sector or set of authorities is a PermissionDenied (their form does not offer these fields).
    """
    require(policy, actor, Perm.ADMINISTER_SCHOOL, school)
    school = School.objects.select_for_update().get(pk=school.pk, tenant=actor.tenant)
    before_authorities = list(school.authorities.order_by("pk"))
    before_ids = _ids(before_authorities)
    authorities = list(dict.fromkeys(authorities))
    uai_changed = (uai or "").strip().upper() != school.uai.strip().upper()
    identity_changed = (
        uai_changed
        or kind != school.kind
        or sector != school.sector
        or _ids(authorities) != before_ids
    )
    if identity_changed and not policy.can(actor, Perm.CHANGE_SCHOOL_IDENTITY, school):
        raise PermissionDenied("directory.change_school_identity")

    errors: dict[str, list[str]] = {}
    # An unchanged UAI is not checked again (an imported code may predate a rule).
    uai = _clean_uai(actor, uai, errors, exclude=school) if uai_changed else school.uai
    name, city = _clean_school_fields(name, kind, sector, city, errors)
    if _ids(authorities) != before_ids:
        _check_authorities(actor, authorities, errors, before=before_ids)
    _raise(errors)

    changes = _apply_changes(
        school, {"uai": uai, "name": name, "kind": kind, "sector": sector, "city": city}
    )
    if changes:
        try:
            with transaction.atomic():
                school.save(update_fields=list(changes))
        except IntegrityError as exc:
            other = (
                School.objects.filter(tenant=actor.tenant, uai__iexact=uai)
                .exclude(pk=school.pk)
                .first()
            )
            raise ValidationError({"uai": [_uai_taken(other)]}) from exc
    if _ids(authorities) != before_ids:
        changes["authorities"] = [
            _authority_names(before_authorities),
            _authority_names(authorities),
        ]
        school.authorities.set(authorities)
    if changes:
        record_audit(
            actor=actor,
            action="directory.school_updated",
            target=school,
            school=school,
            data={"changes": changes},
        )
    return school


# --- imports (feeds) ----------------------------------------------------------------------------

IMPORT_SUFFIXES = {
    ImportJob.Format.AAF: {".xml"},
    ImportJob.Format.SIECLE: {".xml"},
    ImportJob.Format.STS: {".xml"},
    ImportJob.Format.CSV: {".csv", ".txt"},
}


def _safe_file_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name.replace("\\", "/").rsplit("/", 1)[-1])
    return stem.strip("._")[:120] or "file"


def _require_import(actor: Actor, format: str, school: School | None) -> None:
    if format == ImportJob.Format.AAF:
        require(policy, actor, Perm.IMPORT_AAF)
    elif school is None:
        raise ValidationError({"school": _("Choose the school to import into.")})
    else:
        require(policy, actor, Perm.IMPORT_SCHOOL, school)


def _check_import_files(
    format: str,
    files: Sequence[tuple[str, IO[bytes]]],
    profile: str,
) -> dict[str, list[str]]:
    """Names, types, sizes and (CSV) the profile of an import's files: what a form can say."""
    errors: dict[str, list[str]] = {}
    if not files:
        errors.setdefault("files", []).append(_("Choose at least one file."))
    if format == ImportJob.Format.CSV:
        from preau.directory.feeds.csvfeed import TEMPLATE_PROFILES

        if profile not in TEMPLATE_PROFILES:
            errors.setdefault("profile", []).append(
                _("Choose the profile of the people in this file.")
            )
        if len(files) > 1:
            errors.setdefault("files", []).append(_("Import one CSV file at a time."))
    limit = settings.PREAU_IMPORT_MAX_BYTES
    for name, fileobj in files:
        suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if suffix not in IMPORT_SUFFIXES[ImportJob.Format(format)]:
            errors.setdefault("files", []).append(
                _("%(name)s: expected a %(suffixes)s file.")
                % {
                    "name": name,
                    "suffixes": ", ".join(sorted(IMPORT_SUFFIXES[ImportJob.Format(format)])),
                }
            )
        size = getattr(fileobj, "size", None)
        if size is not None and size > limit:
            errors.setdefault("files", []).append(
                _("%(name)s is larger than the %(limit)d MB allowed.")
                % {"name": name, "limit": limit // (1024 * 1024)}
            )
        if format == ImportJob.Format.AAF:
            from preau.directory.feeds.aaf import file_type
            from preau.directory.feeds.records import FeedError

            try:
                file_type(Path(name))
            except FeedError as exc:
                errors.setdefault("files", []).append(f"{name}: {exc.message}")
    return errors


@transaction.atomic
def start_import(
    *,
    actor: Actor,
    format: str,
    files: Sequence[tuple[str, IO[bytes]]],
    school: School | None = None,
    complete: bool = True,
    profile: str = "",
    queue: bool = True,
) -> ImportJob:
    """Store the uploaded files of an import, create its job and queue its preview.

    AAF sets are the operator's and authority administrators'; SIECLE, STS-Web and CSV files
    are imported by a school's administrators into their school. The files are checked here
    (names, types, sizes); their content is checked by the preview.
    """
    if format not in ImportJob.Format.values:
        raise ValidationError({"format": _("Choose a format from the list.")})
    if format == ImportJob.Format.AAF:
        school = None
    _require_import(actor, format, school)
    if format == ImportJob.Format.CSV:
        complete = False
    _raise(_check_import_files(format, files, profile))
    job = ImportJob.objects.create(
        tenant=actor.tenant,
        format=format,
        complete=complete,
        profile=profile if format == ImportJob.Format.CSV else "",
        school=school,
        scope_key="aaf" if school is None else f"school:{school.pk}",
        created_by=actor.person,
    )
    stored = []
    for name, fileobj in files:
        safe = _safe_file_name(name)
        path = default_storage.save(f"imports/{actor.tenant.pk}/{job.pk}/{safe}", File(fileobj))
        stored.append({"name": safe, "path": path, "size": default_storage.size(path)})
    job.files = stored
    job.save(update_fields=["files"])
    record_audit(
        actor=actor,
        action="directory.import_started",
        target=job,
        school=school,
        data={"format": format, "files": [f["name"] for f in stored], "complete": complete},
    )
    if queue:
        _queue_import(job, apply=False)
    return job


def _queue_import(job: ImportJob, *, apply: bool) -> None:
    from preau.directory.tasks import run_import

    transaction.on_commit(lambda: run_import.delay(job.pk, apply))


def preview_import(*, actor: Actor, job: ImportJob) -> ImportJob:
    """Queue the preview again: a job left waiting for its scope, or one that failed."""
    _require_import(actor, job.format, job.school)
    if job.status not in {ImportJob.Status.PENDING, ImportJob.Status.FAILED}:
        raise ValidationError(_("This import has already been previewed."), code="previewed")
    _queue_import(job, apply=False)
    return job


def apply_import(
    *, actor: Actor, job: ImportJob, skip_invalid: bool = False, queue: bool = True
) -> ImportJob:
    """Ask for a previewed import to be applied. Blocking errors apply nothing, unless the
    administrator explicitly chooses to apply only the valid lines of a CSV file."""
    _require_import(actor, job.format, job.school)
    if job.status != ImportJob.Status.PREVIEWED:
        raise ValidationError(_("Only a previewed import can be applied."), code="not_previewed")
    if not all(f.get("path") for f in job.files):
        raise ValidationError(
            _("The files of this preview are no longer kept: import them again."), code="discarded"
        )
    if job.summary.get("error_count") and not (skip_invalid and job.format == ImportJob.Format.CSV):
        raise ValidationError(
            _("This import has blocking errors: correct the files and import them again."),
            code="blocking",
        )
    job.skip_invalid = skip_invalid
    job.save(update_fields=["skip_invalid"])
    if queue:
        _queue_import(job, apply=True)
    return job


# --- school years, retention, duplicates ---------------------------------------------------------
#
# The imports of this part of the file are grouped here on purpose: it was appended while other
# parts of the module were being edited.

import logging  # noqa: E402

from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from preau.core.models import AuditEntry, Tenant  # noqa: E402
from preau.directory import retention  # noqa: E402
from preau.directory.models import (  # noqa: E402
    AudienceTarget,
    DuplicateCandidate,
    GuardianLink,
    TeachingAssignment,
)

logger = logging.getLogger(__name__)


# --- school years --------------------------------------------------------------------------------
#
# The rollover is data, not a migration: `open_school_year` makes a new `SchoolYear` the current
# one. Accounts stay. Last year's memberships, classes, groups and teaching assignments stay
# attached to last year, as an archive; the new year starts empty and is filled by its feeds (and
# by hand). Only the school administrators' memberships (`is_school_admin`) are carried over,
# without class, so that every school can still be administered and import its new feeds.
# Guardian links are not per year: they stay, and the feeds reconcile them.
#
# The archive is read-only: the console offers current-year objects only (its `access_*` helpers
# filter on the open year), and every write action refuses an object of another year
# (`_require_current`, or the current-year checks of the create actions).

SCHOOL_YEAR_MIN = 2000
SCHOOL_YEAR_MAX = 2999


def school_year_dates(start_year: int) -> tuple[dt.date, dt.date]:
    """First and last day of the school year that starts in `start_year`.

    Préau's convention: 1 September of `start_year` to the first Sunday of July of the next year
    (2026 → 1 September 2026 to 4 July 2027). French summer holidays start in the first days of
    July; ending on that Sunday keeps the whole last week of lessons in the year. The dates are
    informative (displays, exports): which year is current is `SchoolYear.is_current`, set by
    `open_school_year`, never deduced from the calendar.
    """
    starts_on = dt.date(start_year, 9, 1)
    first_of_july = dt.date(start_year + 1, 7, 1)
    ends_on = first_of_july + dt.timedelta(days=(6 - first_of_july.weekday()) % 7)
    return starts_on, ends_on


def _year_error(message: str, code: str) -> ValidationError:
    return ValidationError({"start_year": ValidationError(message, code=code)})


@transaction.atomic
def open_school_year(*, actor: Actor, start_year: int) -> SchoolYear:
    """Open the school year starting in `start_year` and make it the current one (operator).

    Creates the `SchoolYear` (dates from `school_year_dates`), or reuses the tenant's existing
    row for that year (it is never the current one, and keeps its dates). The start year must be
    after the current year's. The previous year stops being current first (one current year per
    tenant: a partial unique constraint), in the same transaction. Each school-administrator
    membership of the previous year is carried over to the new year with its profile and
    functions, without class; everything else is left to the new year's feeds. Audited: one
    entry for the year, one per carried-over membership (on its person).
    """
    require(policy, actor, Perm.OPEN_SCHOOL_YEAR)
    tenant = actor.tenant
    if isinstance(start_year, bool) or not isinstance(start_year, int):
        raise _year_error(_("Enter the year the school year starts in."), "bad_year")
    if not SCHOOL_YEAR_MIN <= start_year <= SCHOOL_YEAR_MAX:
        raise _year_error(
            _("Enter a year between %(min)d and %(max)d.")
            % {"min": SCHOOL_YEAR_MIN, "max": SCHOOL_YEAR_MAX},
            "bad_year",
        )
    years = {y.start_year: y for y in SchoolYear.objects.select_for_update().filter(tenant=tenant)}
    previous = next((y for y in years.values() if y.is_current), None)
    if previous is not None and start_year <= previous.start_year:
        raise _year_error(
            _(
                "The new school year must start after the current one (%(current)s): "
                "enter %(next)d or later."
            )
            % {"current": str(previous), "next": previous.start_year + 1},
            "year_not_after",
        )
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    year = years.get(start_year)
    created = year is None
    if year is None:
        starts_on, ends_on = school_year_dates(start_year)
        year = SchoolYear.objects.create(
            tenant=tenant,
            start_year=start_year,
            starts_on=starts_on,
            ends_on=ends_on,
            is_current=True,
        )
    else:
        year.is_current = True
        year.save(update_fields=["is_current"])
    carried = _carry_over_school_admins(actor, previous, year) if previous is not None else 0
    record_audit(
        actor=actor,
        action="directory.school_year_opened",
        target=year,
        data={
            "start_year": start_year,
            "starts_on": year.starts_on.isoformat(),
            "ends_on": year.ends_on.isoformat(),
            "created": created,
            "previous": str(previous) if previous is not None else None,
            "admin_memberships_carried_over": carried,
        },
    )
    return year


def _carry_over_school_admins(actor: Actor, previous: SchoolYear, year: SchoolYear) -> int:
    """Copy the previous year's school-administrator memberships into `year`, without class."""
    rows = list(
        Membership.objects.filter(tenant=actor.tenant, year=previous, is_school_admin=True)
        .select_related("person", "school")
        .order_by("school_id", "person_id", "profile")
    )
    have = {
        (m.person_id, m.school_id, m.profile): m
        for m in Membership.objects.filter(
            tenant=actor.tenant, year=year, person_id__in={m.person_id for m in rows}
        )
    }
    new: list[tuple[Membership, Membership]] = []
    promoted: list[tuple[Membership, Membership]] = []
    for old in rows:
        row = have.get((old.person_id, old.school_id, old.profile))
        if row is None:
            row = Membership(
                tenant=actor.tenant,
                person_id=old.person_id,
                school_id=old.school_id,
                year=year,
                profile=old.profile,
                functions=list(old.functions),
                is_school_admin=True,
            )
            new.append((old, row))
        elif not row.is_school_admin:
            row.is_school_admin = True
            promoted.append((old, row))
    Membership.objects.bulk_create([row for _old, row in new])
    Membership.objects.bulk_update([row for _old, row in promoted], ["is_school_admin"])
    for old, row in new + promoted:
        record_audit(
            actor=actor,
            action="directory.membership_carried_over",
            target=row,
            subject=old.person,
            school=old.school,
            data={
                "from": str(previous),
                "to": str(year),
                "profile": old.profile,
                "functions": list(old.functions),
                "is_school_admin": True,
            },
        )
    return len(new) + len(promoted)


# --- retention -----------------------------------------------------------------------------------


def erase_expired_people(*, tenant: Tenant, today: dt.date | None = None) -> int:
    """Erase the tenant's people whose deletion day has come; return how many were erased.

    A system action (no actor), run daily for every tenant by
    `tasks.erase_expired_people_task` or `preau erase_expired_people` — it must be scheduled
    (Celery beat or cron). It erases exactly the `Person` rows of `tenant` whose
    `deletion_due_on` is `today` (default: the local date) or earlier: someone due later, or
    blocked without a deletion day, stays. Each person is erased in their own transaction:

    1. the audit log is pseudonymised (entries about them: subject, or target
       `directory.person`/their id; entries they wrote: actor) — see `_pseudonymise_audit`;
    2. if they objected to keeping their contributions (`erase_contributions`), every eraser of
       `retention.ERASERS` is called with them (the content apps' hook; empty today);
    3. the row is deleted, with what cascades from it (memberships, groups, assignments,
       guardian links, codes, sessions, tokens); other apps' keys to it are SET_NULL and show
       `retention.former_user_name()` (see retention.py for the rule content apps follow);
    4. one audit entry `directory.person_erased` is written, naming them by pseudonym only,
       with the reason "retention".

    A person whose erasure fails (an eraser raising, say) is left as they were, logged, and
    tried again the next day; the others are still erased.
    """
    today = today or timezone.localdate()
    due = list(
        Person.objects.filter(tenant=tenant, deletion_due_on__lte=today)
        .order_by("deletion_due_on", "pk")
        .values_list("pk", flat=True)
    )
    erased = 0
    for person_id in due:
        try:
            with transaction.atomic():
                erased += _erase_person(tenant, person_id, today)
        except Exception:
            logger.exception("could not erase person %s of tenant %s", person_id, tenant.pk)
    return erased


def _erase_person(tenant: Tenant, person_id: int, today: dt.date) -> int:
    person = (
        Person.objects.select_for_update()
        .filter(tenant=tenant, pk=person_id, deletion_due_on__lte=today)
        .first()
    )
    if person is None:  # came back in a feed, or erased, in between
        return 0
    due_on = person.deletion_due_on
    erase_contributions = person.erase_contributions
    name = retention.pseudonym(tenant_id=tenant.pk, person_id=person_id)
    if erase_contributions:
        for eraser in list(retention.ERASERS):
            eraser(person)
    _pseudonymise_audit(tenant, person, name)
    if person.external_id:
        # Import reports name people too: they keep the line, not the person.
        ImportChange.objects.filter(tenant=tenant, key=person.external_id).update(
            key="", label=name, details={}
        )
    person.delete()
    entry = record_audit(
        actor=None,
        tenant_id=tenant.pk,
        action="directory.person_erased",
        data={
            "person": name,
            "reason": "retention",
            "deletion_due_on": due_on.isoformat() if due_on else None,
            "contributions_erased": erase_contributions,
        },
    )
    entry.target_type, entry.target_id, entry.target_repr = "directory.person", str(person_id), name
    entry.save(update_fields=["target_type", "target_id", "target_repr"])
    return 1


def _pseudonymise_audit(tenant: Tenant, person: Person, name: str) -> None:
    """Replace `person` by the pseudonym `name` in the tenant's audit log.

    - Entries they wrote (actor): `actor_name` becomes the pseudonym and the IP is dropped.
    - Entries about them (subject, or target `directory.person` with their id): the values of
      `data` become "—" (keys kept); `target_repr` becomes the pseudonym when they are the
      target, and otherwise (a class they joined, say) keeps the target's name with their own
      names, login, e-mail and join keys masked by the pseudonym.

    The `actor` and `subject` keys are SET_NULL by the deletion that follows; `target_id` keeps
    the row id, so the entries stay grouped with the `directory.person_erased` entry.
    """
    pk = person.pk
    entries = AuditEntry.objects.filter(tenant=tenant)
    entries.filter(actor_id=pk).update(actor_name=name, ip=None)
    is_target = Q(target_type="directory.person", target_id=str(pk))
    names = retention.identifying_strings(person)
    batch: list[AuditEntry] = []
    for entry in entries.filter(Q(subject_id=pk) | is_target).iterator(chunk_size=500):
        if entry.target_type == "directory.person" and entry.target_id == str(pk):
            entry.target_repr = name
        else:
            entry.target_repr = retention.mask_names(entry.target_repr, names, name)[:200]
        entry.data = retention.scrub_data(entry.data)
        batch.append(entry)
        if len(batch) >= 500:
            AuditEntry.objects.bulk_update(batch, ["target_repr", "data"])
            batch = []
    AuditEntry.objects.bulk_update(batch, ["target_repr", "data"])


# --- duplicates proposed by the feeds -------------------------------------------------------------
#
# A feed that creates a person who looks like someone typed by hand (same INE, or same name and
# birth date in the same school) proposes a `DuplicateCandidate`; it never merges silently. An
# administrator of the candidate's school merges it or marks it as not a duplicate.


def _open_candidate(actor: Actor, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """The candidate, locked, after checking the actor administers its school and it is open."""
    if candidate.tenant_id != actor.tenant.pk:
        raise PermissionDenied(Perm.ADMINISTER_SCHOOL)
    require(policy, actor, Perm.ADMINISTER_SCHOOL, candidate.school)
    locked = (
        DuplicateCandidate.objects.select_for_update()
        .filter(tenant=actor.tenant, pk=candidate.pk)
        .select_related("school")
        .first()
    )
    if locked is None or locked.status != DuplicateCandidate.Status.OPEN:
        raise ValidationError(
            _("This possible duplicate has already been reviewed."), code="resolved"
        )
    return locked


def _resolve(candidate: DuplicateCandidate, status: str, actor: Actor, now: dt.datetime) -> None:
    candidate.status = status
    candidate.resolved_by = actor.person
    candidate.resolved_at = now


def _copy_resolution(source: DuplicateCandidate, target: DuplicateCandidate) -> None:
    """Let the caller's copy of the candidate show what was written."""
    for field in ("existing_id", "incoming_id", "status", "resolved_by_id", "resolved_at"):
        setattr(target, field, getattr(source, field))


@transaction.atomic
def merge_duplicate(*, actor: Actor, candidate: DuplicateCandidate) -> Person:
    """Merge the feed's person (`incoming`) into the account typed by hand (`existing`).

    The actor administers the candidate's school; the candidate is open and of their tenant.
    The existing account is kept — its login, password, activation, avatar, names, and every
    row pointing at it — and takes from the incoming person: the join key (`external_id`),
    `source`, the INE (when the incoming has one), the birth date if it had none, the e-mail
    when the incoming has one (the feed manages it from now on); a pre-deletion by a feed is
    lifted. Moved onto it, of every school year: the incoming's memberships, group
    memberships, teaching assignments, guardian links in both directions and audience targets.
    A row the existing person already has (same school, year and profile; same group; same
    assignment; same link) is skipped — except that a skipped membership without class takes
    the incoming's class. The incoming's own credentials (codes, sessions, tokens) are dropped;
    audit entries about them now name the kept person.

    The incoming row is then deleted. The candidate is marked MERGED (resolved by the actor) and
    re-pointed to the kept person on both sides, so that it outlives the incoming row (an
    earlier merged candidate of the same person is replaced: the audit log keeps both). Other
    candidates naming the incoming person name the kept one instead; the open ones among them
    are marked DISMISSED. Audited on the kept person: `directory.duplicate_merged`.
    """
    given = candidate
    candidate = _open_candidate(actor, candidate)
    year = _open_year(actor)
    people = {
        p.pk: p
        for p in Person.objects.select_for_update()
        .filter(tenant=actor.tenant, pk__in=[candidate.existing_id, candidate.incoming_id])
        .order_by("pk")
    }
    kept = people.get(candidate.existing_id)
    incoming = people.get(candidate.incoming_id)
    if kept is None or incoming is None or kept.pk == incoming.pk:
        raise ValidationError(
            _("This possible duplicate no longer names two accounts."), code="stale"
        )
    if kept.external_id and kept.external_id != incoming.external_id:
        raise ValidationError(
            _(
                "%(name)s is already linked to the directory feed: this proposal is out of "
                "date, mark it as not a duplicate."
            )
            % {"name": kept.full_name},
            code="already_linked",
        )
    from preau.directory.feeds.reconcile import feed_block_reason

    values: dict[str, Any] = {
        "external_id": incoming.external_id,
        "source": incoming.source,
        "ine": incoming.ine or kept.ine,
        "birth_date": kept.birth_date or incoming.birth_date,
        "email": incoming.email or kept.email,
        "deletion_due_on": None,
    }
    if kept.is_blocked and kept.blocked_reason == feed_block_reason():
        values |= {"is_blocked": False, "blocked_reason": ""}
    changes = _apply_changes(kept, values)
    moved, skipped = _move_rows(actor, kept, incoming)

    audit = AuditEntry.objects.filter(tenant=actor.tenant)
    audit.filter(subject=incoming).update(subject=kept)
    audit.filter(actor=incoming).update(actor=kept)
    audit.filter(target_type="directory.person", target_id=str(incoming.pk)).update(
        target_id=str(kept.pk)
    )

    now = timezone.now()
    incoming_pk = incoming.pk
    DuplicateCandidate.objects.filter(existing=kept, incoming=kept).exclude(
        pk=candidate.pk
    ).delete()
    _resolve(candidate, DuplicateCandidate.Status.MERGED, actor, now)
    candidate.incoming = kept
    candidate.save(update_fields=["incoming", "status", "resolved_by", "resolved_at"])
    dismissed = _repoint_candidates(actor, candidate, kept, incoming, now)

    incoming.delete()
    if changes:
        kept.save(update_fields=list(changes))
    record_audit(
        actor=actor,
        action="directory.duplicate_merged",
        target=kept,
        subject=kept,
        school=candidate.school,
        data={
            "candidate": candidate.pk,
            "reason": candidate.reason,
            "year": str(year),
            "incoming": {
                "id": incoming_pk,
                "login": incoming.login,
                "external_id": incoming.external_id,
                "source": incoming.source,
            },
            "changes": changes,
            "moved": moved,
            "skipped": skipped,
            "dismissed": dismissed,
        },
    )
    _copy_resolution(candidate, given)
    return kept


def _move_rows(
    actor: Actor, kept: Person, incoming: Person
) -> tuple[dict[str, int], dict[str, int]]:
    """Move the incoming person's places and links onto `kept`, skipping what `kept` has."""
    tenant = actor.tenant
    moved: dict[str, int] = {}
    skipped: dict[str, int] = {}

    mine = {
        (m.school_id, m.year_id, m.profile): m
        for m in Membership.objects.select_for_update().filter(tenant=tenant, person=kept)
    }
    move, filled = [], []
    for m in Membership.objects.filter(tenant=tenant, person=incoming):
        have = mine.get((m.school_id, m.year_id, m.profile))
        if have is None:
            move.append(m.pk)
        elif have.school_class_id is None and m.school_class_id is not None:
            have.school_class_id = m.school_class_id
            filled.append(have)
    Membership.objects.filter(pk__in=move).update(person=kept)
    Membership.objects.bulk_update(filled, ["school_class"])
    moved["memberships"] = len(move)
    skipped["memberships"] = Membership.objects.filter(person=incoming).count()
    moved["classes_filled"] = len(filled)

    my_groups = set(GroupMember.objects.filter(person=kept).values_list("group_id", flat=True))
    theirs = list(GroupMember.objects.filter(tenant=tenant, person=incoming))
    move = [gm.pk for gm in theirs if gm.group_id not in my_groups]
    GroupMember.objects.filter(pk__in=move).update(person=kept)
    moved["group_memberships"], skipped["group_memberships"] = len(move), len(theirs) - len(move)

    def assignment_key(a: TeachingAssignment) -> tuple[Any, ...]:
        return (a.school_id, a.year_id, a.school_class_id, a.group_id, a.subject_id, a.is_main)

    my_assignments = {
        assignment_key(a) for a in TeachingAssignment.objects.filter(tenant=tenant, teacher=kept)
    }
    theirs_a = list(TeachingAssignment.objects.filter(tenant=tenant, teacher=incoming))
    move = [a.pk for a in theirs_a if assignment_key(a) not in my_assignments]
    TeachingAssignment.objects.filter(pk__in=move).update(teacher=kept)
    moved["assignments"], skipped["assignments"] = len(move), len(theirs_a) - len(move)

    pairs = set(
        GuardianLink.objects.filter(Q(pupil=kept) | Q(guardian=kept)).values_list(
            "pupil_id", "guardian_id"
        )
    )
    move_as_pupil, move_as_guardian, links_skipped = [], [], 0
    for link in GuardianLink.objects.filter(tenant=tenant).filter(
        Q(pupil=incoming) | Q(guardian=incoming)
    ):
        pupil_id = kept.pk if link.pupil_id == incoming.pk else link.pupil_id
        guardian_id = kept.pk if link.guardian_id == incoming.pk else link.guardian_id
        if pupil_id == guardian_id or (pupil_id, guardian_id) in pairs:
            links_skipped += 1
            continue
        pairs.add((pupil_id, guardian_id))
        if link.pupil_id == incoming.pk:
            move_as_pupil.append(link.pk)
        else:
            move_as_guardian.append(link.pk)
    GuardianLink.objects.filter(pk__in=move_as_pupil).update(pupil=kept)
    GuardianLink.objects.filter(pk__in=move_as_guardian).update(guardian=kept)
    moved["guardian_links"] = len(move_as_pupil) + len(move_as_guardian)
    skipped["guardian_links"] = links_skipped

    moved["audience_targets"] = AudienceTarget.objects.filter(
        tenant=tenant, person=incoming
    ).update(person=kept)
    return moved, skipped


def _repoint_candidates(
    actor: Actor,
    merged: DuplicateCandidate,
    kept: Person,
    incoming: Person,
    now: dt.datetime,
) -> list[int]:
    """Other candidates naming `incoming` name `kept` instead; the open ones are dismissed.

    A candidate that would then pair `kept` with itself, or repeat a pair already stored, says
    nothing more: it is deleted. Returns the ids of the candidates dismissed (or deleted while
    open).
    """
    taken = set(
        DuplicateCandidate.objects.filter(tenant=actor.tenant)
        .filter(Q(existing=kept) | Q(incoming=kept))
        .values_list("existing_id", "incoming_id")
    )
    dismissed: list[int] = []
    others = (
        DuplicateCandidate.objects.select_for_update()
        .filter(tenant=actor.tenant)
        .filter(Q(existing=incoming) | Q(incoming=incoming))
        .exclude(pk=merged.pk)
        .order_by("pk")
    )
    for other in others:
        was_open = other.status == DuplicateCandidate.Status.OPEN
        if was_open:
            dismissed.append(other.pk)
        pair = (
            kept.pk if other.existing_id == incoming.pk else other.existing_id,
            kept.pk if other.incoming_id == incoming.pk else other.incoming_id,
        )
        if pair[0] == pair[1] or pair in taken:
            other.delete()
            continue
        taken.add(pair)
        other.existing_id, other.incoming_id = pair
        if was_open:
            _resolve(other, DuplicateCandidate.Status.DISMISSED, actor, now)
        other.save(update_fields=["existing", "incoming", "status", "resolved_by", "resolved_at"])
    return dismissed


@transaction.atomic
def dismiss_duplicate(*, actor: Actor, candidate: DuplicateCandidate) -> None:
    """Mark a possible duplicate as not one: both accounts stay as they are.

    The actor administers the candidate's school; the candidate is open and of their tenant.
    Audited on the existing person: `directory.duplicate_dismissed`.
    """
    given = candidate
    candidate = _open_candidate(actor, candidate)
    _resolve(candidate, DuplicateCandidate.Status.DISMISSED, actor, timezone.now())
    candidate.save(update_fields=["status", "resolved_by", "resolved_at"])
    record_audit(
        actor=actor,
        action="directory.duplicate_dismissed",
        target=candidate.existing,
        subject=candidate.existing,
        school=candidate.school,
        data={
            "candidate": candidate.pk,
            "incoming": candidate.incoming_id,
            "reason": candidate.reason,
        },
    )
    _copy_resolution(candidate, given)


# --- import files ------------------------------------------------------------------------------


def discard_old_import_files(*, tenant: Tenant, today: dt.date | None = None) -> int:
    """Delete the stored files of imports left unapplied for `PREAU_IMPORT_KEEP_DAYS` (a system
    action, run daily): they hold personal data. Applied imports lose theirs at once."""
    from preau.directory.feeds.run import discard_files

    today = today or dt.date.today()
    cutoff = dt.datetime.combine(
        today - dt.timedelta(days=settings.PREAU_IMPORT_KEEP_DAYS), dt.time.min, tzinfo=dt.UTC
    )
    count = 0
    for job in ImportJob.objects.filter(tenant=tenant, created_at__lt=cutoff).exclude(
        status__in=ImportJob.RUNNING
    ):
        if any(f.get("path") for f in job.files):
            discard_files(job)
            count += 1
    return count
