"""Reads of the portal: the launcher's apps, the home page's blocks, avatars.

Every function here runs a fixed number of queries whatever the number of apps, classes or
children (asserted in tests/test_views.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString

from preau.core.actor import Actor
from preau.directory.models import (
    Function,
    GuardianLink,
    Membership,
    Person,
    Profile,
    School,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
)
from preau.directory.queries import current_year
from preau.portal.catalogue import CATALOGUE, native_url
from preau.portal.models import ConnectedApp
from preau.portal.permissions import policy

# --- The launcher ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AppEntry:
    """One tile of the launcher: a native app or a connected one."""

    key: str
    service: str
    name: str | Promise
    url: str
    is_external: bool
    icon: SafeString | None = None
    letter: str = ""
    colour: str = ""
    letter_colour: str = ""
    description: str = ""


def active_profiles(actor: Actor) -> set[str]:
    """The actor's profiles in their active school (none without a school)."""
    return actor.profiles_in(actor.school.pk) if actor.school else set()


def native_apps_for(actor: Actor) -> list[AppEntry]:
    """Native apps enabled for the tenant, not disabled by the active school, meant for the
    actor's profiles there, and built (their page exists). No query."""
    enabled = set(actor.tenant.enabled_apps or ())
    disabled = set(actor.school.disabled_apps or ()) if actor.school else set()
    profiles = active_profiles(actor)
    entries = []
    for label, app in CATALOGUE.items():
        if not app.launchable or label not in enabled or label in disabled:
            continue
        if not app.is_for(profiles):
            continue
        url = native_url(app)
        if url is None:
            continue
        entries.append(
            AppEntry(
                key=f"native:{label}",
                service=label,
                name=app.name,
                url=url,
                is_external=False,
                icon=app.icon,
            )
        )
    return entries


def connected_apps_for(actor: Actor) -> QuerySet[ConnectedApp]:
    """Enabled connected apps of the actor's tenant offered in their active school (one query).

    Profiles are a JSON list, filtered by `apps_for` (portable across databases).
    """
    links = ConnectedApp.schools.through.objects.filter(connectedapp_id=OuterRef("pk"))
    in_school = Q(~Exists(links))
    if actor.school is not None:
        in_school |= Q(Exists(links.filter(school_id=actor.school.pk)))
    return ConnectedApp.objects.filter(tenant=actor.tenant, is_enabled=True).filter(in_school)


def launch_url(app: ConnectedApp) -> str:
    """Where the launcher sends people: through Préau's CAS server when the app uses it, so
    they arrive logged in."""
    if app.cas_enabled:
        return f"{reverse('cas:login')}?{urlencode({'service': app.url})}"
    return app.url


def apps_for(actor: Actor) -> list[AppEntry]:
    """The launcher: native apps first (catalogue order), then connected apps (by position)."""
    profiles = active_profiles(actor)
    entries = native_apps_for(actor)
    for app in connected_apps_for(actor):
        if app.profiles and not profiles.intersection(app.profiles):
            continue
        entries.append(
            AppEntry(
                key=f"connected:{app.pk}",
                service=app.service,
                name=app.name,
                url=launch_url(app),
                is_external=True,
                letter=app.letter,
                colour=app.icon_colour,
                letter_colour=app.letter_colour,
                description=app.description,
            )
        )
    return entries


# --- The home page --------------------------------------------------------------------------


@dataclass
class SchoolPlace:
    """A school of the actor with their profiles and staff functions there."""

    school: School
    profiles: list[str | Promise]
    functions: list[str | Promise]
    is_active: bool
    is_admin: bool


@dataclass
class TaughtUnit:
    """A class or group a teacher teaches, with the subjects."""

    name: str
    is_group: bool
    subjects: list[str] = field(default_factory=list)
    is_main: bool = False


@dataclass
class Child:
    person: Person
    places: list[Membership]


@dataclass
class Home:
    actor: Actor
    apps: list[AppEntry]
    places: list[SchoolPlace]
    pupil_classes: list[SchoolClass] | None = None
    main_teachers: list[TeachingAssignment] = field(default_factory=list)
    children: list[Child] | None = None
    taught: list[TaughtUnit] | None = None
    staff_functions: list[str | Promise] | None = None

    @cached_property
    def year(self) -> SchoolYear | None:
        """The current school year, read only when an empty state names it."""
        return current_year(self.actor.tenant)

    @property
    def is_pupil(self) -> bool:
        return self.pupil_classes is not None

    @property
    def is_guardian(self) -> bool:
        return self.children is not None

    @property
    def is_teacher(self) -> bool:
        return self.taught is not None

    @property
    def is_staff(self) -> bool:
        return self.staff_functions is not None


def _labels(choices: type[Profile] | type[Function], values: list[str]) -> list[str | Promise]:
    labels = dict(choices.choices)
    return [labels.get(v, v) for v in values]


def school_places(actor: Actor) -> list[SchoolPlace]:
    """The actor's schools this year with their profiles and functions (no query)."""
    schools: dict[int, School] = {}
    profiles: dict[int, set[str]] = {}
    functions: dict[int, list[str]] = {}
    for m in actor.memberships:
        schools.setdefault(m.school_id, m.school)
        profiles.setdefault(m.school_id, set()).add(m.profile)
        school_functions = functions.setdefault(m.school_id, [])
        school_functions.extend(f for f in m.functions if f not in school_functions)
    order = list(Profile.values)
    places = [
        SchoolPlace(
            school=school,
            profiles=_labels(Profile, sorted(profiles[pk], key=order.index)),
            functions=_labels(Function, functions[pk]),
            is_active=actor.school is not None and actor.school.pk == pk,
            is_admin=actor.is_operator or pk in actor.admin_school_ids,
        )
        for pk, school in schools.items()
    ]
    return sorted(places, key=lambda p: p.school.name)


def _active_memberships(actor: Actor, profile: str) -> list[Membership]:
    if actor.school is None:
        return []
    return [m for m in actor.memberships if m.school_id == actor.school.pk and m.profile == profile]


def main_teachers_of(class_ids: list[int]) -> list[TeachingAssignment]:
    """Main-teacher assignments of these classes (one query)."""
    if not class_ids:
        return []
    return list(
        TeachingAssignment.objects.filter(school_class_id__in=class_ids, is_main=True)
        .select_related("teacher", "subject", "school_class")
        .order_by("school_class__name", "teacher__last_name", "teacher__first_name", "id")
    )


def children_of(actor: Actor) -> list[Child]:
    """The guardian's children, each with this year's school and class (two queries)."""
    links = (
        GuardianLink.objects.filter(tenant=actor.tenant, guardian=actor.person)
        .select_related("pupil")
        .prefetch_related(
            Prefetch(
                "pupil__memberships",
                queryset=Membership.objects.filter(year__is_current=True, profile=Profile.PUPIL)
                .select_related("school", "school_class")
                .order_by("school__name", "id"),
                to_attr="current_places",
            )
        )
        .order_by("pupil__first_name", "pupil__last_name", "id")
    )
    return [
        Child(person=link.pupil, places=link.pupil.current_places)  # type: ignore[attr-defined]
        for link in links
    ]


def taught_by(actor: Actor) -> list[TaughtUnit]:
    """Classes and groups the actor teaches in the active school this year (one query)."""
    if actor.school is None:
        return []
    units: dict[tuple[str, int], TaughtUnit] = {}
    assignments = (
        TeachingAssignment.objects.filter(
            tenant=actor.tenant,
            teacher=actor.person,
            school=actor.school,
            year__is_current=True,
        )
        .select_related("school_class", "group", "subject")
        .order_by("id")
    )
    for a in assignments:
        unit_obj = a.school_class or a.group
        if unit_obj is None:  # pragma: no cover - excluded by a check constraint
            continue
        key = ("class" if a.school_class else "group", unit_obj.pk)
        unit = units.setdefault(key, TaughtUnit(name=unit_obj.name, is_group=a.group is not None))
        subject: Subject | None = a.subject
        if subject is not None and subject.label not in unit.subjects:
            unit.subjects.append(subject.label)
        unit.is_main = unit.is_main or a.is_main
    return sorted(units.values(), key=lambda u: (u.is_group, u.name))


def home_for(actor: Actor, *, apps: list[AppEntry] | None = None) -> Home:
    """Everything the home page shows. Queries: 1 (connected apps) + 1 if a pupil in the active
    school + 2 if a guardian + 1 if a teacher in the active school (+ 1 for the school year when
    an empty state names it)."""
    home = Home(
        actor=actor,
        apps=apps_for(actor) if apps is None else apps,
        places=school_places(actor),
    )
    if actor.has_profile(Profile.PUPIL):
        pupil_memberships = _active_memberships(actor, Profile.PUPIL)
        home.pupil_classes = [m.school_class for m in pupil_memberships if m.school_class]
        home.main_teachers = main_teachers_of([c.pk for c in home.pupil_classes])
    if actor.has_profile(Profile.GUARDIAN):
        home.children = children_of(actor)
    if actor.has_profile(Profile.TEACHER):
        home.taught = taught_by(actor)
    if actor.has_profile(Profile.STAFF):
        functions: list[str] = []
        for m in _active_memberships(actor, Profile.STAFF):
            functions.extend(f for f in m.functions if f not in functions)
        home.staff_functions = _labels(Function, functions)
    return home


# --- Avatars ------------------------------------------------------------------------------


def access_avatar(actor: Actor, person_id: int) -> Person:
    """A person with an avatar the actor may see (one query); 404 for missing and forbidden."""
    qs = policy.visible(actor, Person.objects.filter(pk=person_id)).exclude(avatar="")
    person = qs.only("id", "tenant_id", "avatar").first()
    if person is None:
        raise Http404
    return person


def people_with_avatar_visible_to(actor: Actor) -> QuerySet[Person]:
    """People whose avatar the actor may see (for lists that show avatars)."""
    return policy.visible(actor, Person.objects.exclude(avatar=""))
