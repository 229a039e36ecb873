"""Every write of news: drafts, the publication workflow, files, comments, reads, banners.

A news item's audience is built from the targets the author chose (`target_for_key`), each
checked against what the author may address (`communication.AddressScope`). Publication writes
the news and ONE notification for its audience (fan-out on read), whatever its size.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from preau.core.actor import Actor
from preau.core.audit import record_audit
from preau.core.files import safe_file_name, scan_upload, served_type
from preau.core.models import Notification
from preau.core.notify import notify
from preau.core.permissions import require
from preau.core.sanitize import sanitize_html
from preau.directory.audiences import audience_ids_reaching, audience_size
from preau.directory.communication import AddressScope
from preau.directory.models import (
    Audience,
    AudienceTarget,
    Authority,
    Function,
    Group,
    Person,
    Profile,
    School,
    SchoolClass,
    Subject,
)
from preau.news.models import FlashDismissal, News, NewsComment, NewsFile, NewsRead, NewsSettings
from preau.news.permissions import Perm, policy

TITLE_MAX = 200
# The text with the pictures pasted into it (they travel inside it, as in messages).
BODY_MAX = 4 * 1024**2
COMMENT_MAX = 2000
REASON_MAX = 500
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_TAGS = re.compile(r"<[^>]*>")
Kind = AudienceTarget.Kind


def invalid(field: str, message: str, code: str) -> ValidationError:
    """A refusal tied to a form field, with a machine-readable code (the API's `code`)."""
    return ValidationError({field: ValidationError(message, code=code)})


# --- targets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One chosen target: the AudienceTarget it means (not saved), its key and label, and the
    school (or authority) it lies in."""

    key: str
    label: str
    target: AudienceTarget
    school_id: int | None
    authority_id: int | None


_PROFILES = frozenset({Profile.PUPIL, Profile.GUARDIAN, Profile.TEACHER, Profile.STAFF})
_PROFILE_LABELS = {
    Profile.PUPIL: gettext_lazy("Pupils of %(name)s"),
    Profile.GUARDIAN: gettext_lazy("Guardians of %(name)s"),
    Profile.TEACHER: gettext_lazy("Teachers of %(name)s"),
    Profile.STAFF: gettext_lazy("Staff of %(name)s"),
}


def _refused() -> ValidationError:
    return invalid("targets", _("Choose the audience from the list."), "bad_target")


def _get(actor: Actor, model: type[models.Model], ident: str) -> models.Model:
    if not ident.isdigit():
        raise _refused()
    found = model._default_manager.filter(tenant=actor.tenant, pk=int(ident)).first()
    if found is None:
        raise _refused()
    return found


def profile_label(profile: str, name: str) -> str:
    return str(_PROFILE_LABELS[Profile(profile)]) % {"name": name}


def target_for_key(*, actor: Actor, key: str) -> Target:  # noqa: PLR0911
    """The target a form choice means:

    `school:<id>`, `profile:<school>:<profile>`, `class_pupils:<class>`, `class_guardians:<class>`,
    `class_teachers:<class>`, `group:<id>`, `function:<school>:<code>`,
    `subject_teachers:<school>:<subject>`, `authority:<id>` and `authority:<id>:<profile>`.

    A key naming nothing of the actor's tenant is a ValidationError (`bad_target`); whether the
    actor may address it is checked when the news is saved (`check_targets`).
    """
    kind, _sep, rest = key.partition(":")
    ident, _sep, extra = rest.partition(":")
    t = actor.tenant

    def made(
        label: str,
        *,
        school_id: int | None = None,
        authority_id: int | None = None,
        **fields: object,
    ) -> Target:
        return Target(
            key=key,
            label=label,
            target=AudienceTarget(tenant=t, kind=kind, **fields),
            school_id=school_id,
            authority_id=authority_id,
        )

    if kind == Kind.SCHOOL and not extra:
        school = _get(actor, School, ident)
        assert isinstance(school, School)
        return made(
            _("Everyone at %(name)s") % {"name": school.name}, school=school, school_id=school.pk
        )
    if kind == Kind.PROFILE and extra in _PROFILES:
        school = _get(actor, School, ident)
        assert isinstance(school, School)
        return made(
            profile_label(extra, school.name), school=school, profile=extra, school_id=school.pk
        )
    if kind in (Kind.CLASS_PUPILS, Kind.CLASS_GUARDIANS, Kind.CLASS_TEACHERS) and not extra:
        school_class = _get(actor, SchoolClass, ident)
        assert isinstance(school_class, SchoolClass)
        labels: dict[str, str] = {
            Kind.CLASS_PUPILS: _("Pupils of %(name)s"),
            Kind.CLASS_GUARDIANS: _("Guardians of %(name)s"),
            Kind.CLASS_TEACHERS: _("Teachers of %(name)s"),
        }
        label = labels[kind] % {"name": school_class.name}
        return made(label, school_class=school_class, school_id=school_class.school_id)
    if kind == Kind.GROUP and not extra:
        group = _get(actor, Group, ident)
        assert isinstance(group, Group)
        return made(
            _("Members of %(name)s") % {"name": group.name}, group=group, school_id=group.school_id
        )
    if kind == Kind.FUNCTION and extra in Function.values:
        school = _get(actor, School, ident)
        assert isinstance(school, School)
        label = _("%(function)s of %(name)s") % {
            "function": Function(extra).label,
            "name": school.name,
        }
        return made(label, school=school, function=extra, school_id=school.pk)
    if kind == Kind.SUBJECT_TEACHERS:
        school = _get(actor, School, ident)
        subject = _get(actor, Subject, extra)
        assert isinstance(school, School)
        assert isinstance(subject, Subject)
        label = _("Teachers of %(subject)s at %(name)s") % {
            "subject": subject.label,
            "name": school.name,
        }
        return made(label, school=school, subject=subject, school_id=school.pk)
    if kind == Kind.AUTHORITY and (not extra or extra in _PROFILES):
        authority = _get(actor, Authority, ident)
        assert isinstance(authority, Authority)
        label = (
            profile_label(extra, authority.name)
            if extra
            else _("Everyone in the schools of %(name)s") % {"name": authority.name}
        )
        return made(label, authority=authority, profile=extra, authority_id=authority.pk)
    raise _refused()


def check_targets(
    actor: Actor, targets: Sequence[Target]
) -> tuple[School | None, Authority | None]:
    """Refuse a target the actor may not address; the school (or the authority) of the news.

    All targets lie in one school, or are all AUTHORITY targets of one authority.
    """
    if not targets:
        return actor.school, None
    scope = AddressScope.of(actor, [t.target for t in targets])
    for t in targets:
        if not scope.allows(t.target):
            raise invalid(
                "targets",
                _("You may not address “%(audience)s”.") % {"audience": t.label},
                "target_refused",
            )
    schools = {t.school_id for t in targets}
    authorities = {t.authority_id for t in targets}
    if len(schools) > 1 or len(authorities) > 1:
        raise invalid(
            "targets",
            _(
                "A news item goes to one school, or to the schools of one authority: "
                "write one per school."
            ),
            "mixed_targets",
        )
    first = targets[0].target
    if first.kind == Kind.AUTHORITY:
        return None, first.authority
    school = first.school or (
        first.school_class.school if first.school_class_id else first.group.school  # type: ignore[union-attr]
    )
    return school, None


def _targets_of(actor: Actor, keys: Sequence[str]) -> list[Target]:
    unique = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    return [target_for_key(actor=actor, key=key) for key in unique]


# --- drafts -----------------------------------------------------------------------------------


def _has_content(html: str) -> bool:
    return "<img" in html or bool(_TAGS.sub("", html).replace("&nbsp;", "").strip())


def _check_dates(publish_at: dt.datetime | None, expires_at: dt.datetime | None) -> None:
    if expires_at is not None and expires_at <= (publish_at or timezone.now()):
        raise invalid(
            "expires_at", _("Hide the news after its publication, not before."), "bad_dates"
        )


def _check_files(
    news: News | None, images: Sequence[UploadedFile], attachments: Sequence[UploadedFile]
) -> None:
    already = news.files.count() if news is not None and news.pk else 0
    if already + len(images) + len(attachments) > settings.PREAU_ATTACHMENTS_MAX:
        raise invalid(
            "attachments",
            _("A news item holds at most %(count)d files.")
            % {"count": settings.PREAU_ATTACHMENTS_MAX},
            "too_many_files",
        )
    limit = settings.PREAU_ATTACHMENT_MAX_BYTES
    for field, uploads in (("images", images), ("attachments", attachments)):
        for upload in uploads:
            name = safe_file_name(upload.name or "")
            if (upload.size or 0) > limit:
                raise invalid(
                    field,
                    _("“%(name)s” is larger than %(limit)s.")
                    % {"name": name, "limit": filesizeformat(limit)},
                    "too_large",
                )
            if field == "images" and served_type(name) not in IMAGE_TYPES:
                raise invalid(
                    field,
                    _(
                        "“%(name)s” is not a picture this site shows (PNG, JPEG, GIF or WebP): "
                        "add it as an attachment."
                    )
                    % {"name": name},
                    "not_an_image",
                )
            scan_upload(upload)


def _store_files(
    news: News, images: Sequence[UploadedFile], attachments: Sequence[UploadedFile]
) -> list[NewsFile]:
    stored = []
    try:
        for kind, uploads in (
            (NewsFile.Kind.IMAGE, images),
            (NewsFile.Kind.ATTACHMENT, attachments),
        ):
            for upload in uploads:
                name = safe_file_name(upload.name or "")
                stored.append(
                    NewsFile.objects.create(
                        tenant_id=news.tenant_id,
                        news=news,
                        kind=kind,
                        file=upload,
                        name=name,
                        size=upload.size or 0,
                        content_type=served_type(name),
                    )
                )
    except Exception:
        for row in stored:
            if row.file.name:
                default_storage.delete(row.file.name)
        raise
    return stored


def _set_audience(actor: Actor, news: News, targets: Sequence[Target]) -> None:
    """The news' own audience holds exactly the chosen targets."""
    audience = news.audience
    if audience is None:
        audience = Audience.objects.create(
            tenant=actor.tenant, label=news.title[:200], created_by=actor.person
        )
        news.audience = audience
    else:
        Audience.objects.filter(pk=audience.pk).update(label=news.title[:200])
        AudienceTarget.objects.filter(audience=audience).delete()
    rows = []
    for t in targets:
        t.target.audience = audience
        rows.append(t.target)
    AudienceTarget.objects.bulk_create(rows)


def save_draft(
    *,
    actor: Actor,
    title: str,
    body: str,
    targets: Sequence[str] = (),
    news: News | None = None,
    publish_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    is_urgent: bool = False,
    allow_comments: bool = False,
    images: Sequence[UploadedFile] = (),
    attachments: Sequence[UploadedFile] = (),
) -> News:
    """Create a draft, or update one (a rejected news edited becomes a draft again).

    Everything is checked before anything is written: the text, the dates, each target (a
    forged id or one the actor may not address refuses the whole draft) and the files.
    """
    if news is not None:
        require(policy, actor, Perm.EDIT, news)
    title = " ".join(title.split())
    if not title:
        raise invalid("title", _("Give the news a title."), "no_title")
    if len(title) > TITLE_MAX:
        raise invalid(
            "title",
            _("Keep the title under %(max)d characters.") % {"max": TITLE_MAX},
            "title_too_long",
        )
    body_html = sanitize_html(body, inline_images=True)
    chosen = _targets_of(actor, targets)
    school, authority = check_targets(actor, chosen)
    if not chosen and school is None:
        raise invalid("targets", _("Choose who the news is for."), "no_target")
    if authority is not None:
        require(policy, actor, Perm.WRITE, authority)
    elif school is None or not policy.can(actor, Perm.WRITE, school):
        raise PermissionDenied(Perm.WRITE)
    _check_dates(publish_at, expires_at)
    _check_files(news, images, attachments)
    with transaction.atomic():
        created = news is None
        if news is None:
            news = News(tenant=actor.tenant, author=actor.person)
        news.school = school
        news.authority = authority
        news.title = title
        news.body_html = body_html
        news.addressed = [{"key": t.key, "label": t.label} for t in chosen]
        news.publish_at = publish_at
        news.expires_at = expires_at
        news.is_urgent = is_urgent
        news.allow_comments = allow_comments
        news.status = News.Status.DRAFT
        news.save()
        _set_audience(actor, news, chosen)
        news.save(update_fields=["audience"])
        _store_files(news, images, attachments)
        record_audit(
            actor=actor,
            action="news.draft_saved",
            target=news,
            school=school,
            data={
                "created": created,
                "targets": len(chosen),
                "files": len(images) + len(attachments),
            },
        )
    return news


# --- the workflow -----------------------------------------------------------------------------


def _check_ready(news: News) -> None:
    if not news.addressed or news.audience_id is None:
        raise invalid("targets", _("Choose who the news is for."), "no_target")
    _check_dates(None, news.expires_at)


def detail_url(news: News) -> str:
    return reverse("news:detail", args=[news.pk])


def _go_live(actor: Actor, news: News, *, now: dt.datetime) -> None:
    """Published now: the news, its audience's size, the ONE notification of its audience."""
    assert news.audience is not None
    news.status = News.Status.PUBLISHED
    news.published_at = now
    news.audience_count = audience_size(news.audience)
    news.save(
        update_fields=["status", "published_at", "audience_count", "validated_by", "updated_at"]
    )
    notify(
        news.audience,
        kind="news.published",
        obj=news,
        actor=actor,
        text=news.title,
        url=detail_url(news),
        expires_at=news.expires_at,
    )


def _release(actor: Actor, news: News) -> News:
    """Publish at once, or schedule when `publish_at` is still to come."""
    now = timezone.now()
    if news.publish_at is not None and news.publish_at > now:
        news.status = News.Status.SCHEDULED
        news.save(update_fields=["status", "validated_by", "updated_at"])
    else:
        _go_live(actor, news, now=now)
    return news


def _locked(news: News) -> News:
    return (
        News.objects.select_for_update(of=("self",))
        .select_related("audience", "school")
        .get(pk=news.pk)
    )


def submit_news(*, actor: Actor, news: News) -> News:
    """Send a draft to the school's management for validation."""
    require(policy, actor, Perm.SUBMIT, news)
    _check_ready(news)
    with transaction.atomic():
        news = _locked(news)
        require(policy, actor, Perm.SUBMIT, news)
        news.status = News.Status.SUBMITTED
        news.rejection_reason = ""
        news.save(update_fields=["status", "rejection_reason", "updated_at"])
        record_audit(actor=actor, action="news.submitted", target=news, school=news.school)
    return news


def publish_news(*, actor: Actor, news: News) -> News:
    """Publish a draft directly (who may: see permissions.py), or schedule it."""
    require(policy, actor, Perm.PUBLISH, news)
    _check_ready(news)
    with transaction.atomic():
        news = _locked(news)
        require(policy, actor, Perm.PUBLISH, news)
        news.validated_by = None
        news.rejection_reason = ""
        _release(actor, news)
        record_audit(
            actor=actor,
            action="news.published" if news.status == News.Status.PUBLISHED else "news.scheduled",
            target=news,
            school=news.school,
            data={"audience": news.audience_count, "urgent": news.is_urgent},
        )
    return news


def validate_news(*, actor: Actor, news: News) -> News:
    """The management approves a submitted news: published (or scheduled)."""
    require(policy, actor, Perm.VALIDATE, news)
    _check_dates(None, news.expires_at)
    with transaction.atomic():
        news = _locked(news)
        require(policy, actor, Perm.VALIDATE, news)
        news.validated_by = actor.person
        _release(actor, news)
        record_audit(
            actor=actor,
            action="news.validated",
            target=news,
            school=news.school,
            data={"status": news.status, "audience": news.audience_count},
        )
        if news.author_id:
            notify(
                [Person(pk=news.author_id, tenant_id=news.tenant_id)],
                kind="news.validated",
                obj=news,
                actor=actor,
                text=news.title,
                url=detail_url(news),
            )
    return news


def reject_news(*, actor: Actor, news: News, reason: str) -> News:
    """The management sends a submitted news back to its author, saying why."""
    require(policy, actor, Perm.VALIDATE, news)
    reason = " ".join(reason.split())
    if not reason:
        raise invalid("reason", _("Tell the author why."), "no_reason")
    if len(reason) > REASON_MAX:
        raise invalid(
            "reason",
            _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX},
            "reason_too_long",
        )
    with transaction.atomic():
        news = _locked(news)
        require(policy, actor, Perm.VALIDATE, news)
        news.status = News.Status.REJECTED
        news.rejection_reason = reason
        news.validated_by = actor.person
        news.save(update_fields=["status", "rejection_reason", "validated_by", "updated_at"])
        record_audit(
            actor=actor,
            action="news.rejected",
            target=news,
            school=news.school,
            data={"reason": reason},
        )
        if news.author_id:
            notify(
                [Person(pk=news.author_id, tenant_id=news.tenant_id)],
                kind="news.rejected",
                obj=news,
                actor=actor,
                text=news.title,
                url=detail_url(news),
            )
    return news


def withdraw_news(*, actor: Actor, news: News) -> News:
    """Take a news down (its author or the management): nobody sees it any more, and its
    notifications are deleted."""
    require(policy, actor, Perm.WITHDRAW, news)
    with transaction.atomic():
        news = _locked(news)
        require(policy, actor, Perm.WITHDRAW, news)
        news.status = News.Status.WITHDRAWN
        news.save(update_fields=["status", "updated_at"])
        Notification.objects.filter(
            tenant_id=news.tenant_id, object_type="news.news", object_id=str(news.pk)
        ).delete()
        record_audit(actor=actor, action="news.withdrawn", target=news, school=news.school)
    return news


def publish_due_news(*, now: dt.datetime | None = None) -> int:
    """Publish the scheduled news whose time has come (every minute; idempotent: each news
    goes from scheduled to published once, its notification with it). The number published."""
    from preau.directory.queries import build_actor

    now = now or timezone.now()
    due = list(
        News.objects.filter(status=News.Status.SCHEDULED, publish_at__lte=now)
        .order_by("publish_at", "id")
        .values_list("pk", flat=True)[:500]
    )
    published = 0
    for pk in due:
        with transaction.atomic():
            news = (
                News.objects.select_for_update(of=("self",))
                .select_related("audience", "author", "validated_by", "tenant")
                .filter(pk=pk, status=News.Status.SCHEDULED)
                .first()
            )
            if news is None:  # published meanwhile by another run
                continue
            speaker = news.validated_by or news.author
            if speaker is None or news.audience is None:
                # Nobody left to speak for it (the author's account was erased): not published.
                news.status = News.Status.WITHDRAWN
                news.save(update_fields=["status", "updated_at"])
                record_audit(
                    actor=None,
                    tenant_id=news.tenant_id,
                    action="news.withdrawn",
                    target=news,
                    school=news.school,
                    data={"reason": "no_author"},
                )
                continue
            actor = build_actor(speaker, tenant=news.tenant)
            _go_live(actor, news, now=now)
            record_audit(
                actor=actor,
                action="news.published",
                target=news,
                school=news.school,
                data={"scheduled": True, "audience": news.audience_count},
            )
            published += 1
    return published


# --- files ------------------------------------------------------------------------------------


def add_news_files(
    *,
    actor: Actor,
    news: News,
    images: Sequence[UploadedFile] = (),
    attachments: Sequence[UploadedFile] = (),
) -> list[NewsFile]:
    """Add pictures and attachments to a news the author is still writing."""
    require(policy, actor, Perm.EDIT, news)
    _check_files(news, images, attachments)
    with transaction.atomic():
        stored = _store_files(news, images, attachments)
        record_audit(
            actor=actor,
            action="news.files_added",
            target=news,
            school=news.school,
            data={"files": [f.name for f in stored]},
        )
    return stored


def remove_news_file(*, actor: Actor, news_file: NewsFile) -> None:
    require(policy, actor, Perm.EDIT, news_file.news)
    name = news_file.file.name
    with transaction.atomic():
        news_file.delete()
        record_audit(
            actor=actor,
            action="news.file_removed",
            target=news_file.news,
            school=news_file.news.school,
            data={"file": news_file.name},
        )
        if name:
            transaction.on_commit(lambda: default_storage.delete(name))


# --- comments, reads, banners -----------------------------------------------------------------


def reaches(person: Person, news: News) -> bool:
    """Is the person in the news' audience? (one query)"""
    return News.objects.filter(pk=news.pk, audience_id__in=audience_ids_reaching(person)).exists()


def comment_news(*, actor: Actor, news: News, text: str) -> NewsComment:
    """Comment a published news that allows it: its audience, its author, the management."""
    require(policy, actor, Perm.COMMENT, news)
    if not (
        news.author_id == actor.person.pk
        or policy.manages(actor, news)
        or reaches(actor.person, news)
    ):
        raise PermissionDenied(Perm.COMMENT)
    text = text.strip()
    if not text:
        raise invalid("text", _("Write your comment."), "empty")
    if len(text) > COMMENT_MAX:
        raise invalid(
            "text",
            _("Keep the comment under %(max)d characters.") % {"max": COMMENT_MAX},
            "comment_too_long",
        )
    with transaction.atomic():
        comment = NewsComment.objects.create(
            tenant=actor.tenant, news=news, author=actor.person, text=text
        )
        record_audit(actor=actor, action="news.commented", target=news, school=news.school)
    return comment


def delete_comment(*, actor: Actor, comment: NewsComment) -> None:
    require(policy, actor, Perm.DELETE_COMMENT, comment)
    with transaction.atomic():
        comment.delete()
        record_audit(
            actor=actor,
            action="news.comment_deleted",
            target=comment.news,
            school=comment.news.school,
            data={"comment_author": comment.author_id},
        )


def mark_news_read(*, actor: Actor, news: News) -> None:
    """Remember the actor opened a published news (idempotent, one query)."""
    if news.status != News.Status.PUBLISHED or news.tenant_id != actor.tenant.pk:
        return
    NewsRead.objects.bulk_create(
        [NewsRead(tenant=actor.tenant, news=news, person=actor.person)], ignore_conflicts=True
    )


def dismiss_flash(*, actor: Actor, news: News) -> None:
    """Close the flash banner of an urgent news for the actor (idempotent)."""
    if news.tenant_id != actor.tenant.pk:
        raise PermissionDenied("news.dismiss")
    FlashDismissal.objects.bulk_create(
        [FlashDismissal(tenant=actor.tenant, news=news, person=actor.person)],
        ignore_conflicts=True,
    )


def set_news_settings(
    *,
    actor: Actor,
    school: School,
    teachers_need_validation: bool,
    staff_need_validation: bool,
) -> NewsSettings:
    """The management chooses whose news it validates."""
    require(policy, actor, Perm.MANAGE_SETTINGS, school)
    with transaction.atomic():
        rules, _created = NewsSettings.objects.update_or_create(
            school=school,
            defaults={
                "tenant": actor.tenant,
                "teachers_need_validation": teachers_need_validation,
                "staff_need_validation": staff_need_validation,
            },
        )
        record_audit(
            actor=actor,
            action="news.settings_changed",
            target=school,
            school=school,
            data={
                "teachers_need_validation": teachers_need_validation,
                "staff_need_validation": staff_need_validation,
            },
        )
    return rules


def erase_contributions(person: Person) -> None:
    """The retention eraser (directory/retention.py): the news and comments of a person who
    objected to keeping their contributions, with their files. Registered in apps.py."""
    files = list(
        NewsFile.objects.filter(tenant_id=person.tenant_id, news__author=person).values_list(
            "file", flat=True
        )
    )
    NewsComment.objects.filter(tenant_id=person.tenant_id, author=person).delete()
    News.objects.filter(tenant_id=person.tenant_id, author=person).delete()
    names = [name for name in files if name]
    if names:
        transaction.on_commit(lambda: _delete_stored(names))


def _delete_stored(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
