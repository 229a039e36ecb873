"""Workspaces of files: spaces, folders, documents and their versions, shares, comments and
public links. Rights and their inheritance live in permissions.py, every write in actions.py."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from preau.core.models import TenantModel
from preau.directory.models import Profile


def version_file_name(instance: Version, filename: str) -> str:
    """Stored under a random name: the uploaded name is kept in the row, never in storage."""
    return f"documents/{instance.tenant_id}/{uuid.uuid4().hex}"


def thumbnail_file_name(instance: Version, filename: str) -> str:
    return f"documents/{instance.tenant_id}/thumbs/{uuid.uuid4().hex}.png"


class Right(models.IntegerChoices):
    """The five rights of DESIGN.md, each including the ones before it (docs/documents.md)."""

    READ = 1, _("Read")
    COMMENT = 2, _("Comment")
    CONTRIBUTE = 3, _("Contribute")
    MANAGE = 4, _("Manage")
    PUBLISH = 5, _("Publish")


class Space(TenantModel):
    """A workspace: one person's documents, or a class's, a group's or a school's. Created the
    first time someone opens it (`actions.open_space`)."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("My documents")
        CLASS = "class", _("Class")
        GROUP = "group", _("Group")
        SCHOOL = "school", _("School")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    school = models.ForeignKey(
        "directory.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    school_class = models.ForeignKey(
        "directory.SchoolClass", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        "directory.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner"], condition=Q(kind="personal"), name="one_personal_space"
            ),
            models.UniqueConstraint(
                fields=["school_class"], condition=Q(kind="class"), name="one_class_space"
            ),
            models.UniqueConstraint(
                fields=["group"], condition=Q(kind="group"), name="one_group_space"
            ),
            models.UniqueConstraint(
                fields=["school"], condition=Q(kind="school"), name="one_school_space"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Folder(TenantModel):
    """A folder of a space. `path` is the materialised list of the ids from the top folder down
    to this one ("/3/8/12/"): the ancestors of anything are known without a query, so the
    rights inherited from all of them are read in one."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="folders")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    path = models.CharField(max_length=2000, db_index=True, default="/")
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    trashed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["space", "parent", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the top folder down to this one (itself included)."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class Document(TenantModel):
    """A file of a space: its name, where it is, and its current version (size and the type
    it is served with are copied from it, so listings read one table)."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="documents")
    folder = models.ForeignKey(
        Folder, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    current_version = models.ForeignKey(
        "Version", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    size = models.BigIntegerField(default=0)
    content_type = models.CharField(max_length=120, default="application/octet-stream")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    trashed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["space", "folder", "name", "id"])]

    def __str__(self) -> str:
        return self.name


class Version(TenantModel):
    """One stored state of a document's content."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=version_file_name, max_length=300)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    thumbnail = models.FileField(upload_to=thumbnail_file_name, max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_version_number")
        ]
        indexes = [models.Index(fields=["tenant", "uploaded_by"])]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class Share(TenantModel):
    """A right on a folder (and everything under it) or a document, given to a person or an
    audience. Rights only add up; revoking deletes the row."""

    folder = models.ForeignKey(
        Folder, null=True, blank=True, on_delete=models.CASCADE, related_name="shares"
    )
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.CASCADE, related_name="shares"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    audience = models.ForeignKey(
        "directory.Audience", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    audience_label = models.CharField(max_length=200, blank=True)
    right = models.PositiveSmallIntegerField(choices=Right.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(folder__isnull=False, document__isnull=True)
                | Q(folder__isnull=True, document__isnull=False),
                name="share_on_one_item",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False, audience__isnull=True)
                | Q(person__isnull=True, audience__isnull=False),
                name="share_to_one_target",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "person"]),
            models.Index(fields=["tenant", "audience"]),
        ]

    def __str__(self) -> str:
        return f"share {self.pk}"


class Comment(TenantModel):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"comment {self.pk}"


class PublicLink(TenantModel):
    """A link anyone may open, without an account, to download one document until `expires_at`."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="public_links")
    token = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"link {self.pk}"


class SchoolQuota(TenantModel):
    """A school's storage quota for its members of one profile, set by the school's management.
    It overrides the tenant's (`options["documents_quota_<profile>"]`) and the defaults for the
    people of that profile in that school; someone in several schools gets the largest."""

    school = models.ForeignKey("directory.School", on_delete=models.CASCADE, related_name="+")
    profile = models.CharField(_("profile"), max_length=10, choices=Profile.choices)
    bytes = models.BigIntegerField(_("quota (bytes)"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "profile"], name="one_quota_per_profile"),
            models.CheckConstraint(condition=Q(bytes__gte=0), name="quota_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.profile}: {self.bytes}"
