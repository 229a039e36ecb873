"""The Actor: who is acting, in which tenant and school. Passed to every action and query."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from preau.core.models import Tenant
    from preau.directory.models import Membership, Person, School

DIRECTION = "DIR"  # directory.models.Function.DIRECTION (a test checks they agree)


@dataclass(frozen=True)
class Actor:
    person: Person
    tenant: Tenant
    memberships: tuple[Membership, ...] = ()
    school: School | None = None
    admin_school_ids: frozenset[int] = field(default_factory=frozenset)
    admin_authority_ids: frozenset[int] = field(default_factory=frozenset)
    ip: str | None = None

    @property
    def is_operator(self) -> bool:
        return bool(self.person.is_operator)

    @property
    def school_ids(self) -> frozenset[int]:
        return frozenset(m.school_id for m in self.memberships)

    @property
    def schools(self) -> list[School]:
        seen: dict[int, School] = {}
        for m in self.memberships:
            seen.setdefault(m.school_id, m.school)
        return sorted(seen.values(), key=lambda s: s.name)

    def profiles_in(self, school_id: int) -> set[str]:
        return {m.profile for m in self.memberships if m.school_id == school_id}

    def functions_in(self, school_id: int) -> set[str]:
        return {f for m in self.memberships if m.school_id == school_id for f in m.functions}

    def has_profile(self, *profiles: str) -> bool:
        return any(m.profile in profiles for m in self.memberships)

    @property
    def is_admin(self) -> bool:
        """Administers something: a school, an authority or the whole tenant."""
        return self.is_operator or bool(self.admin_school_ids or self.admin_authority_ids)

    def manages_school(self, school_id: int | None) -> bool:
        """The school's management, the same for every app (news validation, timetable,
        document quotas): operators, the school's administrators (ADML, and those of an
        authority it belongs to) and its staff with the direction function (DIR)."""
        if school_id is None:
            return False
        return (
            self.is_operator
            or school_id in self.admin_school_ids
            or DIRECTION in self.functions_in(school_id)
        )

    @property
    def managed_school_ids(self) -> frozenset[int]:
        """The schools listed as managed by the actor (an operator manages every school
        without being listed)."""
        direction = {m.school_id for m in self.memberships if DIRECTION in m.functions}
        return frozenset(self.admin_school_ids | direction)

    def with_school(self, school: School | None) -> Actor:
        return Actor(
            person=self.person,
            tenant=self.tenant,
            memberships=self.memberships,
            school=school,
            admin_school_ids=self.admin_school_ids,
            admin_authority_ids=self.admin_authority_ids,
            ip=self.ip,
        )
