"""The catalogue of native apps, keyed by the national service labels (STANDARDS.md).

A native app is shown on the home page when all of these hold:

- its service label is in the tenant's `enabled_apps`;
- its label is not in the active school's `disabled_apps`;
- it is meant for one of the actor's profiles in the active school (or for everyone);
- its page exists: its url name resolves. Apps not built yet never give a dead tile.

Connected (external) apps are rows of `ConnectedApp`; they carry a service label too, for usage
statistics, but are switched on and off by their own `schools`, `profiles` and `is_enabled`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Profile


class Service(models.TextChoices):
    """The national audience-measurement service labels."""

    PAGE_ENT = "Page_ENT", _("Home page")
    MAIL = "Courrier_Electronique", _("Messages")
    NEWS = "Actualites", _("News")
    STORAGE = "Stockage_Partage", _("Documents and sharing")
    COLLABORATION = "Travail_Collaboratif", _("Collaborative work")
    HOMEWORK = "Cahier_Textes", _("Homework notebook")
    GRADES = "Notes", _("Grades")
    ATTENDANCE = "Absences", _("Attendance")
    SCHOOL_LIFE = "Services_Vie_Scolaire", _("School life services")
    SKILLS = "Gestion_Competences", _("Skills")
    TIME = "Gestion_Temps", _("Timetable")
    BOOKING = "Reservation_Ressources", _("Resource booking")
    ONLINE_RESOURCES = "Ressources_En_Ligne", _("Online resources")
    LIBRARY = "Documentation_CDI", _("School library (CDI)")
    GUIDANCE = "Orientation", _("Guidance")
    LEARNING_PATHS = "Parcours_Pedagogiques", _("Learning paths")
    LOCAL_AUTHORITY = "Services_Collectivites", _("Local-authority services")
    VIDEO = "Visioconference", _("Video conferencing")


def _svg(body: str) -> SafeString:
    """An icon: decorative (aria-hidden), the tile's text is its accessible name."""
    # Constant markup written in this module, never user data.
    return mark_safe(  # noqa: S308
        '<svg viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" '
        'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" '
        f'focusable="false">{body}</svg>'
    )


ICONS: dict[str, SafeString] = {
    Service.PAGE_ENT: _svg('<path d="M3 11l9-7 9 7"/><path d="M5 10v10h14V10"/>'),
    Service.MAIL: _svg('<rect x="3" y="5" width="18" height="14" rx="2"/><path d="M3 7l9 6 9-6"/>'),
    Service.NEWS: _svg(
        '<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M7 8h10M7 12h10M7 16h6"/>'
    ),
    Service.STORAGE: _svg(
        '<path d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z"/>'
    ),
    Service.COLLABORATION: _svg(
        '<circle cx="9" cy="8" r="3"/><circle cx="17" cy="9" r="2.5"/>'
        '<path d="M3 20c0-3.3 2.7-6 6-6s6 2.7 6 6M15 14.5c3 0 6 1.8 6 5.5"/>'
    ),
    Service.HOMEWORK: _svg(
        '<path d="M5 4h11a3 3 0 0 1 3 3v13H8a3 3 0 0 1-3-3z"/><path d="M5 17a3 3 0 0 1 3-3h11"/>'
    ),
    Service.GRADES: _svg('<path d="M4 20V10M10 20V4M16 20v-7M22 20H2"/>'),
    Service.ATTENDANCE: _svg(
        '<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>'
        '<path d="M9 15l2 2 4-4"/>'
    ),
    Service.TIME: _svg('<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 3"/>'),
    Service.BOOKING: _svg('<path d="M4 7l8-4 8 4v10l-8 4-8-4z"/><path d="M4 7l8 4 8-4M12 11v10"/>'),
    Service.LOCAL_AUTHORITY: _svg(
        '<path d="M3 21h18M5 21V10l7-5 7 5v11"/><path d="M9 21v-6h6v6"/>'
    ),
}


@dataclass(frozen=True)
class NativeApp:
    """One of Préau's own apps, as the launcher knows it."""

    service: Service
    name: str | Promise
    url_name: str
    # Profiles (directory.Profile values) it is for; None: everyone.
    profiles: frozenset[str] | None = None
    # False for the home page itself: it is in the catalogue (statistics) but gets no tile.
    launchable: bool = True

    @property
    def icon(self) -> SafeString:
        return ICONS.get(self.service, ICONS[Service.PAGE_ENT])

    def is_for(self, profiles: set[str]) -> bool:
        return self.profiles is None or bool(self.profiles & profiles)


_SCHOOL_PEOPLE = frozenset({Profile.PUPIL, Profile.GUARDIAN, Profile.TEACHER, Profile.STAFF})

CATALOGUE: dict[str, NativeApp] = {
    app.service.value: app
    for app in (
        NativeApp(Service.PAGE_ENT, _("Home"), "portal:home", launchable=False),
        NativeApp(Service.MAIL, _("Messages"), "messaging:index"),
        NativeApp(Service.NEWS, _("News"), "news:index"),
        NativeApp(Service.STORAGE, _("Documents"), "documents:index"),
        NativeApp(Service.COLLABORATION, _("Communities"), "communities:index"),
        NativeApp(Service.HOMEWORK, _("Homework"), "homework:index", _SCHOOL_PEOPLE),
        NativeApp(Service.GRADES, _("Grades"), "grades:index", _SCHOOL_PEOPLE),
        NativeApp(Service.ATTENDANCE, _("Attendance"), "attendance:index", _SCHOOL_PEOPLE),
        NativeApp(Service.TIME, _("Timetable"), "timetable:index", _SCHOOL_PEOPLE),
        NativeApp(
            Service.BOOKING,
            _("Loans and bookings"),
            "loans:index",
            frozenset({Profile.PUPIL, Profile.TEACHER, Profile.STAFF}),
        ),
        NativeApp(
            Service.LOCAL_AUTHORITY,
            _("Family services"),
            "procedures:index",
            frozenset({Profile.GUARDIAN, Profile.STAFF}),
        ),
    )
}


@cache
def _exists(url_name: str) -> bool:
    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


def native_url(app: NativeApp) -> str | None:
    """The app's page, or None while the app is not built (its url name does not resolve).

    Whether a url name exists is remembered per process (url patterns only change with a
    deployment); the url itself is reversed each time, so a script prefix is honoured.
    """
    return reverse(app.url_name) if _exists(app.url_name) else None


def forget_resolved_urls() -> None:
    """Forget which url names exist (tests that swap ROOT_URLCONF call this)."""
    _exists.cache_clear()
