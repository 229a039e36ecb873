"""Who writes a course's notebook (its teacher), who reads it (its pupils, their guardians,
the school's teachers, staff and administrators), who stamps it (the management)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet

from preau.core.actor import Actor
from preau.directory.models import GroupMember, GuardianLink, Membership, Profile
from preau.timetable.models import Course


class Perm(StrEnum):
    WRITE = "homework.write"  # the lesson log and homework of a course
    READ = "homework.read"
    VISA = "homework.visa"  # the inspection stamp


GUARDIAN_LEVELS = (GuardianLink.Level.LEGAL, GuardianLink.Level.IN_CHARGE)


def attends(person_id: int, tenant_id: int) -> Q:
    """Courses of the person's current class and groups (a condition on Course)."""
    classes = Membership.objects.filter(
        tenant_id=tenant_id, person_id=person_id, year__is_current=True, profile=Profile.PUPIL
    ).values("school_class_id")
    groups = GroupMember.objects.filter(
        tenant_id=tenant_id, person_id=person_id, group__year__is_current=True
    ).values("group_id")
    return Q(school_class_id__in=classes) | Q(group_id__in=groups)


def directs(actor: Actor, school_id: int) -> bool:
    """The school's management (who inspect): Actor.manages_school without its operator
    clause, since operators run the platform and do not inspect a school's teaching."""
    return school_id in actor.managed_school_ids


class HomeworkPolicy:
    def can(self, actor: Actor, perm: str, obj: Any = None) -> bool:
        if not isinstance(obj, Course) or obj.tenant_id != actor.tenant.pk:
            return False
        school_id = obj.school_id
        if perm == Perm.WRITE:
            # Only for the courses they teach, in a school they still teach in, this year.
            return (
                obj.teacher_id == actor.person.pk
                and Profile.TEACHER in actor.profiles_in(school_id)
                and obj.year.is_current
            )
        if perm == Perm.VISA:
            return directs(actor, school_id)
        if perm == Perm.READ:
            return (
                obj.teacher_id == actor.person.pk
                or bool(actor.profiles_in(school_id) & {Profile.TEACHER, Profile.STAFF})
                or school_id in actor.admin_school_ids
                or self.visible(actor, Course.objects.filter(pk=obj.pk)).exists()
            )
        return False

    def visible(self, actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
        """Courses a pupil attends or a guardian's children attend (families' reading)."""
        t = actor.tenant.pk
        children = GuardianLink.objects.filter(
            tenant_id=t, guardian=actor.person, level__in=GUARDIAN_LEVELS
        ).values_list("pupil_id", flat=True)
        condition = attends(actor.person.pk, t)
        for child in children:
            condition |= attends(child, t)
        return qs.filter(condition, tenant_id=t)


policy = HomeworkPolicy()


def reads_drafts(actor: Actor, course: Course) -> bool:
    """Who sees homework before it is shown to families (and its files): the course's teacher,
    the school's management, teachers and staff. Pupils and guardians see it from `publish_at`."""
    return (
        policy.can(actor, Perm.WRITE, course)
        or directs(actor, course.school_id)
        or bool(actor.profiles_in(course.school_id) & {Profile.TEACHER, Profile.STAFF})
    )
