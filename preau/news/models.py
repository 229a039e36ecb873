"""News: targeted announcements of a school (or of an authority for its schools).

A news item is one row and one audience (fan-out on read): whoever the audience reaches sees it,
found by `audiences.audience_ids_reaching(person)`. Reads (`NewsRead`) and dismissed flash
banners (`FlashDismissal`) are one row per person who did it, never per recipient.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.core.models import TenantModel


class News(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for validation")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The school the news is written for; None: an authority's news for its schools.
    school = models.ForeignKey(
        "directory.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    authority = models.ForeignKey(
        "directory.Authority", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    body_html = models.TextField(_("text"), blank=True)  # sanitised on the way in
    # Created by the actions from the chosen targets; `addressed` keeps the choices and their
    # labels, for the form and for display: [{"key": "class_guardians:12", "label": ...}].
    audience = models.ForeignKey(
        "directory.Audience", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    addressed = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(_("publish on"), null=True, blank=True)
    expires_at = models.DateTimeField(_("hide after"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # How many people the audience reached when the news was published (the "read by N of M"
    # of the author's list; the detail page counts again).
    audience_count = models.PositiveIntegerField(default=0)
    is_urgent = models.BooleanField(_("urgent (flash banner)"), default=False)
    allow_comments = models.BooleanField(_("allow comments"), default=False)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rejection_reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        indexes = [
            models.Index(fields=["tenant", "status", "-published_at", "-id"]),
            models.Index(fields=["tenant", "author", "-created_at", "-id"]),
            models.Index(fields=["status", "publish_at"]),
        ]

    def __str__(self) -> str:
        return self.title


def news_file_path(instance: NewsFile, filename: str) -> str:
    """A random name: nothing the author typed reaches the storage's paths."""
    return f"news/{instance.tenant_id}/{uuid.uuid4().hex}"


class NewsFile(TenantModel):
    """A picture shown in the news (PNG, JPEG, GIF, WebP) or an attachment (a download)."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        ATTACHMENT = "attachment", _("Attachment")

    news = models.ForeignKey(News, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=news_file_path, max_length=200)
    name = models.CharField(_("name"), max_length=150)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class NewsComment(TenantModel):
    news = models.ForeignKey(News, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.news_id}: {self.text[:40]}"


class NewsRead(TenantModel):
    """The person opened the news (how many of the audience have read it)."""

    news = models.ForeignKey(News, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["news", "person"], name="news_read_unique")]


class FlashDismissal(TenantModel):
    """The person closed the flash banner of an urgent news."""

    news = models.ForeignKey(News, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "news"], name="flash_dismissal_unique")
        ]


class NewsSettings(TenantModel):
    """A school's news rules; a school without a row has the defaults below."""

    school = models.OneToOneField(
        "directory.School", on_delete=models.CASCADE, related_name="news_settings"
    )
    teachers_need_validation = models.BooleanField(
        _("teachers' news are validated by the management"), default=True
    )
    staff_need_validation = models.BooleanField(
        _("staff news (other than the management's) are validated by the management"),
        default=False,
    )

    def __str__(self) -> str:
        return f"news settings of {self.school_id}"
