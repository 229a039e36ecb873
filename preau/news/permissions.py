"""Who writes, publishes, validates and withdraws news.

- **Authors**: the teachers and staff of a school (for that school's audiences they may address:
  see `communication.AddressScope`), its administrators, authority administrators (for the
  schools of their authority: AUTHORITY targets) and operators. Pupils, guardians and guests
  write no news.
- **Management** of a school: its staff with the direction function (DIR), its administrators
  (ADML, and the administrators of an authority it hangs under) and operators. They validate or
  reject what was submitted, withdraw any news of the school and choose the school's rules.
- **Publishing directly**: the management always; other staff unless the school's
  `NewsSettings.staff_need_validation` (default off); teachers only when
  `teachers_need_validation` is off (default on: teachers submit, the management validates).
  An authority's news are published directly by its administrators (no validation step).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from preau.core.actor import Actor
from preau.directory.models import Authority, Profile, School
from preau.news.models import News, NewsComment, NewsSettings

EDITABLE = (News.Status.DRAFT, News.Status.REJECTED)
WITHDRAWABLE = (News.Status.SUBMITTED, News.Status.SCHEDULED, News.Status.PUBLISHED)


class Perm(StrEnum):
    WRITE = "news.write"
    EDIT = "news.edit"
    SUBMIT = "news.submit"
    PUBLISH = "news.publish"
    VALIDATE = "news.validate"
    WITHDRAW = "news.withdraw"
    COMMENT = "news.comment"
    DELETE_COMMENT = "news.delete_comment"
    MANAGE_SETTINGS = "news.manage_settings"


def management_school_ids(actor: Actor) -> frozenset[int] | None:
    """The schools whose management the actor is part of (None: every school, an operator)."""
    return None if actor.is_operator else actor.managed_school_ids


def speaks_for_authority(actor: Actor, authority_id: int | None) -> bool:
    return authority_id is not None and (
        actor.is_operator or authority_id in actor.admin_authority_ids
    )


def settings_of(school_id: int) -> NewsSettings:
    """The school's rules (the defaults when the school never changed them)."""
    found = NewsSettings.objects.filter(school_id=school_id).first()
    return found or NewsSettings(school_id=school_id)


def needs_validation(actor: Actor, school_id: int) -> bool:
    """Must the actor's news for this school go through the management?"""
    if actor.manages_school(school_id):
        return False
    profiles = actor.profiles_in(school_id)
    rules = settings_of(school_id)
    if Profile.STAFF in profiles:
        return rules.staff_need_validation
    return rules.teachers_need_validation


class NewsPolicy:
    def can(self, actor: Actor, perm: str, obj: Any = None) -> bool:  # noqa: PLR0911
        if actor.person.is_blocked:
            return False
        if perm == Perm.WRITE:
            return self._writes_for(actor, obj)
        if perm == Perm.MANAGE_SETTINGS:
            return (
                isinstance(obj, School)
                and obj.tenant_id == actor.tenant.pk
                and (actor.manages_school(obj.pk))
            )
        if perm == Perm.DELETE_COMMENT:
            return (
                isinstance(obj, NewsComment)
                and obj.tenant_id == actor.tenant.pk
                and (obj.author_id == actor.person.pk or self.manages(actor, obj.news))
            )
        if not isinstance(obj, News) or obj.tenant_id != actor.tenant.pk:
            return False
        mine = obj.author_id == actor.person.pk
        if perm == Perm.EDIT:
            return mine and obj.status in EDITABLE
        if perm == Perm.SUBMIT:
            return mine and obj.status in EDITABLE and obj.school_id is not None
        if perm == Perm.PUBLISH:
            return mine and obj.status in EDITABLE and self._publishes_directly(actor, obj)
        if perm == Perm.VALIDATE:
            return obj.status == News.Status.SUBMITTED and self.manages(actor, obj)
        if perm == Perm.WITHDRAW:
            return obj.status in WITHDRAWABLE and (mine or self.manages(actor, obj))
        if perm == Perm.COMMENT:
            # Being in the audience is checked by the action (a query).
            return obj.allow_comments and obj.status == News.Status.PUBLISHED
        return False

    def _writes_for(self, actor: Actor, obj: Any) -> bool:
        if isinstance(obj, Authority):
            return obj.tenant_id == actor.tenant.pk and speaks_for_authority(actor, obj.pk)
        if isinstance(obj, School):
            return obj.tenant_id == actor.tenant.pk and (
                actor.manages_school(obj.pk)
                or bool(actor.profiles_in(obj.pk) & {Profile.TEACHER, Profile.STAFF})
            )
        # Anywhere: may the actor write any news at all (the pages' links)?
        return (
            actor.is_operator
            or bool(actor.admin_school_ids or actor.admin_authority_ids)
            or actor.has_profile(Profile.TEACHER, Profile.STAFF)
        )

    def manages(self, actor: Actor, news: News) -> bool:
        """Is the actor part of the management the news answers to (its school's, or its
        authority's administrators)?"""
        if news.school_id is None:
            return speaks_for_authority(actor, news.authority_id)
        return actor.manages_school(news.school_id)

    def _publishes_directly(self, actor: Actor, news: News) -> bool:
        if news.school_id is None:
            return speaks_for_authority(actor, news.authority_id)
        return self._writes_for(actor, news.school) and not needs_validation(actor, news.school_id)

    def visible(self, actor: Actor, qs: QuerySet[Any]) -> QuerySet[Any]:
        """News the actor may open: their own; those of the schools (or authorities) they
        manage, drafts excepted; published and not expired ones whose audience reaches them."""
        from preau.directory.audiences import audience_ids_reaching

        now = timezone.now()
        live = Q(status=News.Status.PUBLISHED) & (
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )
        condition = Q(author=actor.person) | (
            live & Q(audience_id__in=audience_ids_reaching(actor.person))
        )
        managed = management_school_ids(actor)
        not_draft = ~Q(status=News.Status.DRAFT)
        if managed is None:
            condition |= not_draft
        else:
            if managed:
                condition |= not_draft & Q(school_id__in=managed)
            if actor.admin_authority_ids:
                condition |= not_draft & Q(
                    school__isnull=True, authority_id__in=actor.admin_authority_ids
                )
        return qs.filter(tenant=actor.tenant).filter(condition)


policy = NewsPolicy()
