"""Every write of messaging: drafts, sending, replies, recall, reading, filing, the trash.

Sending is one short transaction: the message, what it was addressed to and whom that meant
(person ids, resolved by one query per audience). The recipients' copies, their notifications
and e-mails are written by `tasks.deliver_message` after the commit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from preau.core.actor import Actor
from preau.core.audit import record_audit
from preau.core.files import safe_file_name, scan_upload, served_type
from preau.core.notify import notify, notify_again
from preau.core.permissions import require
from preau.core.sanitize import sanitize_html
from preau.directory.audiences import people_in_target, resolve_audience
from preau.directory.communication import AddressScope, can_address_audience, writable_people
from preau.directory.models import Audience, AudienceTarget, Group, Person, School, SchoolClass
from preau.messaging.models import Attachment, Delivery, Folder, Message
from preau.messaging.permissions import Perm, policy

SUBJECT_MAX = 200
_TAGS = re.compile(r"<[^>]*>")
DELIVERY_BATCH = 1000
# A picture pasted into the text (the editor refuses bigger ones; the body limit is the rule).
INLINE_IMAGE_MAX_BYTES = 1024**2


@dataclass(frozen=True)
class Recipients:
    """Whom a message is addressed to: people (by id) and audiences."""

    people: Sequence[int] = ()
    audiences: Sequence[Audience] = ()
    # Collective recipients chosen on the compose page (see `target_for_key`), with labels.
    targets: Sequence[tuple[AudienceTarget, str]] = ()

    def __bool__(self) -> bool:
        return bool(self.people or self.audiences or self.targets)


def _confirm_above() -> int:
    return int(settings.PREAU_MESSAGE_CONFIRM_ABOVE)


def _recall_window() -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.PREAU_MESSAGE_RECALL_MINUTES))


def _is_guardians(target: AudienceTarget) -> bool:
    return target.kind == AudienceTarget.Kind.CLASS_GUARDIANS or (
        target.kind == AudienceTarget.Kind.PROFILE and target.profile == "guardian"
    )


def _addresses_guardians(recipients: Recipients) -> bool:
    saved = AudienceTarget.objects.filter(audience__in=recipients.audiences)
    return any(_is_guardians(t) for t, _label in recipients.targets) or any(
        _is_guardians(t) for t in saved
    )


def _resolve(actor: Actor, recipients: Recipients, *, reply_to: Message | None) -> list[int]:
    """The person ids `recipients` means, each checked against the communication rules.

    A person the actor may not write to — a forged id included — refuses the whole message,
    except the author of the message replied to (one may always answer whoever wrote).
    """
    wanted = {int(pk) for pk in recipients.people}
    allowed_anyway = {reply_to.sender_id} if reply_to is not None else set()
    to_check = wanted - allowed_anyway
    allowed = (
        set(writable_people(actor).filter(pk__in=to_check).values_list("pk", flat=True))
        if to_check
        else set()
    )
    refused = to_check - allowed
    if refused:
        raise ValidationError(
            ngettext(
                "You may not write to one of these recipients.",
                "You may not write to %(count)d of these recipients.",
                len(refused),
            )
            % {"count": len(refused)},
            code="recipient_refused",
        )
    ids = set(wanted)
    for audience in recipients.audiences:
        if not can_address_audience(actor, audience):
            raise ValidationError(
                _("You may not write to “%(audience)s”.") % {"audience": audience},
                code="audience_refused",
            )
        ids.update(resolve_audience(audience).values_list("pk", flat=True))
    if recipients.targets:
        scope = AddressScope.of(actor, [t for t, _label in recipients.targets])
        for target, label in recipients.targets:
            if not scope.allows(target):
                raise ValidationError(
                    _("You may not write to “%(audience)s”.") % {"audience": label},
                    code="audience_refused",
                )
            ids.update(people_in_target(target).values_list("pk", flat=True))
    ids.discard(actor.person.pk)
    return sorted(ids)


def _addressed(recipients: Recipients) -> list[dict[str, object]]:
    people = Person.objects.filter(pk__in=recipients.people).only("first_name", "last_name")
    entries: list[dict[str, object]] = [
        {"kind": "person", "id": p.pk, "label": f"{p.first_name} {p.last_name}"} for p in people
    ]
    entries += [{"kind": "audience", "id": a.pk, "label": str(a)} for a in recipients.audiences]
    entries += [{"kind": t.kind, "label": label} for t, label in recipients.targets]
    return entries


def _has_content(html: str) -> bool:
    """Text or a picture, once the tags are gone."""
    return "<img" in html or bool(_TAGS.sub("", html).replace("&nbsp;", "").strip())


def _clean_body(body: str) -> str:
    """The sanitised text, pasted pictures kept; refused beyond PREAU_MESSAGE_BODY_MAX_BYTES."""
    limit = settings.PREAU_MESSAGE_BODY_MAX_BYTES
    if len(body) > limit:
        raise ValidationError(
            {
                "body": _(
                    "The message is larger than %(limit)s: use smaller pictures, or attach "
                    "them as files."
                )
                % {"limit": filesizeformat(limit)}
            }
        )
    return sanitize_html(body, inline_images=True)


def _check_text(subject: str, body: str) -> tuple[str, str]:
    subject = " ".join(subject.split())
    if len(subject) > SUBJECT_MAX:
        raise ValidationError(
            {"subject": _("Keep the subject under %(max)d characters.") % {"max": SUBJECT_MAX}}
        )
    body_html = _clean_body(body)
    if not subject and not _has_content(body_html):
        raise ValidationError(_("Write a subject or a message."), code="empty")
    return subject, body_html


# --- attachments ------------------------------------------------------------------------------


def _check_attachments(
    actor: Actor, uploads: Sequence[UploadedFile], forwarded: Sequence[Attachment] = ()
) -> None:
    """Count, size, scan and quota; files forwarded with a message count like new ones."""
    from preau.messaging.queries import quota_of, storage_used_by

    if len(uploads) + len(forwarded) > settings.PREAU_ATTACHMENTS_MAX:
        raise ValidationError(
            {
                "attachments": _("Attach at most %(count)d files.")
                % {"count": settings.PREAU_ATTACHMENTS_MAX}
            }
        )
    limit = settings.PREAU_ATTACHMENT_MAX_BYTES
    for upload in uploads:
        if (upload.size or 0) > limit:
            raise ValidationError(
                {
                    "attachments": _("“%(name)s” is larger than %(limit)s.")
                    % {"name": safe_file_name(upload.name or ""), "limit": filesizeformat(limit)}
                }
            )
        scan_upload(upload)
    total = sum(u.size or 0 for u in uploads) + sum(a.size for a in forwarded)
    if total and storage_used_by(actor) + total > quota_of(actor):
        raise ValidationError(
            {
                "attachments": _(
                    "These files would go beyond your storage quota of %(quota)s: delete "
                    "messages with attachments you no longer need, or send smaller files."
                )
                % {"quota": filesizeformat(quota_of(actor))}
            }
        )


def _store_attachments(
    message: Message, uploads: Sequence[UploadedFile], forwarded: Sequence[Attachment] = ()
) -> None:
    """Store the new files, and a copy of each forwarded one (so that every stored file belongs
    to one message only, and deleting one never takes another's)."""
    for original in forwarded:
        with original.file.open("rb") as content:
            Attachment.objects.create(
                tenant_id=message.tenant_id,
                message=message,
                file=File(content, name=original.name),
                name=original.name,
                size=original.size,
                content_type=original.content_type,
            )
    for upload in uploads:
        name = safe_file_name(upload.name or "")
        Attachment.objects.create(
            tenant_id=message.tenant_id,
            message=message,
            file=upload,
            name=name,
            size=upload.size or 0,
            content_type=served_type(name),
        )


def save_draft(
    *,
    actor: Actor,
    subject: str,
    body: str,
    recipients: Recipients,
    draft: Message | None = None,
    reply_to: Message | None = None,
) -> Message:
    """Create or update a draft (the compose page saves it as one types)."""
    require(policy, actor, Perm.SEND)
    if draft is not None and (draft.sender_id != actor.person.pk or draft.sent_at is not None):
        raise PermissionDenied(Perm.SEND)
    message = draft or Message(tenant=actor.tenant, sender=actor.person)
    message.subject = " ".join(subject.split())[:SUBJECT_MAX]
    message.body_html = _clean_body(body)
    message.school = actor.school
    message.reply_to = reply_to
    message.addressed = _addressed(recipients)
    message.save()
    return message


def send_message(
    *,
    actor: Actor,
    subject: str,
    body: str,
    recipients: Recipients,
    draft: Message | None = None,
    reply_to: Message | None = None,
    broadcast: bool = False,
    confirmed: bool = False,
    attachments: Sequence[UploadedFile] = (),
    forward_of: Message | None = None,
) -> Message:
    """Send a message (a draft, if given). Raises ValidationError with code "confirm" when it
    goes to more than PREAU_MESSAGE_CONFIRM_ABOVE people or to guardians and `confirmed` is
    False: the page asks, then sends again with `confirmed`. `forward_of` (a message the actor
    sent or received, from `queries.access_message`) sends its attachments along."""
    require(policy, actor, Perm.SEND)
    if broadcast and (actor.school is None or not policy.can(actor, Perm.BROADCAST, actor.school)):
        raise PermissionDenied(Perm.BROADCAST)
    if draft is not None and (draft.sender_id != actor.person.pk or draft.sent_at is not None):
        raise PermissionDenied(Perm.SEND)
    if not recipients:
        raise ValidationError({"recipients": _("Choose at least one recipient.")})
    subject, body_html = _check_text(subject, body)
    ids = _resolve(actor, recipients, reply_to=reply_to)
    forwarded = list(forward_of.attachments.all()) if forward_of is not None else []
    _check_attachments(actor, attachments, forwarded)
    if not ids:
        raise ValidationError({"recipients": _("Nobody is in these audiences yet.")})
    if not confirmed and (len(ids) > _confirm_above() or _addresses_guardians(recipients)):
        raise ValidationError(
            ngettext(
                "This message goes to %(count)d person. Send it?",
                "This message goes to %(count)d people, guardians included if you chose them. "
                "Send it?",
                len(ids),
            ),
            code="confirm",
            params={"count": len(ids)},
        )
    now = timezone.now()
    with transaction.atomic():
        message = draft or Message(tenant=actor.tenant, sender=actor.person)
        message.school = actor.school
        message.subject = subject
        message.body_html = body_html
        message.reply_to = reply_to
        message.is_broadcast = broadcast
        message.addressed = _addressed(recipients)
        message.recipient_ids = ids
        message.recipient_count = len(ids)
        message.sent_at = now
        message.save()
        thread_id = reply_to.thread_id if reply_to is not None else message.pk
        Message.objects.filter(pk=message.pk).update(thread_id=thread_id or message.pk)
        message.thread_id = thread_id or message.pk
        try:
            _store_attachments(message, attachments, forwarded)
        except Exception:
            for row in Attachment.objects.filter(message=message):
                if row.file.name:
                    default_storage.delete(row.file.name)
            raise
        record_audit(
            actor=actor,
            action="messaging.message_sent",
            target=message,
            school=actor.school,
            data={
                "recipients": len(ids),
                "broadcast": broadcast,
                "attachments": len(attachments) + len(forwarded),
                "forward_of": forward_of.pk if forward_of is not None else None,
            },
        )
        from preau.messaging.tasks import deliver_message

        transaction.on_commit(lambda: deliver_message.delay(message.pk))
    return message


def reply_recipients(*, actor: Actor, message: Message, reply_all: bool) -> Recipients:
    """Whom a reply goes to: the author; with reply-all, everyone addressed too — but never the
    audience of a broadcast ("no-reply"), whose recipients answer the school only."""
    people = [message.sender_id] if message.sender_id != actor.person.pk else []
    if reply_all and not message.is_broadcast:
        people += [pk for pk in message.recipient_ids if pk != actor.person.pk]
    return Recipients(people=sorted(set(people)))


def deliver(message_id: int) -> int:
    """Write the copies of a sent message that are missing, with their notifications; the
    number written. Idempotent: run it again, after a crash or not, and it writes only what is
    missing — each batch commits its copies and notifications together; concurrent runs take
    turns on each batch (a lock on the message row)."""
    message = (
        Message.objects.filter(pk=message_id, sent_at__isnull=False, recalled_at__isnull=True)
        .select_related("sender", "tenant")
        .first()
    )
    if message is None:
        return 0
    from preau.directory.queries import build_actor

    sender = build_actor(message.sender, tenant=message.tenant)
    sent_at = message.sent_at or timezone.now()
    ids = list(message.recipient_ids)
    written = 0
    for start in range(0, len(ids), DELIVERY_BATCH):
        batch = ids[start : start + DELIVERY_BATCH]
        with transaction.atomic():
            # Two runs at once (a task handed out again while the first still runs) take
            # turns on each batch, so the second sees the first's copies and notifies no one
            # twice; the unique (message, recipient) keeps the copies single whatever happens.
            # A recall between two batches stops the delivery there.
            recalled = (
                Message.objects.select_for_update()
                .filter(pk=message.pk)
                .values_list("recalled_at", flat=True)
                .first()
            )
            if recalled is not None:
                return written
            present = set(
                Delivery.objects.filter(message=message, recipient_id__in=batch).values_list(
                    "recipient_id", flat=True
                )
            )
            missing = [pk for pk in batch if pk not in present]
            if present:
                # An earlier run wrote these copies and may have died before its notifications
                # were handed over for e-mail and push: hand them again (claims keep sends single).
                notify_again(
                    present, kind="messaging.message", obj=message, tenant_id=message.tenant_id
                )
            Delivery.objects.bulk_create(
                [
                    Delivery(
                        tenant_id=message.tenant_id,
                        message=message,
                        recipient_id=pk,
                        delivered_at=sent_at,
                    )
                    for pk in missing
                ],
                ignore_conflicts=True,
            )
            notify(
                [Person(pk=pk, tenant_id=message.tenant_id) for pk in missing],
                kind="messaging.message",
                obj=message,
                actor=sender,
                text=message.subject or _("New message"),
                url=reverse("messaging:received", args=[message.pk]),
            )
            written += len(missing)
    Message.objects.filter(pk=message.pk, delivered_at__isnull=True).update(
        delivered_at=timezone.now()
    )
    return written


def recall_message(*, actor: Actor, message: Message) -> Message:
    """Take back a message nobody has opened yet, within the recall delay."""
    require(policy, actor, Perm.RECALL, message)
    if message.sent_at is None or message.recalled_at is not None:
        raise ValidationError(_("This message cannot be recalled."), code="not_sent")
    if timezone.now() - message.sent_at > _recall_window():
        raise ValidationError(
            _("A message can be recalled only in the %(minutes)d minutes after it was sent.")
            % {"minutes": _recall_window().seconds // 60},
            code="too_late",
        )
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if Delivery.objects.filter(message=locked, read_at__isnull=False).exists():
            raise ValidationError(
                _("Someone has already read this message: it can no longer be recalled."),
                code="read",
            )
        locked.recalled_at = timezone.now()
        locked.save(update_fields=["recalled_at"])
        Delivery.objects.filter(message=locked).delete()
        record_audit(
            actor=actor,
            action="messaging.message_recalled",
            target=locked,
            data={"recipients": locked.recipient_count},
        )
    return locked


def mark_read(*, actor: Actor, delivery: Delivery, read: bool = True) -> None:
    if delivery.recipient_id != actor.person.pk:
        raise PermissionDenied("messaging.read")
    value = timezone.now() if read else None
    Delivery.objects.filter(pk=delivery.pk).update(read_at=value)
    delivery.read_at = value


def flag_copy(*, actor: Actor, delivery: Delivery, flagged: bool = True) -> None:
    """Flag a message of mine to find it again (or take the flag off)."""
    if delivery.recipient_id != actor.person.pk:
        raise PermissionDenied("messaging.flag")
    Delivery.objects.filter(pk=delivery.pk).update(is_flagged=flagged)
    delivery.is_flagged = flagged


def discard_draft(*, actor: Actor, draft: Message) -> None:
    """Delete a draft of mine (never a sent message)."""
    if draft.sender_id != actor.person.pk or draft.sent_at is not None:
        raise PermissionDenied(Perm.SEND)
    draft.delete()


def move_to_trash(*, actor: Actor, delivery: Delivery) -> None:
    if delivery.recipient_id != actor.person.pk:
        raise PermissionDenied("messaging.trash")
    delivery.trashed_at = timezone.now()
    delivery.save(update_fields=["trashed_at"])


def restore(*, actor: Actor, delivery: Delivery) -> None:
    if delivery.recipient_id != actor.person.pk:
        raise PermissionDenied("messaging.trash")
    delivery.trashed_at = None
    delivery.save(update_fields=["trashed_at"])


def file_in(*, actor: Actor, delivery: Delivery, folder: Folder | None) -> None:
    if delivery.recipient_id != actor.person.pk or (
        folder is not None and folder.owner_id != actor.person.pk
    ):
        raise PermissionDenied("messaging.file")
    delivery.folder = folder
    delivery.save(update_fields=["folder"])


def create_folder(*, actor: Actor, name: str) -> Folder:
    name = " ".join(name.split())
    if not name or len(name) > 60:
        raise ValidationError({"name": _("Name the folder in 1 to 60 characters.")})
    if Folder.objects.filter(owner=actor.person, name=name).exists():
        raise ValidationError({"name": _("You already have a folder with this name.")})
    return Folder.objects.create(tenant=actor.tenant, owner=actor.person, name=name)


TRASH_DAYS = 30


def purge_trash() -> int:
    """Delete copies in the trash for more than TRASH_DAYS days (daily; no actor: it is the
    rule people were told)."""
    limit = timezone.now() - dt.timedelta(days=TRASH_DAYS)
    deleted, _detail = Delivery.objects.filter(trashed_at__lt=limit).delete()
    return deleted


_KEY_MODELS: dict[str, tuple[str, type[models.Model]]] = {
    "class_pupils": ("school_class", SchoolClass),
    "class_guardians": ("school_class", SchoolClass),
    "class_teachers": ("school_class", SchoolClass),
    "group": ("group", Group),
    "school": ("school", School),
    "profile": ("school", School),
}
_KEY_PROFILES = frozenset({"pupil", "guardian", "teacher", "staff"})


def target_for_key(*, actor: Actor, key: str) -> AudienceTarget:
    """The collective recipient a compose-page choice means ("class_guardians:12",
    "profile:3:guardian"…), not saved: whether the actor may address it is checked at send.
    A key naming nothing of the actor's tenant is a ValidationError."""
    kind, _sep, rest = key.partition(":")
    ident, _sep, profile = rest.partition(":")
    refused = ValidationError(
        {"recipients": _("Choose the recipients from the list.")}, code="bad_audience"
    )
    if kind not in _KEY_MODELS or not ident.isdigit() or (kind == "profile") != bool(profile):
        raise refused
    if profile and profile not in _KEY_PROFILES:
        raise refused
    field, model = _KEY_MODELS[kind]
    related = model._default_manager.filter(tenant=actor.tenant, pk=int(ident)).first()
    if related is None:
        raise refused
    return AudienceTarget(tenant=actor.tenant, kind=kind, profile=profile, **{field: related})
