"""Demo data for the portal: a few realistic connected apps (plain data, no network)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from preau.core.models import Tenant
from preau.directory.models import Profile, School
from preau.portal.catalogue import Service
from preau.portal.models import AttributeProfile, ConnectedApp

LYCEE_KINDS = frozenset({School.Kind.LYCEE, School.Kind.LP, School.Kind.LYCEE_AGRICOLE})
SCHOOL_PEOPLE = [Profile.PUPIL, Profile.GUARDIAN, Profile.TEACHER, Profile.STAFF]


def _upsert(tenant: Tenant, url: str, schools: list[School], **fields: Any) -> ConnectedApp:
    app, _created = ConnectedApp.objects.update_or_create(tenant=tenant, url=url, defaults=fields)
    app.schools.set(schools)
    return app


def seed_demo_connected_apps(tenant: Tenant, schools: Iterable[School]) -> list[ConnectedApp]:
    """Pronote and e-sidoc per school, a Moodle for the lycées, a digital-textbook portal.
    Pronote and Moodle open through Préau's CAS server.

    Idempotent: apps are matched on (tenant, url) and updated, never duplicated.
    """
    schools = [s for s in schools if s.tenant_id == tenant.pk]
    apps = []
    for school in schools:
        uai = school.uai.lower()
        apps.append(
            _upsert(
                tenant,
                f"https://{uai}.index-education.net/pronote/",
                [school],
                name="Pronote",
                service=Service.SCHOOL_LIFE,
                description="Notes, absences, emploi du temps et cahier de textes",
                icon_letter="P",
                icon_colour="#1f7a3a",
                profiles=SCHOOL_PEOPLE,
                position=10,
                cas_enabled=True,
                service_patterns=f"https://{uai}.index-education.net/pronote/*",
                attribute_profile=AttributeProfile.PRONOTE,
            )
        )
        apps.append(
            _upsert(
                tenant,
                f"https://{uai}.esidoc.fr/",
                [school],
                name="e-sidoc",
                service=Service.LIBRARY,
                description="Le catalogue du CDI",
                icon_letter="e",
                icon_colour="#b3261e",
                profiles=[],
                position=30,
            )
        )
    lycees = [s for s in schools if s.kind in LYCEE_KINDS]
    if lycees:
        apps.append(
            _upsert(
                tenant,
                f"https://moodle.{tenant.slug}.example.org/",
                lycees,
                name="Moodle",
                service=Service.LEARNING_PATHS,
                description="Cours en ligne des lycées",
                icon_letter="M",
                icon_colour="#f98012",
                profiles=[Profile.PUPIL, Profile.TEACHER],
                position=20,
                cas_enabled=True,
                service_patterns=f"https://moodle.{tenant.slug}.example.org/*",
                logout_url=f"https://moodle.{tenant.slug}.example.org/login/logout.php",
            )
        )
    apps.append(
        _upsert(
            tenant,
            "https://gar.education.fr/",
            [],
            name="Manuels numériques (GAR)",
            service=Service.ONLINE_RESOURCES,
            description="Manuels et ressources numériques attribués par l'établissement",
            icon_letter="G",
            icon_colour="#000091",
            profiles=[Profile.PUPIL, Profile.TEACHER, Profile.STAFF],
            position=40,
        )
    )
    return apps
