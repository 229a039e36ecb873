"""Helpers of the console tests: the roles of the authorization matrix and a snapshot."""

from __future__ import annotations

from typing import Any

from preau.accounts.models import OneTimeCode
from preau.core.models import AuditEntry
from preau.directory.models import (
    CommunicationRule,
    Group,
    GroupMember,
    Membership,
    Person,
    School,
    SchoolClass,
)

# Who asks, and whether they administer world.school.
ROLES = [
    "anonymous",
    "pupil",
    "teacher",
    "other_admin",
    "foreign_admin",
    "authority_admin",
    "operator",
    "admin",
]
ALLOWED = {"authority_admin", "operator", "admin"}


def snapshot() -> tuple[Any, ...]:
    """Every row the console may write, to assert that a refused request changed nothing."""
    return (
        list(
            Person.objects.order_by("pk").values_list(
                "pk",
                "login",
                "first_name",
                "last_name",
                "email",
                "is_blocked",
                "blocked_reason",
                "activated_at",
                "password",
            )
        ),
        list(
            Membership.objects.order_by("pk").values_list(
                "pk", "person_id", "school_id", "profile", "school_class_id", "functions"
            )
        ),
        list(
            School.objects.order_by("pk").values_list(
                "pk", "tenant_id", "uai", "name", "kind", "sector", "city"
            )
        ),
        list(
            School.authorities.through.objects.order_by("pk").values_list(
                "school_id", "authority_id"
            )
        ),
        list(SchoolClass.objects.order_by("pk").values_list("pk", "code", "name", "level_id")),
        list(Group.objects.order_by("pk").values_list("pk", "code", "name", "kind")),
        list(GroupMember.objects.order_by("pk").values_list("group_id", "person_id")),
        list(
            Group.classes.through.objects.order_by("pk").values_list("group_id", "schoolclass_id")
        ),
        list(CommunicationRule.objects.order_by("pk").values_list("school_id", "rule", "allowed")),
        list(OneTimeCode.objects.order_by("pk").values_list("pk", "person_id", "expires_at")),
        AuditEntry.objects.count(),
    )


def is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")
