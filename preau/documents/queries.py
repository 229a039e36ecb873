"""Every read of documents: spaces, a folder's content, a file with its versions, comments and
shares, what is shared with the actor, the trash, the quota. `access_*` answer 404 for what is
missing and for what the actor may not read alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db.models import F, Q, QuerySet, Sum
from django.http import Http404

from preau.core.actor import Actor
from preau.core.pagination import Page, keyset_page
from preau.directory.models import Group, Profile, School, SchoolClass, TeachingAssignment
from preau.documents.models import (
    Comment,
    Document,
    Folder,
    PublicLink,
    SchoolQuota,
    Share,
    Space,
    Version,
)
from preau.documents.permissions import Perm, mine, policy

PAGE_SIZE = 50


# --- spaces -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpaceChoice:
    """A space the actor may open, whether or not it exists yet (created on first opening)."""

    kind: str
    ref_id: int
    name: str
    detail: str = ""


def spaces_for(actor: Actor) -> list[SpaceChoice]:
    """The class, group and school spaces of the actor: the classes and groups they are in or
    teach (all the school's classes for its staff and administrators) and their schools."""
    t = actor.tenant
    schools = {s.pk: s for s in actor.schools}
    staff_schools = {m.school_id for m in actor.memberships if m.profile == Profile.STAFF} | (
        set(actor.admin_school_ids) & set(schools)
    )
    taught = TeachingAssignment.objects.filter(
        tenant=t, teacher=actor.person, year__is_current=True
    )
    own_classes = {m.school_class_id for m in actor.memberships if m.school_class_id}
    classes = SchoolClass.objects.filter(tenant=t, year__is_current=True).filter(
        Q(pk__in=own_classes)
        | Q(pk__in=taught.filter(school_class__isnull=False).values("school_class_id"))
        | Q(school_id__in=staff_schools)
    )
    groups = Group.objects.filter(tenant=t, year__is_current=True).filter(
        Q(pk__in=taught.filter(group__isnull=False).values("group_id"))
        | Q(memberships__person=actor.person)
        | Q(school_id__in=staff_schools)
    )
    choices = [
        SpaceChoice(Space.Kind.SCHOOL, school.pk, school.name) for school in schools.values()
    ]
    for c in classes.select_related("school").order_by("school__name", "name"):
        choices.append(SpaceChoice(Space.Kind.CLASS, c.pk, c.name, c.school.name))
    for g in groups.select_related("school").distinct().order_by("school__name", "name"):
        choices.append(SpaceChoice(Space.Kind.GROUP, g.pk, g.name, g.school.name))
    return choices


def access_space(actor: Actor, space_id: int) -> Space:
    space = (
        Space.objects.filter(tenant=actor.tenant, pk=space_id)
        .select_related("school", "school_class", "group", "owner")
        .first()
    )
    if space is None or not policy.can(actor, Perm.READ, space):
        raise Http404
    return space


def personal_space(actor: Actor) -> Space | None:
    return Space.objects.filter(
        tenant=actor.tenant, kind=Space.Kind.PERSONAL, owner=actor.person
    ).first()


@dataclass(frozen=True)
class Destination:
    """A space the actor may add to, and its top-level folders (where to move or copy)."""

    space: Space
    folders: list[Folder]


def spaces_to_contribute(actor: Actor) -> QuerySet[Space]:
    """The existing spaces the actor may add to through the space itself (`space_right` ≥
    CONTRIBUTE): their own, those of the schools where they are staff or administrators, and
    the classes and groups they teach. One query."""
    staff_schools = {m.school_id for m in actor.memberships if m.profile == Profile.STAFF} | set(
        actor.admin_school_ids
    )
    teaching = {m.school_id for m in actor.memberships if m.profile == Profile.TEACHER}
    condition = Q(kind=Space.Kind.PERSONAL, owner=actor.person)
    if staff_schools:
        condition |= Q(school_id__in=staff_schools) & ~Q(kind=Space.Kind.PERSONAL)
    if teaching:
        taught = TeachingAssignment.objects.filter(
            tenant=actor.tenant, teacher=actor.person, year__is_current=True, school_id__in=teaching
        )
        condition |= Q(
            kind=Space.Kind.CLASS,
            school_class_id__in=taught.filter(school_class__isnull=False).values("school_class_id"),
        ) | Q(
            kind=Space.Kind.GROUP,
            group_id__in=taught.filter(group__isnull=False).values("group_id"),
        )
    return (
        Space.objects.filter(condition, tenant=actor.tenant)
        .select_related("school")
        .order_by("school__name", "kind", "name", "id")
    )


def destinations_for(actor: Actor) -> list[Destination]:
    """Where the actor may move or copy things: their spaces (personal first) with their
    top-level folders. Two queries whatever the number of spaces."""
    if actor.person.is_blocked:
        return []
    spaces = sorted(spaces_to_contribute(actor), key=lambda s: s.kind != Space.Kind.PERSONAL)
    tops: dict[int, list[Folder]] = {s.pk: [] for s in spaces}
    if spaces:
        for f in Folder.objects.filter(
            tenant=actor.tenant, space__in=list(tops), parent__isnull=True, trashed_at__isnull=True
        ).order_by("name", "id"):
            tops[f.space_id].append(f)
    return [Destination(space=s, folders=tops[s.pk]) for s in spaces]


# --- folders and documents ----------------------------------------------------------------


def _folders(actor: Actor) -> QuerySet[Folder]:
    return Folder.objects.filter(tenant=actor.tenant).select_related("space", "owner")


def _documents(actor: Actor) -> QuerySet[Document]:
    return Document.objects.filter(tenant=actor.tenant).select_related(
        "space", "folder", "owner", "current_version"
    )


def access_folder(actor: Actor, folder_id: int, *, trashed: bool = False) -> Folder:
    """A folder the actor may read (and, unless `trashed`, not in the trash); 404 otherwise."""
    folder = _folders(actor).filter(pk=folder_id, trashed_at__isnull=not trashed).first()
    if folder is None or not policy.can(actor, Perm.READ, folder):
        raise Http404
    return folder


def access_document(actor: Actor, document_id: int, *, trashed: bool = False) -> Document:
    """A document the actor may read; 404 otherwise. The way other apps (messaging, news) reach
    a document of the workspace: then `open_current_version` gives its content."""
    document = _documents(actor).filter(pk=document_id, trashed_at__isnull=not trashed).first()
    if document is None or not policy.can(actor, Perm.READ, document):
        raise Http404
    return document


def recent_documents(actor: Actor, *, limit: int = 30) -> QuerySet[Document]:
    """The latest files of the actor's own space (what they may attach to a message)."""
    return (
        _documents(actor)
        .filter(
            space__kind=Space.Kind.PERSONAL,
            space__owner=actor.person,
            trashed_at__isnull=True,
            current_version__isnull=False,
        )
        .order_by("-updated_at", "-pk")[:limit]
    )


def open_current_version(document: Document) -> File:
    """The document's current content as a Django File (opened for reading), with its name."""
    version = document.current_version
    if version is None:
        raise Http404
    file = version.file
    file.open("rb")
    return File(file, name=document.name)


def workspace_uploads(actor: Actor, ids: Sequence[int]) -> list[UploadedFile]:
    """The chosen documents the actor may read, as uploads: how another app (a message, a news
    item, a lesson) attaches files of the workspace. The other app stores its own copies, under
    its own limits, quota and scan; each unknown or unreadable id answers 404."""
    uploads = []
    for document_id in ids:
        document = access_document(actor, document_id)
        content = open_current_version(document)
        uploads.append(
            UploadedFile(
                file=content.file,
                name=document.name,
                content_type=document.content_type,
                size=document.size,
            )
        )
    return uploads


def ancestors_of(folder: Folder | None) -> list[Folder]:
    """The folders from the top of the space down to `folder` (itself included): one query."""
    if folder is None:
        return []
    ids = folder.ancestor_ids
    by_id = {f.pk: f for f in Folder.objects.filter(tenant_id=folder.tenant_id, pk__in=ids[:-1])}
    return [by_id[i] for i in ids[:-1] if i in by_id] + [folder]


def subfolders(space: Space, folder: Folder | None) -> QuerySet[Folder]:
    return (
        Folder.objects.filter(
            tenant_id=space.tenant_id, space=space, parent=folder, trashed_at__isnull=True
        )
        .select_related("owner")
        .order_by("name", "id")
    )


def files_in(space: Space, folder: Folder | None) -> QuerySet[Document]:
    return Document.objects.filter(
        tenant_id=space.tenant_id, space=space, folder=folder, trashed_at__isnull=True
    ).select_related("owner", "current_version")


def page_of_files(
    space: Space,
    folder: Folder | None,
    *,
    after: str | None,
    descending: bool = False,
    base_query: dict[str, str] | None = None,
    limit: int = PAGE_SIZE,
) -> Page[Document]:
    """One page of a folder's files by name (then id): one query whatever the folder's size."""
    order = ("-name", "-id") if descending else ("name", "id")
    return keyset_page(
        files_in(space, folder), order=order, after=after, limit=limit, base_query=base_query
    )


def versions_of(document: Document) -> QuerySet[Version]:
    return (
        Version.objects.filter(tenant_id=document.tenant_id, document=document)
        .select_related("uploaded_by")
        .order_by("-number")
    )


def comments_of(document: Document) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(tenant_id=document.tenant_id, document=document)
        .select_related("author")
        .order_by("created_at", "id")
    )


def shares_of(item: Folder | Document) -> QuerySet[Share]:
    field = "folder" if isinstance(item, Folder) else "document"
    return (
        Share.objects.filter(tenant_id=item.tenant_id, **{field: item})
        .select_related("person")
        .order_by("-right", "id")
    )


def access_share(actor: Actor, share_id: int) -> Share:
    """A share of an item the actor manages; 404 otherwise."""
    share = (
        Share.objects.filter(tenant=actor.tenant, pk=share_id)
        .select_related("folder__space", "document__space", "document__folder")
        .first()
    )
    item = share and (share.folder or share.document)
    if share is None or item is None or not policy.can(actor, Perm.MANAGE, item):
        raise Http404
    return share


def public_links_of(document: Document) -> QuerySet[PublicLink]:
    return PublicLink.objects.filter(tenant_id=document.tenant_id, document=document).order_by(
        "-created_at"
    )


def shared_with(actor: Actor) -> QuerySet[Share]:
    """Shares the actor receives (directly or through an audience), newest first, items not
    in the trash."""
    return (
        policy.visible(actor, Share.objects.all())
        .filter(
            Q(folder__isnull=False, folder__trashed_at__isnull=True)
            | Q(document__isnull=False, document__trashed_at__isnull=True)
        )
        .exclude(created_by=actor.person)
        .select_related("folder", "document", "created_by")
        .order_by("-created_at", "-id")
    )


def page_shared_with(actor: Actor, *, after: str | None, limit: int = PAGE_SIZE) -> Page[Share]:
    """One keyset page of `shared_with` (newest first): one query."""
    return keyset_page(shared_with(actor), order=("-created_at", "-id"), after=after, limit=limit)


def shared_with_me_ids(actor: Actor) -> QuerySet[Share]:
    return Share.objects.filter(mine(actor), tenant=actor.tenant)


# --- the trash ------------------------------------------------------------------------------


def trash_of(space: Space) -> tuple[list[Folder], list[Document]]:
    """What was put in the space's trash: the items trashed themselves, not what went in along
    with a trashed folder at the same moment (restoring the folder brings that back)."""
    folders = list(
        Folder.objects.filter(tenant_id=space.tenant_id, space=space, trashed_at__isnull=False)
        .exclude(parent__trashed_at=F("trashed_at"))
        .select_related("owner")
        .order_by("-trashed_at", "id")
    )
    documents = list(
        Document.objects.filter(tenant_id=space.tenant_id, space=space, trashed_at__isnull=False)
        .exclude(folder__trashed_at=F("trashed_at"))
        .select_related("owner")
        .order_by("-trashed_at", "id")
    )
    return folders, documents


# --- quotas ---------------------------------------------------------------------------------

STAFF_PROFILES = (Profile.TEACHER, Profile.STAFF, Profile.AGENT)


def tenant_quota(tenant: Any, profile: str) -> int:
    """The tenant's quota for a profile: `options["documents_quota_<profile>"]` (bytes), else
    the defaults of STANDARDS.md (10 GiB for teachers, staff and agents, 1 GiB for pupils,
    guardians and guests)."""
    default = (
        settings.PREAU_QUOTA_STAFF_BYTES
        if profile in STAFF_PROFILES
        else settings.PREAU_QUOTA_FAMILY_BYTES
    )
    return int((tenant.options or {}).get(f"documents_quota_{profile}", default))


def quota_of(actor: Actor) -> int:
    """The actor's storage quota: the largest of what each of their memberships gives — the
    school's quota for that profile (`SchoolQuota`, set by the school's management) if it has
    one, else the tenant's (`tenant_quota`). One query (none without a membership)."""
    pairs = {(m.school_id, m.profile) for m in actor.memberships}
    by_school: dict[tuple[int, str], int] = {}
    if pairs:
        rows = SchoolQuota.objects.filter(
            tenant=actor.tenant, school_id__in={school_id for school_id, _p in pairs}
        ).values_list("school_id", "profile", "bytes")
        by_school = {(school_id, profile): value for school_id, profile, value in rows}
    values = [by_school.get(pair, tenant_quota(actor.tenant, pair[1])) for pair in pairs]
    if not pairs:
        values.append(tenant_quota(actor.tenant, Profile.GUEST))
    if actor.is_operator:
        values.append(tenant_quota(actor.tenant, Profile.STAFF))
    return max(values)


def school_quotas(school: School) -> dict[str, int]:
    """The quotas a school set, by profile (those it did not set are the tenant's)."""
    return dict(
        SchoolQuota.objects.filter(tenant_id=school.tenant_id, school=school).values_list(
            "profile", "bytes"
        )
    )


def schools_managed(actor: Actor, *, after: str | None = None) -> Page[School]:
    """The schools whose quotas the actor sets (every school of the tenant for an operator),
    by name, in keyset pages."""
    qs = School.objects.filter(tenant=actor.tenant)
    if not actor.is_operator:
        qs = qs.filter(pk__in=actor.managed_school_ids)
    return keyset_page(qs, order=("name", "id"), after=after, limit=PAGE_SIZE)


def access_managed_school(actor: Actor, school_id: int) -> School:
    """A school whose documents settings the actor sets; 404 otherwise."""
    school = School.objects.filter(tenant=actor.tenant, pk=school_id).first()
    if school is None or not policy.can(actor, Perm.SET_QUOTAS, school):
        raise Http404
    return school


def storage_used_by(actor: Actor) -> int:
    """Bytes of every version the actor uploaded and that is still stored (the trash counts
    until it is emptied)."""
    used = Version.objects.filter(tenant=actor.tenant, uploaded_by=actor.person).aggregate(
        total=Sum("size")
    )["total"]
    return int(used or 0)


@dataclass(frozen=True)
class Quota:
    used: int
    total: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.used / self.total)) if self.total else 100


def quota_for(actor: Actor) -> Quota:
    return Quota(used=storage_used_by(actor), total=quota_of(actor))


# --- getting files out ----------------------------------------------------------------------


def folder_tree(folder: Folder) -> tuple[list[Folder], list[Document]]:
    """Every folder under `folder` (itself included) and their files, out of the trash: two
    queries whatever the depth."""
    folders = list(
        Folder.objects.filter(
            tenant_id=folder.tenant_id, path__startswith=folder.path, trashed_at__isnull=True
        ).order_by("path")
    )
    documents = list(
        Document.objects.filter(
            tenant_id=folder.tenant_id,
            folder__in=[f.pk for f in folders],
            trashed_at__isnull=True,
            current_version__isnull=False,
        )
        .select_related("current_version")
        .order_by("folder_id", "name", "id")
    )
    return folders, documents
