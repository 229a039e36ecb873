"""Every write of documents: spaces opened, folders, uploads and versions, renames, moves,
copies, the trash, comments, shares and public links. Each takes the actor, checks the right
(permissions.py), runs in one transaction and leaves an audit entry.

Files reach the storage only once everything is checked (size, type, quota, scan): a refused
upload stores nothing; a failed transaction deletes what it had stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.core.actor import Actor
from preau.core.audit import record_audit
from preau.core.files import cleanup_on_error, read_head, safe_file_name, scan_upload, sniffed_type
from preau.core.notify import notify
from preau.core.permissions import require
from preau.directory.communication import AddressScope, writable_people
from preau.directory.models import (
    Audience,
    AudienceTarget,
    Group,
    Person,
    Profile,
    School,
    SchoolClass,
)
from preau.documents import queries
from preau.documents.models import (
    Comment,
    Document,
    Folder,
    PublicLink,
    Right,
    SchoolQuota,
    Share,
    Space,
    Version,
)
from preau.documents.permissions import Perm, policy, right_on

NAME_MAX = 200
COMMENT_MAX = 2000


def _refuse(field: str, message: str, code: str) -> ValidationError:
    """A refusal shown next to `field`, with a machine-readable code."""
    return ValidationError({field: ValidationError(message, code=code)})


def error_code(exc: ValidationError) -> str:
    """The machine-readable code of a refusal (the first one, for a refusal per field)."""
    if hasattr(exc, "error_dict"):
        for errors in exc.error_dict.values():
            for error in errors:
                if error.code:
                    return str(error.code)
        return "invalid"
    return str(getattr(exc, "code", None) or "invalid")


# --- spaces ---------------------------------------------------------------------------------


def open_space(*, actor: Actor, kind: str, ref_id: int | None = None) -> Space:
    """The actor's personal space, or a class, group or school space they may read, created
    the first time it is opened. Anything else is PermissionDenied (views answer 404)."""
    t = actor.tenant
    if kind == Space.Kind.PERSONAL:
        space, _created = Space.objects.get_or_create(
            tenant=t,
            kind=kind,
            owner=actor.person,
            defaults={"name": _("My documents")},
        )
        return space
    lookup: dict[str, object]
    if ref_id is None:
        raise PermissionDenied(Perm.READ)
    if kind == Space.Kind.CLASS:
        c = SchoolClass.objects.filter(tenant=t, pk=ref_id, year__is_current=True).first()
        if c is None:
            raise PermissionDenied(Perm.READ)
        lookup, school_id, name = {"school_class": c}, c.school_id, c.name
    elif kind == Space.Kind.GROUP:
        g = Group.objects.filter(tenant=t, pk=ref_id, year__is_current=True).first()
        if g is None:
            raise PermissionDenied(Perm.READ)
        lookup, school_id, name = {"group": g}, g.school_id, g.name
    elif kind == Space.Kind.SCHOOL:
        s = School.objects.filter(tenant=t, pk=ref_id).first()
        if s is None:
            raise PermissionDenied(Perm.READ)
        lookup, school_id, name = {"school": s}, s.pk, s.name
    else:
        raise PermissionDenied(Perm.READ)
    existing = Space.objects.filter(tenant=t, kind=kind, **lookup).first()
    candidate = existing or Space(tenant=t, kind=kind, school_id=school_id, name=name, **lookup)
    require(policy, actor, Perm.READ, candidate)
    if existing is not None:
        return existing
    space, _created = Space.objects.get_or_create(
        tenant=t, kind=kind, **lookup, defaults={"school_id": school_id, "name": name}
    )
    return space


# --- folders --------------------------------------------------------------------------------


def _clean_name(name: str, field: str = "name") -> str:
    cleaned = safe_file_name(name) if name.strip() else ""
    if not cleaned:
        raise _refuse(field, _("Give it a name."), "name")
    return cleaned[:NAME_MAX]


def _target(space: Space, folder: Folder | None) -> Space | Folder:
    if folder is not None and (folder.space_id != space.pk or folder.trashed_at is not None):
        raise PermissionDenied(Perm.CONTRIBUTE)
    return folder if folder is not None else space


def create_folder(*, actor: Actor, space: Space, parent: Folder | None, name: str) -> Folder:
    require(policy, actor, Perm.CONTRIBUTE, _target(space, parent))
    name = _clean_name(name)
    with transaction.atomic():
        folder = Folder.objects.create(
            tenant=actor.tenant, space=space, parent=parent, name=name, owner=actor.person
        )
        folder.path = f"{parent.path if parent else '/'}{folder.pk}/"
        folder.save(update_fields=["path"])
        record_audit(actor=actor, action="documents.folder_created", target=folder)
    return folder


# --- a school's quotas ------------------------------------------------------------------------

QUOTA_MAX_BYTES = 1024**4  # 1 TiB: beyond it, a typing mistake rather than a choice


def set_school_quotas(
    *, actor: Actor, school: School, quotas: Mapping[str, int | None]
) -> dict[str, int]:
    """Set the school's quota (bytes) for the profiles given; None removes the school's own
    value (its members of that profile get the tenant's again). Its management only
    (`Perm.SET_QUOTAS`). Returns the school's quotas after the change."""
    require(policy, actor, Perm.SET_QUOTAS, school)
    for profile, value in quotas.items():
        if profile not in Profile.values:
            raise _refuse("__all__", _("Unknown profile: %(name)s.") % {"name": profile}, "profile")
        if value is not None and not 0 <= value <= QUOTA_MAX_BYTES:
            raise _refuse(
                f"quota_{profile}",
                _("Give a quota between 0 and %(most)s.")
                % {"most": filesizeformat(QUOTA_MAX_BYTES)},
                "bad_quota",
            )
    before = queries.school_quotas(school)
    changed: dict[str, dict[str, int | None]] = {}
    with transaction.atomic():
        for profile, value in quotas.items():
            old = before.get(profile)
            if old == value:
                continue
            changed[profile] = {"from": old, "to": value}
            if value is None:
                SchoolQuota.objects.filter(
                    tenant=actor.tenant, school=school, profile=profile
                ).delete()
            else:
                SchoolQuota.objects.update_or_create(
                    tenant=actor.tenant,
                    school=school,
                    profile=profile,
                    defaults={"bytes": value, "updated_by": actor.person},
                )
        if changed:
            record_audit(
                actor=actor,
                action="documents.school_quotas_set",
                target=school,
                school=school,
                data=changed,
            )
    return queries.school_quotas(school)


# --- uploads and versions -----------------------------------------------------------------


def _check_uploads(actor: Actor, uploads: Sequence[UploadedFile], *, field: str) -> None:
    """Size per file, number of files, the quota and the optional scan: before anything is
    stored. Raises a ValidationError naming the file."""
    if not uploads:
        raise _refuse(field, _("Choose at least one file."), "no_file")
    most = settings.PREAU_DOCUMENT_UPLOAD_FILES_MAX
    if len(uploads) > most:
        raise _refuse(
            field, _("Send at most %(count)d files at once.") % {"count": most}, "too_many_files"
        )
    limit = settings.PREAU_DOCUMENT_MAX_BYTES
    for upload in uploads:
        if (upload.size or 0) > limit:
            raise _refuse(
                field,
                _("“%(name)s” is larger than %(limit)s, the largest file accepted.")
                % {"name": safe_file_name(upload.name or ""), "limit": filesizeformat(limit)},
                "too_large",
            )
    check_quota(actor, sum(u.size or 0 for u in uploads), field=field)
    for upload in uploads:
        scan_upload(upload)


def check_quota(actor: Actor, adding: int, *, field: str = "files") -> None:
    quota = queries.quota_of(actor)
    used = queries.storage_used_by(actor)
    if used + adding > quota:
        raise _refuse(
            field,
            _(
                "Not enough space: these files need %(needed)s but only %(left)s of your "
                "%(quota)s quota is left. Empty your trash or delete old versions, then try "
                "again."
            )
            % {
                "needed": filesizeformat(adding),
                "left": filesizeformat(max(0, quota - used)),
                "quota": filesizeformat(quota),
            },
            "quota",
        )


def _digest(file: File) -> str:
    sha = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        sha.update(chunk)
    file.seek(0)
    return sha.hexdigest()


def _store_version(
    *, actor: Actor, document: Document, upload: File, name: str, stored: list[str]
) -> Version:
    content_type = sniffed_type(read_head(upload), name)
    digest = _digest(upload)
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = Version(
        tenant_id=document.tenant_id,
        document=document,
        number=number,
        size=upload.size or 0,
        sha256=digest,
        content_type=content_type,
        uploaded_by=actor.person,
    )
    version.file.save(name, upload, save=False)
    stored.append(str(version.file.name))
    version.save()
    document.current_version = version
    document.size = version.size
    document.content_type = content_type
    document.save(update_fields=["current_version", "size", "content_type", "updated_at"])
    return version


def _after_upload(versions: list[Version]) -> None:
    from preau.documents.tasks import make_thumbnail

    ids = [v.pk for v in versions]
    transaction.on_commit(lambda: [make_thumbnail.delay(pk) for pk in ids])


def upload_documents(
    *, actor: Actor, space: Space, folder: Folder | None, uploads: Sequence[UploadedFile]
) -> list[Document]:
    """Add files to a folder (or the top of a space): all of them or none."""
    require(policy, actor, Perm.CONTRIBUTE, _target(space, folder))
    _check_uploads(actor, uploads, field="files")
    stored: list[str] = []
    documents: list[Document] = []
    versions: list[Version] = []
    with cleanup_on_error(stored), transaction.atomic():
        for upload in uploads:
            name = safe_file_name(upload.name or "")
            document = Document.objects.create(
                tenant=actor.tenant, space=space, folder=folder, name=name, owner=actor.person
            )
            versions.append(
                _store_version(
                    actor=actor, document=document, upload=upload, name=name, stored=stored
                )
            )
            documents.append(document)
        record_audit(
            actor=actor,
            action="documents.uploaded",
            target=folder or space,
            data={"files": len(documents), "bytes": sum(v.size for v in versions)},
        )
        _after_upload(versions)
    return documents


def add_version(*, actor: Actor, document: Document, upload: UploadedFile) -> Version:
    require(policy, actor, Perm.CONTRIBUTE, document)
    _check_uploads(actor, [upload], field="file")
    stored: list[str] = []
    with cleanup_on_error(stored), transaction.atomic():
        version = _store_version(
            actor=actor, document=document, upload=upload, name=document.name, stored=stored
        )
        record_audit(
            actor=actor,
            action="documents.version_added",
            target=document,
            data={"version": version.number},
        )
        _after_upload([version])
    return version


def restore_version(*, actor: Actor, document: Document, version: Version) -> Document:
    """Make an earlier version the current one again (the history is kept)."""
    require(policy, actor, Perm.MANAGE, document)
    if version.document_id != document.pk:
        raise PermissionDenied(Perm.MANAGE)
    with transaction.atomic():
        document.current_version = version
        document.size = version.size
        document.content_type = version.content_type
        document.save(update_fields=["current_version", "size", "content_type", "updated_at"])
        record_audit(
            actor=actor,
            action="documents.version_restored",
            target=document,
            data={"version": version.number},
        )
    return document


# --- rename, move, copy -----------------------------------------------------------------------


def rename_item(*, actor: Actor, item: Folder | Document, name: str) -> Folder | Document:
    require(policy, actor, Perm.EDIT, item)
    new = _clean_name(name)
    with transaction.atomic():
        old = item.name
        item.name = new
        item.save(update_fields=["name"])
        record_audit(
            actor=actor, action="documents.renamed", target=item, data={"from": old, "to": new}
        )
    return item


def _destination(space: Space | None, to: Folder | None, default: Space) -> Space:
    """The space things go to: the target folder's, else the one given, else `default`."""
    if to is not None:
        if space is not None and to.space_id != space.pk:
            raise PermissionDenied(Perm.CONTRIBUTE)
        return to.space
    return space if space is not None else default


def _forget_rights(*objects: Space | Folder | Document) -> None:
    for obj in objects:
        obj.__dict__.pop("_right_for", None)


def move_item(
    *,
    actor: Actor,
    item: Folder | Document,
    to: Folder | None,
    space: Space | None = None,
) -> Folder | Document:
    """Move into the folder `to`, or to the top of `space` (None: the item's own space).

    Within its space, an item moves with EDIT (MANAGE, or CONTRIBUTE on one's own item); to
    another space, with MANAGE on it and CONTRIBUTE on the target. A folder takes its whole
    subtree (trashed parts included, so a restore still finds them). Rights inherited from the
    folders it left no longer apply (they were read from the path); shares given on the item or
    inside it stay. A move stores nothing and changes nobody's usage: versions stay counted
    for whoever uploaded them."""
    target_space = _destination(space, to, item.space)
    crossing = target_space.pk != item.space_id
    require(policy, actor, Perm.MANAGE if crossing else Perm.EDIT, item)
    require(policy, actor, Perm.CONTRIBUTE, _target(target_space, to))
    if isinstance(item, Folder) and to is not None and item.pk in to.ancestor_ids:
        raise _refuse("to", _("A folder cannot go inside itself."), "cycle")
    from_space = item.space_id
    with transaction.atomic():
        if isinstance(item, Document):
            item.folder = to
            item.space = target_space
            item.save(update_fields=["folder", "space", "updated_at"])
        else:
            old_path = item.path
            new_path = f"{to.path if to else '/'}{item.pk}/"
            item.parent = to
            item.path = new_path
            item.space = target_space
            item.save(update_fields=["parent", "path", "space"])
            below = list(
                Folder.objects.filter(tenant_id=item.tenant_id, path__startswith=old_path).exclude(
                    pk=item.pk
                )
            )
            for f in below:
                f.path = new_path + f.path[len(old_path) :]
                f.space = target_space
            Folder.objects.bulk_update(below, ["path", "space"])
            if crossing:
                Document.objects.filter(
                    tenant_id=item.tenant_id, folder_id__in=[item.pk, *(f.pk for f in below)]
                ).update(space=target_space)
        _forget_rights(item)
        record_audit(
            actor=actor,
            action="documents.moved",
            target=item,
            data={
                "to": to.pk if to else None,
                "space": target_space.pk,
                "from_space": from_space,
            },
        )
    return item


def _copy_version(*, actor: Actor, source: Version, copy: Document, stored: list[str]) -> Version:
    """A new stored file with the content of `source`, as version 1 of `copy` (counted for
    the actor)."""
    version = Version(
        tenant_id=actor.tenant.pk,
        document=copy,
        number=1,
        size=source.size,
        sha256=source.sha256,
        content_type=source.content_type,
        uploaded_by=actor.person,
    )
    with source.file.open("rb") as content:
        version.file.save(copy.name, File(content), save=False)
    stored.append(str(version.file.name))
    version.save()
    copy.current_version = version
    copy.size = version.size
    copy.content_type = version.content_type
    copy.save(update_fields=["current_version", "size", "content_type"])
    return version


def copy_document(
    *, actor: Actor, document: Document, space: Space, folder: Folder | None
) -> Document:
    """A copy of the current version into `folder` or the top of `space` (any space the actor
    may add to), owned by the actor and counted in their quota (checked before anything is
    stored)."""
    require(policy, actor, Perm.READ, document)
    space = _destination(space, folder, space)
    require(policy, actor, Perm.CONTRIBUTE, _target(space, folder))
    source = document.current_version
    if source is None:
        raise ValidationError(_("This file has no content to copy."), code="empty")
    check_quota(actor, source.size, field="to")
    stored: list[str] = []
    with cleanup_on_error(stored), transaction.atomic():
        copy = Document.objects.create(
            tenant=actor.tenant,
            space=space,
            folder=folder,
            name=document.name,
            owner=actor.person,
        )
        version = _copy_version(actor=actor, source=source, copy=copy, stored=stored)
        record_audit(
            actor=actor,
            action="documents.copied",
            target=copy,
            data={"from": document.pk, "space": space.pk},
        )
        _after_upload([version])
    return copy


def copy_folder(*, actor: Actor, folder: Folder, space: Space, parent: Folder | None) -> Folder:
    """A copy of a folder and of everything it holds (out of the trash), into `parent` or the
    top of `space`: the same tree, each file's current version stored anew, owned by the actor
    and counted in their quota — checked for the whole tree before anything is stored. Shares
    are not copied."""
    require(policy, actor, Perm.READ, folder)
    space = _destination(space, parent, space)
    require(policy, actor, Perm.CONTRIBUTE, _target(space, parent))
    if parent is not None and folder.pk in parent.ancestor_ids:
        raise _refuse("to", _("A folder cannot be copied inside itself."), "cycle")
    folders, documents = queries.folder_tree(folder)
    kept: set[int] = set()
    for source in folders:  # by path: every parent comes before its children
        if source.pk == folder.pk or source.parent_id in kept:
            kept.add(source.pk)  # (a folder under one in the trash is left out)
    files = [d for d in documents if d.folder_id in kept and d.current_version is not None]
    check_quota(actor, sum(d.size for d in files), field="to")
    stored: list[str] = []
    versions: list[Version] = []
    with cleanup_on_error(stored), transaction.atomic():
        copies: dict[int, Folder] = {}
        for source in folders:
            if source.pk not in kept:
                continue
            above = parent if source.pk == folder.pk else copies[source.parent_id or 0]
            made = Folder.objects.create(
                tenant=actor.tenant,
                space=space,
                parent=above,
                name=source.name,
                owner=actor.person,
            )
            made.path = f"{above.path if above else '/'}{made.pk}/"
            made.save(update_fields=["path"])
            copies[source.pk] = made
        for d in files:
            assert d.current_version is not None
            copy = Document.objects.create(
                tenant=actor.tenant,
                space=space,
                folder=copies[d.folder_id or 0],
                name=d.name,
                owner=actor.person,
            )
            versions.append(
                _copy_version(actor=actor, source=d.current_version, copy=copy, stored=stored)
            )
        top = copies[folder.pk]
        record_audit(
            actor=actor,
            action="documents.folder_copied",
            target=top,
            data={
                "from": folder.pk,
                "space": space.pk,
                "folders": len(copies),
                "files": len(versions),
                "bytes": sum(v.size for v in versions),
            },
        )
        _after_upload(versions)
    return top


# --- the trash ------------------------------------------------------------------------------


def trash_item(*, actor: Actor, item: Folder | Document) -> None:
    """Into the space's trash; a folder takes everything inside with it (same moment, so a
    restore brings back exactly that)."""
    require(policy, actor, Perm.EDIT, item)
    now = timezone.now()
    with transaction.atomic():
        if isinstance(item, Folder):
            inside = Folder.objects.filter(
                tenant_id=item.tenant_id, path__startswith=item.path, trashed_at__isnull=True
            )
            Document.objects.filter(
                tenant_id=item.tenant_id, folder__in=inside.values("pk"), trashed_at__isnull=True
            ).update(trashed_at=now)
            inside.update(trashed_at=now)
        else:
            Document.objects.filter(pk=item.pk).update(trashed_at=now)
        item.trashed_at = now
        record_audit(actor=actor, action="documents.trashed", target=item)


def restore_item(*, actor: Actor, item: Folder | Document) -> None:
    """Out of the trash, with what went in with it; to the top of the space if the folder it
    was in is still in the trash."""
    require(policy, actor, Perm.EDIT, item)
    if item.trashed_at is None:
        return
    when = item.trashed_at
    with transaction.atomic():
        if isinstance(item, Folder):
            inside = Folder.objects.filter(
                tenant_id=item.tenant_id, path__startswith=item.path, trashed_at=when
            )
            Document.objects.filter(
                tenant_id=item.tenant_id, folder__in=inside.values("pk"), trashed_at=when
            ).update(trashed_at=None)
            inside.update(trashed_at=None)
            if item.parent_id and item.parent and item.parent.trashed_at is not None:
                move_to_top(item)
        else:
            Document.objects.filter(pk=item.pk).update(trashed_at=None)
            if item.folder_id and item.folder and item.folder.trashed_at is not None:
                Document.objects.filter(pk=item.pk).update(folder=None)
        item.trashed_at = None
        record_audit(actor=actor, action="documents.restored", target=item)


def move_to_top(folder: Folder) -> None:
    old = folder.path
    new = f"/{folder.pk}/"
    Folder.objects.filter(pk=folder.pk).update(parent=None, path=new)
    below = list(Folder.objects.filter(tenant_id=folder.tenant_id, path__startswith=old))
    for f in below:
        f.path = new + f.path[len(old) :]
    Folder.objects.bulk_update(below, ["path"])


def _purge(documents: Sequence[Document], folders: Sequence[Folder]) -> int:
    """Delete the rows, then their files from the storage (after the commit)."""
    names: list[str] = []
    for version in Version.objects.filter(document__in=[d.pk for d in documents]):
        names.append(str(version.file.name))
        if version.thumbnail:
            names.append(str(version.thumbnail.name))
    Document.objects.filter(pk__in=[d.pk for d in documents]).delete()
    Folder.objects.filter(pk__in=[f.pk for f in folders]).delete()

    def delete_files() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(delete_files)
    return len(documents)


def empty_trash(*, actor: Actor, space: Space) -> int:
    """Delete for good what is in the space's trash (its managers only)."""
    require(policy, actor, Perm.MANAGE, space)
    with transaction.atomic():
        documents = list(
            Document.objects.filter(tenant=actor.tenant, space=space, trashed_at__isnull=False)
        )
        folders = list(
            Folder.objects.filter(tenant=actor.tenant, space=space, trashed_at__isnull=False)
        )
        count = _purge(documents, folders)
        record_audit(
            actor=actor, action="documents.trash_emptied", target=space, data={"files": count}
        )
    return count


def purge_trash(*, now: dt.datetime | None = None) -> int:
    """Delete what has been in any trash longer than PREAU_DOCUMENT_TRASH_DAYS (the beat task)."""
    limit = (now or timezone.now()) - dt.timedelta(days=settings.PREAU_DOCUMENT_TRASH_DAYS)
    with transaction.atomic():
        documents = list(Document.objects.filter(trashed_at__lt=limit))
        folders = list(Folder.objects.filter(trashed_at__lt=limit))
        return _purge(documents, folders)


# --- comments ---------------------------------------------------------------------------------


def add_comment(*, actor: Actor, document: Document, text: str) -> Comment:
    require(policy, actor, Perm.COMMENT, document)
    text = text.strip()
    if not text:
        raise _refuse("text", _("Write a comment."), "empty")
    if len(text) > COMMENT_MAX:
        raise _refuse(
            "text", _("Keep a comment under %(max)d characters.") % {"max": COMMENT_MAX}, "too_long"
        )
    with transaction.atomic():
        comment = Comment.objects.create(
            tenant=actor.tenant, document=document, author=actor.person, text=text
        )
        record_audit(actor=actor, action="documents.commented", target=document)
    return comment


# --- shares -----------------------------------------------------------------------------------


def item_url(item: Folder | Document) -> str:
    if isinstance(item, Folder):
        return reverse("documents:folder", args=[item.pk])
    return reverse("documents:document", args=[item.pk])


def share_item(
    *,
    actor: Actor,
    item: Folder | Document,
    right: int,
    people: Sequence[int] = (),
    targets: Sequence[tuple[AudienceTarget, str]] = (),
) -> list[Share]:
    """Give `right` on a folder (and all it holds) or a file to people the actor may see
    (the directory's rules: `writable_people`) and to collective targets the actor may address
    (`AddressScope`). Needs MANAGE, and nobody gives more than they hold. Notifies them."""
    require(policy, actor, Perm.MANAGE, item)
    if right not in Right.values:
        raise _refuse("right", _("Choose a right from the list."), "bad_right")
    if right > right_on(actor, item):
        raise _refuse("right", _("You cannot give more rights than you have."), "bad_right")
    if not people and not targets:
        raise _refuse("people", _("Choose at least one person or group."), "no_recipient")
    wanted = {int(pk) for pk in people}
    allowed = list(writable_people(actor).filter(pk__in=wanted)) if wanted else []
    if len(allowed) != len(wanted):
        raise _refuse(
            "people", _("You may not share with one of these people."), "recipient_refused"
        )
    if targets:
        scope = AddressScope.of(actor, [t for t, _label in targets])
        for target, label in targets:
            if not scope.allows(target):
                raise _refuse(
                    "audiences",
                    _("You may not share with “%(name)s”.") % {"name": label},
                    "audience_refused",
                )
    field = "folder" if isinstance(item, Folder) else "document"
    on: dict[str, Any] = {field: item}
    text = _("%(name)s shared “%(item)s” with you.") % {
        "name": actor.person.full_name,
        "item": item.name,
    }
    shares: list[Share] = []
    with transaction.atomic():
        for person in allowed:
            share, _created = Share.objects.update_or_create(
                tenant=actor.tenant,
                person=person,
                **on,
                defaults={"right": right, "created_by": actor.person},
            )
            shares.append(share)
        if allowed:
            notify(
                allowed,
                kind="documents.shared",
                obj=item,
                actor=actor,
                text=text,
                url=item_url(item),
            )
        for target, label in targets:
            audience = Audience.objects.create(tenant=actor.tenant, label=label[:200])
            target.audience = audience
            target.save()
            shares.append(
                Share.objects.create(
                    tenant=actor.tenant,
                    audience=audience,
                    audience_label=label[:200],
                    right=right,
                    created_by=actor.person,
                    **on,
                )
            )
            notify(
                audience,
                kind="documents.shared",
                obj=item,
                actor=actor,
                text=text,
                url=item_url(item),
            )
        record_audit(
            actor=actor,
            action="documents.shared",
            target=item,
            data={"right": right, "people": len(allowed), "audiences": len(targets)},
        )
    return shares


def revoke_share(*, actor: Actor, share: Share) -> None:
    item = share.folder or share.document
    assert item is not None
    require(policy, actor, Perm.MANAGE, item)
    with transaction.atomic():
        subject = share.person
        audience_id = share.audience_id
        share.delete()
        if audience_id:
            Audience.objects.filter(pk=audience_id, tenant=actor.tenant).delete()
        record_audit(actor=actor, action="documents.share_revoked", target=item, subject=subject)


def people_chosen(actor: Actor, ids: Sequence[int]) -> list[Person]:
    """The people chosen in the share dialog, to show again: only those the actor may see."""
    return list(writable_people(actor).filter(pk__in=list(ids)).order_by("search_name"))


# --- public links -------------------------------------------------------------------------------


def create_public_link(*, actor: Actor, document: Document, days: int) -> PublicLink:
    require(policy, actor, Perm.PUBLISH, document)
    most = settings.PREAU_PUBLIC_LINK_MAX_DAYS
    if not 1 <= days <= most:
        raise _refuse("days", _("A link lasts from 1 to %(most)d days.") % {"most": most}, "days")
    with transaction.atomic():
        link = PublicLink.objects.create(
            tenant=actor.tenant,
            document=document,
            token=secrets.token_urlsafe(32),
            expires_at=timezone.now() + dt.timedelta(days=days),
            created_by=actor.person,
        )
        record_audit(
            actor=actor,
            action="documents.public_link_created",
            target=document,
            data={"days": days},
        )
    return link


def revoke_public_link(*, actor: Actor, link: PublicLink) -> None:
    require(policy, actor, Perm.MANAGE, link.document)
    with transaction.atomic():
        link.delete()
        record_audit(actor=actor, action="documents.public_link_revoked", target=link.document)


def public_document(*, tenant_id: int, token: str) -> Document | None:
    """The document of a live public link (no actor: anyone holding the token)."""
    link = (
        PublicLink.objects.filter(
            tenant_id=tenant_id,
            token=token,
            expires_at__gt=timezone.now(),
            document__trashed_at__isnull=True,
        )
        .select_related("document__current_version")
        .first()
    )
    return link.document if link else None


# --- thumbnails ---------------------------------------------------------------------------------

THUMB_SIZE = (320, 320)


def make_thumbnail(version_id: int) -> bool:
    """A PNG thumbnail of an image or of a PDF's first page (the background job)."""
    import io

    from PIL import Image

    version = Version.objects.filter(pk=version_id).first()
    if version is None or version.thumbnail:
        return False
    image = None
    try:
        with version.file.open("rb") as content:
            if version.content_type.startswith("image/"):
                Image.MAX_IMAGE_PIXELS = 50_000_000
                image = Image.open(content)
                image.load()
            elif version.content_type == "application/pdf":
                import pypdfium2

                pdf = pypdfium2.PdfDocument(content.read())
                try:
                    page = pdf[0]
                    image = page.render(scale=0.5).to_pil()
                    page.close()
                finally:
                    pdf.close()
    except Exception:  # a damaged file simply gets no thumbnail
        return False
    if image is None:
        return False
    image.thumbnail(THUMB_SIZE)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG")
    version.thumbnail.save("thumb.png", ContentFile(out.getvalue()), save=False)
    Version.objects.filter(pk=version.pk).update(thumbnail=version.thumbnail.name)
    return True
