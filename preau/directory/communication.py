"""Communication rules: who may write to whom, and who may address which audience.

The default matrix (DESIGN.md): staff and teachers reach everyone in their school; pupils reach
their teachers and their class; guardians reach their children's teachers and the school staff;
nobody but staff writes to a whole school. A school's administrators override any rule for their
school (`CommunicationRule` rows); what is not overridden keeps its default.

How the rules read, per current membership of the actor in a school S (`GRANTS` below):

- "everyone in S" is every current member of S plus the guardians of S's current pupils (a
  guardian without a membership of their own still belongs to their child's school);
- teachers and staff always reach their colleagues (teachers and staff of S); teachers always
  reach their own pupils (the classes and groups they are assigned to this year) and those
  pupils' guardians, so switching `teacher_to_school` off narrows them to what they teach;
- a pupil's "teachers" are the teachers assigned this year to their class or to one of their
  groups; their "class" is the pupils of their class only: sharing a group with a pupil of
  another class does not open a conversation with them;
- a guardian reaches the staff of S and the teachers of their children only when one of their
  children (links of level 1 or 2) is a current pupil of S;
- a school administrator reaches everyone in S, an authority administrator everyone in the
  schools of their authorities, an operator everyone in the tenant.

Always within the actor's tenant, never blocked people, and never the actor themself (writing to
oneself is not a conversation, and pickers should not offer it).

Addressing an audience (a collective target) is stricter than writing to its people one by one:
see `can_address_target`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from preau.core.actor import Actor
from preau.directory.audiences import NOBODY, guardian_of, member_now, teaches
from preau.directory.models import (
    Audience,
    AudienceTarget,
    CommunicationRule,
    Group,
    GroupMember,
    GuardianLink,
    Membership,
    Person,
    Profile,
    School,
    SchoolClass,
    TeachingAssignment,
)


@dataclass(frozen=True)
class Rule:
    key: str
    label: str | Promise
    default: bool


RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule("staff_to_school", _("Staff write to everyone in their school"), True),
        Rule("teacher_to_school", _("Teachers write to everyone in their school"), True),
        Rule("pupil_to_teachers", _("Pupils write to their teachers"), True),
        Rule("pupil_to_class", _("Pupils write to the pupils of their class"), True),
        Rule("pupil_to_staff", _("Pupils write to the school staff"), False),
        Rule("guardian_to_teachers", _("Guardians write to their children's teachers"), True),
        Rule("guardian_to_staff", _("Guardians write to the school staff"), True),
        Rule(
            "guardian_to_guardians", _("Guardians write to the other guardians of the class"), False
        ),
        Rule("teacher_to_whole_school", _("Teachers write to the whole school at once"), False),
    )
}


def effective_rules(school: School) -> dict[str, bool]:
    """The rules in force in `school`: defaults, then the school's overrides."""
    rules = {key: rule.default for key, rule in RULES.items()}
    for key, allowed in CommunicationRule.objects.filter(
        tenant_id=school.tenant_id, school=school, rule__in=RULES
    ).values_list("rule", "allowed"):
        rules[key] = allowed
    return rules


def rules_by_school(tenant_id: int, school_ids: Iterable[int]) -> dict[int, dict[str, bool]]:
    """`effective_rules` for several schools at once (one query)."""
    ids = set(school_ids)
    result = {school_id: {key: rule.default for key, rule in RULES.items()} for school_id in ids}
    if not ids:
        return result
    for school_id, key, allowed in CommunicationRule.objects.filter(
        tenant_id=tenant_id, school_id__in=ids, rule__in=RULES
    ).values_list("school_id", "rule", "allowed"):
        result[school_id][key] = allowed
    return result


# --- Who one membership reaches: conditions on Person ----------------------------------------


def everyone_in(tenant_id: int, school_ids: Collection[int]) -> Q:
    """Current members of the schools, and the guardians of their current pupils."""
    return member_now(tenant_id, school_id__in=school_ids) | guardian_of(
        tenant_id, Q(school_id__in=school_ids, profile=Profile.PUPIL)
    )


def _my_groups(actor: Actor, school_id: int) -> QuerySet[GroupMember, Any]:
    return GroupMember.objects.filter(
        tenant_id=actor.tenant.pk,
        person_id=actor.person.pk,
        group__school_id=school_id,
        group__year__is_current=True,
    ).values("group_id")


def _taught(actor: Actor, school_id: int) -> QuerySet[TeachingAssignment]:
    return TeachingAssignment.objects.filter(
        tenant_id=actor.tenant.pk,
        teacher_id=actor.person.pk,
        school_id=school_id,
        year__is_current=True,
    )


def _children_in(actor: Actor, school_id: int) -> QuerySet[Membership]:
    """Current pupil memberships in the school of the actor's children (levels 1 and 2)."""
    children = GuardianLink.objects.filter(
        tenant_id=actor.tenant.pk,
        guardian_id=actor.person.pk,
        level__in=(GuardianLink.Level.LEGAL, GuardianLink.Level.IN_CHARGE),
    ).values("pupil_id")
    return Membership.objects.filter(
        tenant_id=actor.tenant.pk,
        year__is_current=True,
        school_id=school_id,
        profile=Profile.PUPIL,
        person_id__in=children,
    )


def _teachers_of(actor: Actor, school_id: int, classes: Q, groups: QuerySet[GroupMember, Any]) -> Q:
    t = actor.tenant.pk
    return member_now(t, school_id=school_id) & teaches(
        t, Q(school_id=school_id) & (classes | Q(group_id__in=groups))
    )


def _colleagues(actor: Actor, m: Membership) -> Q:
    return member_now(
        actor.tenant.pk, school_id=m.school_id, profile__in=(Profile.TEACHER, Profile.STAFF)
    )


def _everyone(actor: Actor, m: Membership) -> Q:
    return everyone_in(actor.tenant.pk, [m.school_id])


def _school_staff(actor: Actor, m: Membership) -> Q:
    return member_now(actor.tenant.pk, school_id=m.school_id, profile=Profile.STAFF)


def _my_pupils(actor: Actor, m: Membership) -> Q:
    """A teacher's pupils (their classes and groups this year) and those pupils' guardians."""
    t, s = actor.tenant.pk, m.school_id
    taught = _taught(actor, s)
    classes = taught.filter(school_class__isnull=False).values("school_class_id")
    in_groups = GroupMember.objects.filter(
        tenant_id=t, group_id__in=taught.filter(group__isnull=False).values("group_id")
    ).values("person_id")
    pupils = Q(school_id=s, profile=Profile.PUPIL) & (
        Q(school_class_id__in=classes) | Q(person_id__in=in_groups)
    )
    return member_now(t, pupils) | guardian_of(t, pupils)


def _my_teachers(actor: Actor, m: Membership) -> Q:
    classes = Q(school_class_id=m.school_class_id) if m.school_class_id else NOBODY
    return _teachers_of(actor, m.school_id, classes, _my_groups(actor, m.school_id))


def _my_classmates(actor: Actor, m: Membership) -> Q:
    if not m.school_class_id:
        return NOBODY
    return member_now(actor.tenant.pk, school_class_id=m.school_class_id, profile=Profile.PUPIL)


def _childrens_teachers(actor: Actor, m: Membership) -> Q:
    t, s = actor.tenant.pk, m.school_id
    children = _children_in(actor, s)
    groups = GroupMember.objects.filter(
        tenant_id=t,
        group__school_id=s,
        group__year__is_current=True,
        person_id__in=children.values("person_id"),
    ).values("group_id")
    classes = Q(school_class_id__in=children.values("school_class_id"))
    return _teachers_of(actor, s, classes, groups)


def _childrens_school_staff(actor: Actor, m: Membership) -> Q:
    return Q(Exists(_children_in(actor, m.school_id))) & _school_staff(actor, m)


def _childrens_classmates_guardians(actor: Actor, m: Membership) -> Q:
    classes = _children_in(actor, m.school_id).values("school_class_id")
    return guardian_of(actor.tenant.pk, Q(profile=Profile.PUPIL, school_class_id__in=classes))


Reach = Callable[[Actor, Membership], Q]

# (profile of the actor's membership, rule that must be on — None: always —, whom it reaches)
GRANTS: tuple[tuple[str, str | None, Reach], ...] = (
    (Profile.STAFF, None, _colleagues),
    (Profile.STAFF, "staff_to_school", _everyone),
    (Profile.TEACHER, None, _colleagues),
    (Profile.TEACHER, None, _my_pupils),
    (Profile.TEACHER, "teacher_to_school", _everyone),
    (Profile.PUPIL, "pupil_to_teachers", _my_teachers),
    (Profile.PUPIL, "pupil_to_class", _my_classmates),
    (Profile.PUPIL, "pupil_to_staff", _school_staff),
    (Profile.GUARDIAN, "guardian_to_teachers", _childrens_teachers),
    (Profile.GUARDIAN, "guardian_to_staff", _childrens_school_staff),
    (Profile.GUARDIAN, "guardian_to_guardians", _childrens_classmates_guardians),
)


def writable_people(actor: Actor) -> QuerySet[Person]:
    """Everyone the actor may write to: one lazy query (after one read of the schools' rules)."""
    return _writable(actor, rules_by_school(actor.tenant.pk, actor.school_ids))


def _writable(actor: Actor, rules: dict[int, dict[str, bool]]) -> QuerySet[Person]:
    tenant_id = actor.tenant.pk
    people = Person.objects.filter(tenant_id=tenant_id, is_blocked=False).exclude(
        pk=actor.person.pk
    )
    if actor.is_operator:
        return people
    condition = NOBODY
    for m in actor.memberships:
        for profile, rule, reach in GRANTS:
            if m.profile == profile and (rule is None or rules[m.school_id][rule]):
                condition |= reach(actor, m)
    if actor.admin_school_ids:
        condition |= everyone_in(tenant_id, actor.admin_school_ids)
    return people.filter(condition)


def can_write(actor: Actor, person: Person) -> bool:
    """May the actor write to this one person (same tenant, not blocked, allowed by the rules)?"""
    if person.tenant_id != actor.tenant.pk or person.is_blocked or person.pk == actor.person.pk:
        return False
    return writable_people(actor).filter(pk=person.pk).exists()


# --- Addressing audiences --------------------------------------------------------------------

Kind = AudienceTarget.Kind

# Kinds that address a school as a whole (or a slice of it chosen by profile, function, subject).
WHOLE_SCHOOL_KINDS = frozenset({Kind.SCHOOL, Kind.PROFILE, Kind.FUNCTION, Kind.SUBJECT_TEACHERS})
# Kinds a teacher addresses for the classes (or groups) they teach this year.
CLASS_KINDS = frozenset({Kind.CLASS_PUPILS, Kind.CLASS_GUARDIANS, Kind.CLASS_TEACHERS})


@dataclass(frozen=True)
class AddressScope:
    """What an actor may address collectively, computed once for a batch of targets.

    - whole school (every school-scoped kind) in `full_school_ids`: the schools they administer
      (ADML, authority, operator: all), where they are staff with `staff_to_school` on, or where
      they teach with `teacher_to_school` and `teacher_to_whole_school` both on;
    - the pupils, guardians and teachers of the classes they teach this year (`class_ids`),
      and the members of the groups they teach (`group_ids`);
    - AUTHORITY targets: operators, and administrators of that authority;
    - PERSON targets: the people they may write to (`writable_ids`).

    Pupils, guardians, agents and guests address no collective target.
    """

    tenant_id: int
    is_operator: bool
    full_school_ids: frozenset[int]
    authority_ids: frozenset[int]
    class_ids: frozenset[int] = frozenset()
    group_ids: frozenset[int] = frozenset()
    writable_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def of(cls, actor: Actor, targets: Iterable[AudienceTarget]) -> AddressScope:
        rules = rules_by_school(actor.tenant.pk, actor.school_ids)
        full = set(actor.admin_school_ids)
        teaching_schools = set()
        for m in actor.memberships:
            school_rules = rules[m.school_id]
            if m.profile == Profile.STAFF and school_rules["staff_to_school"]:
                full.add(m.school_id)
            if m.profile == Profile.TEACHER:
                teaching_schools.add(m.school_id)
                if school_rules["teacher_to_school"] and school_rules["teacher_to_whole_school"]:
                    full.add(m.school_id)
        class_ids: set[int] = set()
        group_ids: set[int] = set()
        if teaching_schools:
            for class_id, group_id in TeachingAssignment.objects.filter(
                tenant_id=actor.tenant.pk,
                teacher_id=actor.person.pk,
                school_id__in=teaching_schools,
                year__is_current=True,
            ).values_list("school_class_id", "group_id"):
                if class_id:
                    class_ids.add(class_id)
                else:
                    group_ids.add(group_id)
        person_ids = {t.person_id for t in targets if t.kind == Kind.PERSON and t.person_id}
        writable: frozenset[int] = frozenset()
        if person_ids:
            writable = frozenset(
                _writable(actor, rules).filter(pk__in=person_ids).values_list("pk", flat=True)
            )
        return cls(
            tenant_id=actor.tenant.pk,
            is_operator=actor.is_operator,
            full_school_ids=frozenset(full),
            authority_ids=actor.admin_authority_ids,
            class_ids=frozenset(class_ids),
            group_ids=frozenset(group_ids),
            writable_ids=writable,
        )

    def allows(self, target: AudienceTarget) -> bool:
        if target.tenant_id != self.tenant_id:
            return False
        if target.kind == Kind.PERSON:
            return target.person_id in self.writable_ids
        if target.kind == Kind.AUTHORITY:
            return self._allows_authority(target)
        school_id = _school_of(target)
        return school_id is not None and (
            self.is_operator
            or school_id in self.full_school_ids
            or (target.kind in CLASS_KINDS and target.school_class_id in self.class_ids)
            or (target.kind == Kind.GROUP and target.group_id in self.group_ids)
        )

    def _allows_authority(self, target: AudienceTarget) -> bool:
        authority = target.authority if target.authority_id else None
        if authority is None or authority.tenant_id != self.tenant_id:
            return False
        return self.is_operator or target.authority_id in self.authority_ids


def _school_of(target: AudienceTarget) -> int | None:
    """The school a school-scoped target lies in (None when incomplete or of another tenant)."""
    if target.kind in WHOLE_SCHOOL_KINDS and target.school_id:
        related: School | SchoolClass | Group | None = target.school
    elif target.kind in CLASS_KINDS and target.school_class_id:
        related = target.school_class
    elif target.kind == Kind.GROUP and target.group_id:
        related = target.group
    else:
        return None
    if related is None or related.tenant_id != target.tenant_id:
        return None
    return related.pk if isinstance(related, School) else related.school_id


def can_address_target(actor: Actor, target: AudienceTarget) -> bool:
    """May the actor address this target collectively (news, message to a class...)?"""
    return AddressScope.of(actor, [target]).allows(target)


def can_address_audience(actor: Actor, audience: Audience) -> bool:
    """May the actor address every target of the audience? (An empty audience: no.)"""
    if audience.tenant_id != actor.tenant.pk:
        return False
    targets = list(audience.targets.select_related("school", "school_class", "group", "authority"))
    if not targets:
        return False
    scope = AddressScope.of(actor, targets)
    return all(scope.allows(target) for target in targets)
