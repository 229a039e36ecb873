"""Who may do what with documents: the rights a space gives its members, the rights shares
add, and their inheritance.

A person's right on a folder or a document is the highest of:

- the space's right for them (`space_right`): a personal space gives its owner every right;
  a class space gives its pupils READ, the teachers assigned to the class and the school's staff
  CONTRIBUTE, the school's administrators MANAGE; a group space the same with the group's
  members and teachers; a school space gives its current members READ, its staff CONTRIBUTE
  and its administrators MANAGE;
- every share on the item itself or on any folder above it, to the person or to an audience
  that reaches them (`audience_ids_reaching`): one query, since a folder's `path` lists its
  ancestors.

Rights only add up; revoking a share deletes it. Each right includes the ones below it:

| right      | allows                                                                             |
|------------|------------------------------------------------------------------------------------|
| READ       | see the folder or file, download, preview, list versions, download a folder as zip |
| COMMENT    | + comment on files                                                                 |
| CONTRIBUTE | + upload files and new versions, create folders; rename, move, trash what one added |
| MANAGE     | + rename, move, trash and restore anything, restore versions, share and revoke     |
| PUBLISH    | + public links (never for pupils unless the tenant's `public_links_for_pupils`)    |

Objects of another tenant give no right at all; queries answer 404 for them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Max, Q, QuerySet

from preau.core.actor import Actor
from preau.directory.audiences import audience_ids_reaching
from preau.directory.models import GroupMember, Profile, School, TeachingAssignment
from preau.documents.models import Document, Folder, Right, Share, Space

NONE = 0


class Perm(StrEnum):
    READ = "documents.read"
    COMMENT = "documents.comment"
    CONTRIBUTE = "documents.contribute"
    EDIT = "documents.edit"  # rename, move, trash: MANAGE, or CONTRIBUTE on one's own item
    MANAGE = "documents.manage"
    PUBLISH = "documents.publish"
    SET_QUOTAS = "documents.set_quotas"  # a school's quotas per profile: its management


NEEDS = {
    Perm.READ: Right.READ,
    Perm.COMMENT: Right.COMMENT,
    Perm.CONTRIBUTE: Right.CONTRIBUTE,
    Perm.MANAGE: Right.MANAGE,
    Perm.PUBLISH: Right.PUBLISH,
}


def space_right(actor: Actor, space: Space) -> int:  # noqa: PLR0911 - one answer per case
    """The right the space itself gives the actor (see the module docstring)."""
    if space.tenant_id != actor.tenant.pk:
        return NONE
    if space.kind == Space.Kind.PERSONAL:
        return Right.PUBLISH if space.owner_id == actor.person.pk else NONE
    school_id = space.school_id
    if school_id is None:
        return NONE
    if school_id in actor.admin_school_ids:
        return Right.MANAGE
    profiles = actor.profiles_in(school_id)
    if Profile.STAFF in profiles:
        return Right.CONTRIBUTE
    if space.kind == Space.Kind.SCHOOL:
        return Right.READ if profiles else NONE
    if Profile.TEACHER in profiles:
        taught = TeachingAssignment.objects.filter(
            tenant=actor.tenant, teacher=actor.person, year__is_current=True
        )
        if space.kind == Space.Kind.CLASS:
            taught = taught.filter(school_class_id=space.school_class_id)
        else:
            taught = taught.filter(group_id=space.group_id or 0)
        if taught.exists():
            return Right.CONTRIBUTE
    if space.kind == Space.Kind.CLASS:
        in_class = any(
            m.profile == Profile.PUPIL and m.school_class_id == space.school_class_id
            for m in actor.memberships
        )
        return Right.READ if in_class else NONE
    if space.kind == Space.Kind.GROUP and profiles:
        member = GroupMember.objects.filter(
            tenant=actor.tenant, group_id=space.group_id or 0, person=actor.person
        ).exists()
        return Right.READ if member else NONE
    return NONE


def mine(actor: Actor) -> Q:
    """Shares to the actor or to an audience that reaches them (a condition on Share)."""
    return Q(person_id=actor.person.pk) | Q(audience_id__in=audience_ids_reaching(actor.person))


def shared_right(actor: Actor, *, folder_ids: list[int], document_id: int | None = None) -> int:
    """The highest right shares give the actor on these folders or this document: one query."""
    on = Q(folder_id__in=folder_ids) if folder_ids else Q(pk__in=[])
    if document_id is not None:
        on |= Q(document_id=document_id)
    best = (
        Share.objects.filter(on, mine(actor), tenant=actor.tenant)
        .aggregate(best=Max("right"))
        .get("best")
    )
    return int(best or NONE)


def right_on(actor: Actor, obj: Space | Folder | Document) -> int:
    """The actor's right on a space, folder or document (computed once per object)."""
    cached = obj.__dict__.get("_right_for")
    if cached is not None and cached[0] == actor.person.pk:
        return int(cached[1])
    if obj.tenant_id != actor.tenant.pk:
        right = NONE
    elif isinstance(obj, Space):
        right = space_right(actor, obj)
    else:
        right = right_on(actor, obj.space)
        if right < Right.PUBLISH:
            if isinstance(obj, Folder):
                ids, doc_id = obj.ancestor_ids, None
            else:
                ids = obj.folder.ancestor_ids if obj.folder_id and obj.folder else []
                doc_id = obj.pk
            right = max(right, shared_right(actor, folder_ids=ids, document_id=doc_id))
    obj.__dict__["_right_for"] = (actor.person.pk, right)
    return right


def readable_trail(actor: Actor, space: Space, trail: list[Folder]) -> list[Folder]:
    """The folders of `trail` (top first) the actor may open: all of them when the space lets
    them read, else those from the highest folder shared with them down (one query)."""
    if right_on(actor, space) >= Right.READ or not trail:
        return trail
    shared = set(
        Share.objects.filter(
            mine(actor), tenant=actor.tenant, folder_id__in=[f.pk for f in trail]
        ).values_list("folder_id", flat=True)
    )
    for i, folder in enumerate(trail):
        if folder.pk in shared:
            return trail[i:]
    return []


def public_links_allowed(actor: Actor) -> bool:
    """Pupils make no public link unless the tenant allows it (`public_links_for_pupils`)."""
    only_pupil = actor.has_profile(Profile.PUPIL) and not actor.has_profile(
        Profile.TEACHER, Profile.STAFF, Profile.AGENT
    )
    return not only_pupil or bool(actor.tenant.options.get("public_links_for_pupils", False))


class DocumentsPolicy:
    def can(self, actor: Actor, perm: str, obj: Any = None) -> bool:
        if actor.person.is_blocked:
            return False
        if perm == Perm.SET_QUOTAS:
            return (
                isinstance(obj, School)
                and obj.tenant_id == actor.tenant.pk
                and actor.manages_school(obj.pk)
            )
        if not isinstance(obj, Space | Folder | Document):
            return False
        right = right_on(actor, obj)
        if perm == Perm.EDIT:
            own = not isinstance(obj, Space) and obj.owner_id == actor.person.pk
            return right >= Right.MANAGE or (own and right >= Right.CONTRIBUTE)
        if perm == Perm.PUBLISH and not public_links_allowed(actor):
            return False
        needed = NEEDS.get(Perm(perm)) if perm in Perm._value2member_map_ else None
        return needed is not None and right >= needed

    def visible(self, actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
        """Shares the actor receives, directly or through an audience."""
        return qs.filter(mine(actor), tenant=actor.tenant)


policy = DocumentsPolicy()
