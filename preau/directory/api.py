"""The directory's JSON API: who am I, the classes of a school, the people I may write to.

Endpoints call the same queries as the pages; `request.auth` is the Actor (session or token).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from preau.core.actor import Actor
from preau.core.pagination import BadCursorError
from preau.directory.models import Membership, Person, SchoolClass
from preau.directory.queries import (
    assignments_of,
    children_of,
    classes_of_school,
    people_visible_to,
)
from preau.directory.schemas import (
    ErrorOut,
    MeOut,
    PeoplePageOut,
    PeopleQueryIn,
    SchoolClassOut,
)

router = Router(tags=["directory"])


def _actor(request: HttpRequest) -> Actor:
    return request.auth  # type: ignore[attr-defined]


def _class_ref(c: SchoolClass) -> dict[str, Any]:
    return {"id": c.pk, "code": c.code, "name": c.name, "school_id": c.school_id}


def _membership(m: Membership) -> dict[str, Any]:
    return {
        "school": {"id": m.school.pk, "uai": m.school.uai, "name": m.school.name},
        "profile": m.profile,
        "functions": list(m.functions),
        "national_codes": m.national_codes,
        "school_class": _class_ref(m.school_class) if m.school_class else None,
        "is_school_admin": m.is_school_admin,
    }


@router.get("/me", response=MeOut, summary="Who am I")
def me(request: HttpRequest) -> dict[str, Any]:
    actor = _actor(request)
    person = actor.person
    classes: dict[tuple[int, str], dict[str, Any]] = {}
    for m in actor.memberships:
        if m.school_class:
            classes[(m.school_class.pk, "pupil")] = {**_class_ref(m.school_class), "role": "pupil"}
    for a in assignments_of(actor):
        if a.school_class is None:  # a group's assignment
            continue
        row = classes.setdefault(
            (a.school_class.pk, "teacher"), {**_class_ref(a.school_class), "role": "teacher"}
        )
        row["is_main_teacher"] = row.get("is_main_teacher", False) or a.is_main
    children = [
        {
            "id": child.pk,
            "first_name": child.first_name,
            "last_name": child.last_name,
            "classes": [
                _class_ref(ms.school_class)
                for ms in child.current_memberships  # type: ignore[attr-defined]
                if ms.school_class
            ],
        }
        for child in children_of(actor)
    ]
    return {
        "id": person.pk,
        "login": person.login,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "full_name": person.full_name,
        "email": person.email,
        "language": person.language,
        "profiles": [_membership(m) for m in actor.memberships],
        "classes": list(classes.values()),
        "children": children,
    }


@router.get(
    "/schools/{school_id}/classes",
    response=list[SchoolClassOut],
    summary="This year's classes of a school",
)
def school_classes(request: HttpRequest, school_id: int) -> list[dict[str, Any]]:
    """Classes of a school the caller belongs to or administers; any other id answers 404."""
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "level_code": c.level.code if c.level else None,
            "level": c.level.label if c.level else None,
        }
        for c in classes_of_school(_actor(request), school_id)
    ]


def _person(p: Person) -> dict[str, Any]:
    return {
        "id": p.pk,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "full_name": p.full_name,
        "profiles": [
            {
                "school_id": ms.school_id,
                "school_name": ms.school.name,
                "profile": ms.profile,
                "class_name": ms.school_class.name if ms.school_class else None,
            }
            for ms in p.current_memberships  # type: ignore[attr-defined]
        ],
    }


@router.get(
    "/people",
    response={200: PeoplePageOut, 400: ErrorOut},
    summary="People I may write to",
)
def people(request: HttpRequest, filters: Query[PeopleQueryIn]) -> Status[dict[str, Any]]:
    """Keyset-paged by name: follow `next` (as `after`) until it is null."""
    try:
        page = people_visible_to(
            _actor(request),
            search=filters.search,
            profile=filters.profile,
            school_id=filters.school_id,
            after=filters.after,
            limit=filters.limit,
        )
    except BadCursorError:
        return Status(
            400,
            {
                "detail": _("The cursor is malformed or out of date: start again without `after`."),
                "code": "bad_cursor",
            },
        )
    return Status(200, {"items": [_person(p) for p in page.items], "next": page.next_cursor})
