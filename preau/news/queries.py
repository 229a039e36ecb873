"""Every read of news: the news for me, mine, the validation queue, one news, flash banners,
read counts, and the targets an author may choose."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.core.actor import Actor
from preau.core.pagination import Page, keyset_page
from preau.directory.audiences import audience_ids_reaching, audience_size, resolve_audience
from preau.directory.communication import AddressScope
from preau.directory.models import (
    Authority,
    Function,
    Group,
    Profile,
    School,
    SchoolClass,
    Subject,
)
from preau.news import permissions
from preau.news.actions import profile_label
from preau.news.models import FlashDismissal, News, NewsComment, NewsFile, NewsRead, NewsSettings
from preau.news.permissions import management_school_ids, policy

PAGE_SIZE = 20


def _live(now: object = None) -> Q:
    now = now or timezone.now()
    return Q(status=News.Status.PUBLISHED) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def _with_refs(qs: QuerySet[News]) -> QuerySet[News]:
    return qs.select_related("author", "school", "authority")


def news_for(actor: Actor, *, after: str | None = None, limit: int = PAGE_SIZE) -> Page[News]:
    """The published, not expired news reaching the actor (or written by them), newest first,
    each with `is_read` for the actor: one query per page."""
    person = actor.person
    qs = _with_refs(
        News.objects.filter(tenant=actor.tenant)
        .filter(_live())
        .filter(Q(audience_id__in=audience_ids_reaching(person)) | Q(author=person))
    ).annotate(is_read=Exists(NewsRead.objects.filter(news=OuterRef("pk"), person=person)))
    return keyset_page(
        qs,
        order=("-published_at", "-id"),
        after=after,
        limit=limit,
        base_query={"after": after} if after else None,
    )


def authored_by(actor: Actor) -> QuerySet[News]:
    """The actor's news, every status, with how many (others) read each."""
    return _with_refs(News.objects.filter(tenant=actor.tenant, author=actor.person)).annotate(
        read_count=Count("reads", filter=~Q(reads__person=actor.person))
    )


def page_of_mine(actor: Actor, *, after: str | None) -> Page[News]:
    return keyset_page(
        authored_by(actor),
        order=("-created_at", "-id"),
        after=after,
        limit=PAGE_SIZE,
        base_query={"after": after} if after else None,
    )


def to_validate(actor: Actor) -> QuerySet[News]:
    """The news submitted to the schools the actor manages, oldest first."""
    managed = management_school_ids(actor)
    qs = News.objects.filter(tenant=actor.tenant, status=News.Status.SUBMITTED)
    if managed is not None:
        qs = qs.filter(school_id__in=managed)
    return _with_refs(qs).order_by("updated_at", "id")


def access_news(actor: Actor, news_id: int) -> News:
    """One news the actor may open (`policy.visible`); 404 for missing and forbidden alike."""
    news = (
        policy.visible(actor, _with_refs(News.objects.filter(pk=news_id)))
        .select_related("audience", "validated_by")
        .first()
    )
    if news is None:
        raise Http404
    return news


def files_of(news: News) -> list[NewsFile]:
    return list(NewsFile.objects.filter(news=news).order_by("id"))


def comments_of(news: News) -> QuerySet[NewsComment]:
    return (
        NewsComment.objects.filter(news=news).select_related("author").order_by("created_at", "id")
    )


def access_file(actor: Actor, file_id: int) -> NewsFile:
    """A file of a news the actor may open; 404 otherwise."""
    item = NewsFile.objects.filter(tenant=actor.tenant, pk=file_id).first()
    if item is None:
        raise Http404
    access_news(actor, item.news_id)
    return item


def access_comment(actor: Actor, comment_id: int) -> NewsComment:
    comment = (
        NewsComment.objects.filter(tenant=actor.tenant, pk=comment_id)
        .select_related("news", "news__school")
        .first()
    )
    if comment is None:
        raise Http404
    access_news(actor, comment.news_id)
    return comment


def flash_for(actor: Actor) -> list[News]:
    """The urgent news reaching the actor whose banner they have not closed: ONE query."""
    person = actor.person
    return list(
        News.objects.filter(
            _live(),
            tenant=actor.tenant,
            is_urgent=True,
            audience_id__in=audience_ids_reaching(person),
        )
        .exclude(Exists(FlashDismissal.objects.filter(news=OuterRef("pk"), person=person)))
        .select_related("school", "authority")
        .order_by("-published_at", "-id")[:5]
    )


@dataclass(frozen=True)
class ReadStats:
    audience: int
    read: int

    @property
    def percent(self) -> int:
        return round(100 * self.read / self.audience) if self.audience else 0


def read_stats(news: News) -> ReadStats:
    """How many people the audience reaches now, and how many of them read it (2 queries
    after the targets)."""
    if news.audience is None:
        return ReadStats(0, 0)
    people = resolve_audience(news.audience)
    read = NewsRead.objects.filter(news=news, person_id__in=people.values("pk")).count()
    return ReadStats(audience=audience_size(news.audience), read=read)


# --- what the write page offers ---------------------------------------------------------------


@dataclass(frozen=True)
class TargetChoice:
    key: str
    label: str


def target_choices(actor: Actor) -> list[tuple[str, list[TargetChoice]]]:
    """The audiences the actor may address, grouped for the write page: for the schools they
    may address whole (the active school first), the school, each profile, each staff function,
    each subject's teachers, each class's pupils, guardians and teachers and each group; for a
    teacher, their classes and groups; for an authority's administrators, its schools."""
    scope = AddressScope.of(actor, [])
    groups: list[tuple[str, list[TargetChoice]]] = []
    full = sorted(
        School.objects.filter(tenant=actor.tenant)
        .filter(Q() if scope.is_operator else Q(pk__in=scope.full_school_ids))
        .filter(pk__in=[actor.school.pk] if actor.school else list(actor.school_ids) or [0]),
        key=lambda s: s.name,
    )
    full_ids = {s.pk for s in full}
    here = Q(school_id=actor.school.pk) if actor.school else Q()
    classes = list(
        SchoolClass.objects.filter(here, tenant=actor.tenant, year__is_current=True)
        .filter(Q(school_id__in=full_ids) | Q(pk__in=scope.class_ids))
        .order_by("name", "id")
    )
    group_rows = list(
        Group.objects.filter(here, tenant=actor.tenant, year__is_current=True)
        .filter(Q(school_id__in=full_ids) | Q(pk__in=scope.group_ids))
        .order_by("name", "id")
    )
    subjects = list(Subject.objects.filter(tenant=actor.tenant).order_by("label")) if full else []
    for school in full:
        choices = [
            TargetChoice(f"school:{school.pk}", _("Everyone at %(name)s") % {"name": school.name})
        ]
        choices += [
            TargetChoice(f"profile:{school.pk}:{p}", profile_label(p, school.name))
            for p in (Profile.PUPIL, Profile.GUARDIAN, Profile.TEACHER, Profile.STAFF)
        ]
        choices += [
            TargetChoice(
                f"function:{school.pk}:{code}",
                _("%(function)s of %(name)s") % {"function": label, "name": school.name},
            )
            for code, label in Function.choices
        ]
        choices += [
            TargetChoice(
                f"subject_teachers:{school.pk}:{s.pk}",
                _("Teachers of %(subject)s at %(name)s")
                % {"subject": s.label, "name": school.name},
            )
            for s in subjects
        ]
        groups.append((school.name, choices))
    class_choices: list[TargetChoice] = []
    for c in classes:
        class_choices += [
            TargetChoice(f"class_pupils:{c.pk}", _("Pupils of %(name)s") % {"name": c.name}),
            TargetChoice(f"class_guardians:{c.pk}", _("Guardians of %(name)s") % {"name": c.name}),
            TargetChoice(f"class_teachers:{c.pk}", _("Teachers of %(name)s") % {"name": c.name}),
        ]
    class_choices += [
        TargetChoice(f"group:{g.pk}", _("Members of %(name)s") % {"name": g.name})
        for g in group_rows
    ]
    if class_choices:
        groups.append((_("Classes and groups"), class_choices))
    authorities = list(
        Authority.objects.filter(tenant=actor.tenant)
        .filter(Q() if scope.is_operator else Q(pk__in=scope.authority_ids))
        .order_by("name")
    )
    for a in authorities:
        choices = [
            TargetChoice(
                f"authority:{a.pk}", _("Everyone in the schools of %(name)s") % {"name": a.name}
            )
        ]
        choices += [
            TargetChoice(f"authority:{a.pk}:{p}", profile_label(p, a.name))
            for p in (Profile.PUPIL, Profile.GUARDIAN, Profile.TEACHER, Profile.STAFF)
        ]
        groups.append((a.name, choices))
    return groups


def settings_of(school_id: int) -> NewsSettings:
    """The school's news rules (the defaults when it never changed them)."""
    return permissions.settings_of(school_id)
