"""Demo data for news: a principal's urgent closure notice to the school's guardians, a
teacher's trip reminder to a class (validated by the principal) and one waiting for validation.

Written through the actions (audiences, notifications and audit entries are real). Idempotent:
a school that already has a demo news item of that title gets nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from preau.core.models import Tenant
from preau.directory.models import Function, Membership, Profile, School, TeachingAssignment
from preau.directory.queries import build_actor
from preau.news import actions
from preau.news.models import News

CLOSURE = "Fermeture exceptionnelle du collège demain"
CLOSURE_BODY = (
    "<p>Madame, Monsieur,</p><p>En raison des chutes de neige annoncées, l'établissement sera "
    "<strong>fermé demain toute la journée</strong>. Aucun cours n'aura lieu et la cantine sera "
    "fermée. Les devoirs sont disponibles dans le cahier de textes.</p>"
    "<p>Merci de votre compréhension.</p><p>Le principal</p>"
)
TRIP = "Sortie au musée des Beaux-Arts jeudi"
TRIP_BODY = (
    "<p>Bonjour à tous,</p><p>Rappel : la classe se rend au musée des Beaux-Arts "
    "<strong>jeudi</strong>. Rendez-vous à <strong>8 h 15</strong> devant le collège, retour "
    "vers 16 h 30.</p><ul><li>prévoir un pique-nique et une bouteille d'eau ;</li>"
    "<li>rapporter l'autorisation signée avant mercredi.</li></ul>"
)
CLUB = "Club théâtre : inscriptions ouvertes"
CLUB_BODY = (
    "<p>Le club théâtre reprend le mardi de 12 h 30 à 13 h 30. Inscriptions auprès de "
    "votre professeur principal jusqu'à vendredi.</p>"
)


def _principal(school: School) -> Membership | None:
    return (
        Membership.objects.filter(
            school=school,
            year__is_current=True,
            profile=Profile.STAFF,
            functions__icontains=f'"{Function.DIRECTION}"',
        )
        .select_related("person")
        .order_by("id")
        .first()
    )


def _class_teacher(school: School) -> TeachingAssignment | None:
    return (
        TeachingAssignment.objects.filter(
            school=school, year__is_current=True, school_class__isnull=False
        )
        .select_related("teacher", "school_class")
        .order_by("-is_main", "id")
        .first()
    )


def seed_demo_news(tenant: Tenant, schools: Iterable[School]) -> list[News]:
    """A few news per school (the first three schools), through the actions."""
    created: list[News] = []
    for school in [s for s in schools if s.tenant_id == tenant.pk][:3]:
        principal = _principal(school)
        assignment = _class_teacher(school)
        if principal is None or assignment is None:
            continue
        if News.objects.filter(tenant=tenant, school=school, title=CLOSURE).exists():
            continue
        head = build_actor(principal.person, tenant=tenant, school_id=school.pk)
        teacher = build_actor(assignment.teacher, tenant=tenant, school_id=school.pk)
        closure = actions.save_draft(
            actor=head,
            title=CLOSURE,
            body=CLOSURE_BODY,
            targets=[f"profile:{school.pk}:guardian"],
            expires_at=timezone.now() + dt.timedelta(days=2),
            is_urgent=True,
        )
        created.append(actions.publish_news(actor=head, news=closure))
        class_id = assignment.school_class_id
        trip = actions.save_draft(
            actor=teacher,
            title=TRIP,
            body=TRIP_BODY,
            targets=[f"class_pupils:{class_id}", f"class_guardians:{class_id}"],
            allow_comments=True,
        )
        trip = actions.submit_news(actor=teacher, news=trip)
        created.append(actions.validate_news(actor=head, news=trip))
        club = actions.save_draft(
            actor=teacher, title=CLUB, body=CLUB_BODY, targets=[f"class_pupils:{class_id}"]
        )
        created.append(actions.submit_news(actor=teacher, news=club))
    return created
