"""Who manages a school's timetable, who records a one-off change, who sees a school's class,
teacher and room timetables. Everyone sees their own; guardians their children's."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import QuerySet

from preau.core.actor import Actor
from preau.directory.models import Function, Profile, School


class Perm(StrEnum):
    MANAGE = "timetable.manage"  # courses, slots, rooms, the calendar and holidays of a school
    CHANGE = "timetable.change"  # cancel, move, replace a lesson on a date
    VIEW_SCHOOL = "timetable.view_school"  # any class, teacher or room of the school


# The staff who record teachers' absences and room changes: direction and vie scolaire.
CHANGE_FUNCTIONS = {Function.DIRECTION.value, Function.LIFE.value}


class TimetablePolicy:
    def can(self, actor: Actor, perm: str, obj: Any = None) -> bool:
        if not isinstance(obj, School) or obj.tenant_id != actor.tenant.pk:
            return False
        admin = actor.is_operator or obj.pk in actor.admin_school_ids
        if perm == Perm.MANAGE:
            return admin
        if perm == Perm.CHANGE:
            staff = Profile.STAFF in actor.profiles_in(obj.pk)
            return admin or (staff and bool(actor.functions_in(obj.pk) & CHANGE_FUNCTIONS))
        if perm == Perm.VIEW_SCHOOL:
            return admin or bool(actor.profiles_in(obj.pk) & {Profile.TEACHER, Profile.STAFF})
        return False

    def visible(self, actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
        """Courses or slots of the schools whose timetables the actor may see (their own
        lessons come through `queries.slots_of_person`)."""
        schools = [
            m.school for m in actor.memberships if self.can(actor, Perm.VIEW_SCHOOL, m.school)
        ]
        field = "school_id__in" if qs.model.__name__ == "Course" else "course__school_id__in"
        return qs.filter(tenant=actor.tenant, **{field: [s.pk for s in schools]})


policy = TimetablePolicy()
