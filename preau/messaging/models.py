"""Internal mail: one `Message` per message written, one `Delivery` per recipient's copy.

Sending writes the message and its recipients' ids (the snapshot of the people and audiences it
was addressed to, resolved once, at send) in one short transaction; the `Delivery` rows are
written afterwards by a background job (`tasks.deliver_message`), idempotently: a (message,
recipient) pair is unique, so a job run twice — or resumed after a crash — never delivers twice
and never loses a recipient.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.core.models import TenantModel


class Message(TenantModel):
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The school the sender wrote from (their active school): communication rules and the
    # "no-reply" broadcast are the school's.
    school = models.ForeignKey(
        "directory.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body_html = models.TextField(_("message"), blank=True)
    # The first message of the conversation (itself for a first message, set on save).
    thread = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A broadcast from a school to an audience: recipients may answer the sender only.
    is_broadcast = models.BooleanField(default=False)
    # What the sender addressed, for display: [{"kind": "person"|"audience", "id": ..,
    # "label": ..}]; and whom that meant at send (person ids), the delivery job's input.
    addressed = models.JSONField(default=list, blank=True)
    recipient_ids = models.JSONField(default=list, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)  # None: a draft
    delivered_at = models.DateTimeField(null=True, blank=True)
    recalled_at = models.DateTimeField(null=True, blank=True)
    sender_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "sender", "-sent_at", "-id"]),
            models.Index(fields=["thread", "sent_at"]),
        ]

    def __str__(self) -> str:
        return self.subject or f"message {self.pk}"


class Folder(TenantModel):
    """A person's own folder (inbox, trash and sent are not rows: they are states)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="folder_name_unique")]

    def __str__(self) -> str:
        return self.name


class Delivery(TenantModel):
    """One recipient's copy of a message: read or not, flagged, filed, in the trash."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    folder = models.ForeignKey(
        Folder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivered_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    is_flagged = models.BooleanField(default=False)
    trashed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "recipient"], name="delivery_unique")
        ]
        indexes = [
            # The inbox, newest first; the unread count.
            models.Index(fields=["recipient", "trashed_at", "folder", "-delivered_at", "-id"]),
            models.Index(
                fields=["recipient"],
                name="delivery_unread",
                condition=models.Q(read_at__isnull=True, trashed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.recipient_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random name: nothing the sender typed reaches the storage's paths."""
    return f"messages/{instance.tenant_id}/{uuid.uuid4().hex}"


class Attachment(TenantModel):
    """A file sent with a message; served only to its sender and recipients, as a download."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(_("name"), max_length=150)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
