"""Every read of messaging: the folders, a conversation, the unread count, search."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from preau.core.actor import Actor
from preau.core.pagination import Page, keyset_page
from preau.core.sanitize import fold
from preau.directory.models import Group, Person, Profile, SchoolClass
from preau.messaging.models import Attachment, Delivery, Folder, Message
from preau.messaging.permissions import policy

PAGE_SIZE = 50


def _copies(actor: Actor) -> QuerySet[Delivery]:
    return Delivery.objects.filter(tenant=actor.tenant, recipient=actor.person).select_related(
        "message", "message__sender"
    )


def inbox_for(actor: Actor, *, folder: Folder | None = None) -> QuerySet[Delivery]:
    """The actor's copies not in the trash: the inbox (no folder) or one of their folders."""
    return _copies(actor).filter(trashed_at__isnull=True, folder=folder)


def flagged_for(actor: Actor) -> QuerySet[Delivery]:
    """The actor's flagged copies, wherever they are filed (not in the trash)."""
    return _copies(actor).filter(trashed_at__isnull=True, is_flagged=True)


def trash_for(actor: Actor) -> QuerySet[Delivery]:
    return _copies(actor).filter(trashed_at__isnull=False)


def sent_by(actor: Actor) -> QuerySet[Message]:
    return Message.objects.filter(
        tenant=actor.tenant,
        sender=actor.person,
        sent_at__isnull=False,
        recalled_at__isnull=True,
        sender_deleted_at__isnull=True,
    )


def drafts_of(actor: Actor) -> QuerySet[Message]:
    return Message.objects.filter(tenant=actor.tenant, sender=actor.person, sent_at__isnull=True)


def folders_of(actor: Actor) -> QuerySet[Folder]:
    return Folder.objects.filter(tenant=actor.tenant, owner=actor.person)


def page_of_copies(
    copies: QuerySet[Delivery], *, after: str | None, base_query: dict[str, str] | None = None
) -> Page[Delivery]:
    return keyset_page(
        copies,
        order=("-delivered_at", "-id"),
        after=after,
        limit=PAGE_SIZE,
        base_query=base_query,
    )


def page_of_messages(
    messages: QuerySet[Message], *, after: str | None, base_query: dict[str, str] | None = None
) -> Page[Message]:
    return keyset_page(
        messages.select_related("sender"),
        order=("-created_at", "-id"),
        after=after,
        limit=PAGE_SIZE,
        base_query=base_query,
    )


def unread_count(actor: Actor) -> int:
    """New messages in the inbox and folders (the header's badge; the partial index answers)."""
    return Delivery.objects.filter(
        recipient=actor.person, read_at__isnull=True, trashed_at__isnull=True
    ).count()


def access_copy(actor: Actor, delivery_id: int) -> Delivery:
    """The actor's own copy of a message; 404 otherwise (missing = forbidden)."""
    copy = _copies(actor).filter(pk=delivery_id).first()
    if copy is None:
        raise Http404
    return copy


def copy_of(actor: Actor, message_id: int) -> Delivery:
    """The actor's copy of a message (what a notification of it opens); 404 otherwise."""
    copy = _copies(actor).filter(message_id=message_id).first()
    if copy is None:
        raise Http404
    return copy


def access_message(actor: Actor, message_id: int) -> Message:
    """A message the actor sent or received; 404 otherwise."""
    message = (
        policy.visible(actor, Message.objects.filter(pk=message_id, sent_at__isnull=False))
        .select_related("sender")
        .first()
    )
    if message is None or (
        message.recalled_at is not None and message.sender_id != actor.person.pk
    ):
        raise Http404
    return message


def access_draft(actor: Actor, message_id: int) -> Message:
    draft = drafts_of(actor).filter(pk=message_id).first()
    if draft is None:
        raise Http404
    return draft


def thread_of(actor: Actor, message: Message) -> QuerySet[Message]:
    """The messages of the conversation the actor sent or received, oldest first."""
    return (
        policy.visible(
            actor,
            Message.objects.filter(
                thread_id=message.thread_id or message.pk,
                sent_at__isnull=False,
                recalled_at__isnull=True,
            ),
        )
        .select_related("sender")
        .prefetch_related("attachments")
        .order_by("sent_at", "id")
    )


def search_copies(actor: Actor, text: str) -> QuerySet[Delivery]:
    """The actor's copies whose subject, body or sender match `text`: PostgreSQL's French full
    text search; elsewhere every word must appear (case-insensitive)."""
    copies = _copies(actor).filter(trashed_at__isnull=True)
    words = text.split()
    if not words:
        return copies.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("message__subject", "message__body_html", config="french")
        query = SearchQuery(text, config="french", search_type="websearch")
        by_sender = Q()
        for word in words:
            by_sender &= Q(message__sender__search_name__icontains=fold(word))
        return copies.annotate(search=vector).filter(Q(search=query) | by_sender)
    condition = Q()
    for word in words:
        condition &= (
            Q(message__subject__icontains=word)
            | Q(message__body_html__icontains=word)
            | Q(message__sender__search_name__icontains=fold(word))
        )
    return copies.filter(condition)


# --- what the compose page offers as collective recipients --------------------------------


@dataclass(frozen=True)
class AudienceChoice:
    key: str  # "class_guardians:12", "profile:3:guardian", "school:3", "group:7"…
    label: str


def addressable_audiences(actor: Actor) -> list[AudienceChoice]:
    """The collective recipients the actor may address (communication.AddressScope): for each
    class they teach its pupils, guardians and teachers; the groups they teach; for a school
    they may address whole, the school and each profile in it."""
    from preau.directory.communication import AddressScope

    scope = AddressScope.of(actor, [])
    choices: list[AudienceChoice] = []
    classes = SchoolClass.objects.filter(tenant=actor.tenant, pk__in=scope.class_ids).order_by(
        "name"
    )
    for c in classes:
        choices += [
            AudienceChoice(f"class_pupils:{c.pk}", _("Pupils of %(name)s") % {"name": c.name}),
            AudienceChoice(
                f"class_guardians:{c.pk}", _("Guardians of %(name)s") % {"name": c.name}
            ),
            AudienceChoice(f"class_teachers:{c.pk}", _("Teachers of %(name)s") % {"name": c.name}),
        ]
    for g in Group.objects.filter(tenant=actor.tenant, pk__in=scope.group_ids).order_by("name"):
        choices.append(AudienceChoice(f"group:{g.pk}", _("Members of %(name)s") % {"name": g.name}))
    schools = [s for s in actor.schools if scope.is_operator or s.pk in scope.full_school_ids]
    for s in schools:
        choices.append(
            AudienceChoice(f"school:{s.pk}", _("Everyone at %(name)s") % {"name": s.name})
        )
        for profile, label in (
            (Profile.PUPIL, _("Pupils of %(name)s")),
            (Profile.GUARDIAN, _("Guardians of %(name)s")),
            (Profile.TEACHER, _("Teachers of %(name)s")),
            (Profile.STAFF, _("Staff of %(name)s")),
        ):
            choices.append(AudienceChoice(f"profile:{s.pk}:{profile}", label % {"name": s.name}))
    return choices


def people_chosen(actor: Actor, ids: list[int], *, reply_to: Message | None) -> list[Person]:
    """The chosen recipients to show again on the compose page: only people the actor may write
    to (and the author replied to), so a posted id never reveals a name."""
    from preau.directory.communication import writable_people

    allowed = Q(pk__in=writable_people(actor).filter(pk__in=ids).values("pk"))
    if reply_to is not None and reply_to.sender_id in ids:
        allowed |= Q(pk=reply_to.sender_id)
    return list(Person.objects.filter(tenant=actor.tenant).filter(allowed).order_by("search_name"))


# --- storage and attachments ------------------------------------------------------------------


def quota_of(actor: Actor) -> int:
    """The actor's storage quota: staff-sized for teachers, staff and agents (STANDARDS.md)."""
    if actor.is_operator or actor.has_profile(Profile.TEACHER, Profile.STAFF, Profile.AGENT):
        return int(settings.PREAU_QUOTA_STAFF_BYTES)
    return int(settings.PREAU_QUOTA_FAMILY_BYTES)


def storage_used_by(actor: Actor) -> int:
    """Bytes of the attachments of the messages the actor sent and kept."""
    used = Attachment.objects.filter(
        tenant=actor.tenant, message__sender=actor.person, message__sender_deleted_at__isnull=True
    ).aggregate(total=Sum("size"))["total"]
    return int(used or 0)


@dataclass(frozen=True)
class QuotaUse:
    """How much of their storage quota a person's attachments take."""

    used: int
    quota: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.used / self.quota)) if self.quota else 100

    @property
    def is_nearly_full(self) -> bool:
        """Past 90 %: the mailbox warns before a file is refused."""
        return self.percent >= QUOTA_WARNING_PERCENT


QUOTA_WARNING_PERCENT = 90


def quota_use(actor: Actor) -> QuotaUse:
    return QuotaUse(used=storage_used_by(actor), quota=quota_of(actor))


def access_attachment(actor: Actor, attachment_id: int) -> Attachment:
    """An attachment of a message the actor sent or holds a copy of; 404 otherwise."""
    attachment = (
        Attachment.objects.filter(tenant=actor.tenant, pk=attachment_id)
        .select_related("message")
        .first()
    )
    if attachment is None:
        raise Http404
    message = attachment.message
    mine = message.sender_id == actor.person.pk
    received = Delivery.objects.filter(message=message, recipient=actor.person).exists()
    if not (mine or (received and message.recalled_at is None)):
        raise Http404
    return attachment
