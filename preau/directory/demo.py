"""The demo territory behind `preau demo`: one tenant, a region, four schools, ~1,000 pupils.

`seed_demo()` is deterministic (one seeded random generator), idempotent (a demo tenant that
already has its schools is left alone; its logins are printed again) and fast: people,
memberships, guardian links, groups and assignments are written with `bulk_create` in one
transaction, and the demo password is hashed once and shared by every demo account.

The demo password exists only here and only on the demo tenant's accounts (`is_demo=True`).
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from preau.core.models import Tenant, TenantHost
from preau.core.sanitize import fold
from preau.core.tenancy import forget_host_cache
from preau.directory import demo_names as names
from preau.directory.logins import login_stem
from preau.directory.models import (
    Authority,
    AuthorityAdmin,
    Group,
    GroupMember,
    GuardianLink,
    Level,
    Membership,
    Person,
    Profile,
    School,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
    uai_check_letter,
)

# --- Demo-only constants ---------------------------------------------------------------------

# DEMO ONLY. Every account of the demo tenant has this password and no other tenant ever does.
DEMO_PASSWORD = "preau-demo-2026"  # noqa: S105 - published on purpose, demo data only
DEMO_SLUG = "demo"
DEMO_NAME = "ENT Auvergne-Rhône-Alpes (démo)"
DEMO_BRAND_COLOUR = "#0b5d7a"
DEMO_HOSTS = ("127.0.0.1", "localhost")
DEMO_URL = "http://127.0.0.1:8000/"
# `.invalid` is reserved (RFC 2606): no demo e-mail can ever reach a real mailbox.
DEMO_EMAIL_DOMAIN = "demo.preau.invalid"
DEMO_SEED = 2026

# The national audience-measurement service labels (STANDARDS.md): every app is on in the demo.
SERVICE_LABELS = (
    "Page_ENT",
    "Courrier_Electronique",
    "Actualites",
    "Stockage_Partage",
    "Travail_Collaboratif",
    "Cahier_Textes",
    "Notes",
    "Absences",
    "Services_Vie_Scolaire",
    "Gestion_Competences",
    "Gestion_Temps",
    "Reservation_Ressources",
    "Ressources_En_Ligne",
    "Documentation_CDI",
    "Orientation",
    "Parcours_Pedagogiques",
    "Services_Collectivites",
    "Visioconference",
)

START_YEAR = 2026
YEAR_STARTS = dt.date(2026, 9, 1)
YEAR_ENDS = dt.date(2027, 7, 3)
ACTIVATED_AT = dt.datetime(2026, 8, 31, 8, 0, tzinfo=dt.UTC)

# --- The territory ---------------------------------------------------------------------------

# key: (name, kind, code, parent key)
AUTHORITIES: dict[str, tuple[str, str, str, str | None]] = {
    "region": ("Région Auvergne-Rhône-Alpes", Authority.Kind.REGION, "84", None),
    "academie": ("Académie de Lyon", Authority.Kind.ACADEMIE, "10", None),
    "rhone": ("Département du Rhône", Authority.Kind.DEPARTEMENT, "69", "region"),
    "ain": ("Département de l'Ain", Authority.Kind.DEPARTEMENT, "01", "region"),
    "draaf": ("DRAAF Auvergne-Rhône-Alpes", Authority.Kind.DRAAF, "DRAAF-ARA", None),
}

# key: (code, label). Codes shaped like the national subject nomenclature (6 digits).
SUBJECTS: dict[str, tuple[str, str]] = {
    "FR": ("020100", "Français"),
    "MA": ("061300", "Mathématiques"),
    "HG": ("040700", "Histoire-géographie"),
    "AN": ("030201", "Anglais LV1"),
    "ES": ("030602", "Espagnol LV2"),
    "DE": ("030102", "Allemand LV2"),
    "LA": ("020700", "Latin (LCA)"),
    "SVT": ("062900", "Sciences de la vie et de la Terre"),
    "PC": ("061800", "Physique-chimie"),
    "TE": ("070200", "Technologie"),
    "EPS": ("100100", "Éducation physique et sportive"),
    "AP": ("080100", "Arts plastiques"),
    "EM": ("090100", "Éducation musicale"),
    "PH": ("010100", "Philosophie"),
    "SES": ("072200", "Sciences économiques et sociales"),
    "BIO": ("063100", "Biologie-écologie"),
    "AGRO": ("341100", "Agronomie"),
    "ZOO": ("341200", "Zootechnie"),
    "EGA": ("341300", "Économie et gestion de l'entreprise agricole"),
}

COLLEGE_SUBJECTS = ("FR", "MA", "HG", "AN", "SVT", "PC", "TE", "EPS", "AP", "EM")
GT_SUBJECTS = ("FR", "MA", "HG", "AN", "SVT", "PC", "SES", "EPS")
FIRST_SUBJECTS = ("FR", "MA", "HG", "AN", "SVT", "PC", "EPS")
FINAL_SUBJECTS = ("PH", "MA", "HG", "AN", "SVT", "PC", "EPS")
AGRI_LOWER_SUBJECTS = ("FR", "MA", "HG", "AN", "BIO", "EPS")
AGRI_PRO_SUBJECTS = ("FR", "MA", "HG", "AN", "BIO", "AGRO", "ZOO", "EGA", "EPS")


@dataclass(frozen=True)
class LevelSpec:
    mef: str  # MEF code (11 digits)
    label: str  # the MEF's label
    short: str  # how a class or group name says it: "5e", "2nde"
    birth_year: int  # the usual birth year of a pupil of this level in 2026-2027
    subjects: tuple[str, ...]


LEVELS: dict[str, LevelSpec] = {
    "6": LevelSpec("10010012110", "6ème", "6e", 2015, COLLEGE_SUBJECTS),
    "5": LevelSpec("10110001110", "5ème", "5e", 2014, COLLEGE_SUBJECTS),
    "4": LevelSpec("10210001110", "4ème", "4e", 2013, COLLEGE_SUBJECTS),
    "3": LevelSpec("10310019110", "3ème", "3e", 2012, COLLEGE_SUBJECTS),
    "2GT": LevelSpec("20010018110", "2nde générale et technologique", "2nde", 2011, GT_SUBJECTS),
    "1G": LevelSpec("20111001110", "1ère générale", "1re", 2010, FIRST_SUBJECTS),
    "TG": LevelSpec("20211001110", "Terminale générale", "Tle", 2009, FINAL_SUBJECTS),
    "4EA": LevelSpec(
        "16720002110", "4ème de l'enseignement agricole", "4e EA", 2013, AGRI_LOWER_SUBJECTS
    ),
    "3EA": LevelSpec(
        "16820002110", "3ème de l'enseignement agricole", "3e EA", 2012, AGRI_LOWER_SUBJECTS
    ),
    "2PRO": LevelSpec(
        "27621301031",
        "2nde pro Productions (agricole)",
        "2nde pro Productions",
        2011,
        AGRI_PRO_SUBJECTS,
    ),
    "1PRO": LevelSpec(
        "27621301032", "1ère bac pro CGEA", "1re bac pro CGEA", 2010, AGRI_PRO_SUBJECTS
    ),
    "TPRO": LevelSpec(
        "27621301033", "Terminale bac pro CGEA", "Tle bac pro CGEA", 2009, AGRI_PRO_SUBJECTS
    ),
}

# How many classes one teacher takes in a subject (about 18 hours a week).
COLLEGE_LOAD = {"FR": 4, "MA": 4, "HG": 5, "AN": 5, "SVT": 9, "PC": 9, "TE": 9, "EPS": 5}
LYCEE_LOAD = {"FR": 4, "PH": 4, "MA": 4, "HG": 5, "AN": 5, "SVT": 9, "PC": 6, "SES": 6, "EPS": 5}
DEFAULT_LOAD = 18
LV2_GROUPS_PER_TEACHER = 7
GROUP_SIZE = 28
# Teaching groups: subject key -> (code prefix, name)
GROUP_SUBJECTS = {
    "ES": ("ESP", "Espagnol LV2"),
    "DE": ("ALL", "Allemand LV2"),
    "LA": ("LAT", "Latin"),
}


@dataclass(frozen=True)
class SchoolSpec:
    key: str
    digits: str  # the UAI's seven digits (the check letter is computed)
    name: str
    kind: str
    sector: str
    city: str
    area: str  # where its families live: siblings go to schools of the same area
    authorities: tuple[str, ...]
    classes: tuple[tuple[str, int], ...]  # (level key, number of divisions)
    class_size: tuple[int, int]
    load: dict[str, int]
    lv2_levels: tuple[str, ...] = ()  # levels whose pupils take Espagnol or Allemand LV2
    latin_levels: tuple[str, ...] = ()  # levels with a Latin option

    @property
    def uai(self) -> str:
        return self.digits + uai_check_letter(self.digits)


SCHOOLS = (
    SchoolSpec(
        key="college_rhone",
        digits="0693318",
        name="Collège Jean Moulin",
        kind=School.Kind.COLLEGE,
        sector=School.Sector.PUBLIC,
        city="Villefranche-sur-Saône",
        area="rhone",
        authorities=("academie", "rhone"),
        classes=(("6", 4), ("5", 4), ("4", 4), ("3", 4)),
        class_size=(23, 27),
        load=COLLEGE_LOAD,
        lv2_levels=("5", "4", "3"),
        latin_levels=("5", "4", "3"),
    ),
    SchoolSpec(
        key="college_ain",
        digits="0011208",
        name="Collège Louise Michel",
        kind=School.Kind.COLLEGE,
        sector=School.Sector.PUBLIC,
        city="Bourg-en-Bresse",
        area="ain",
        authorities=("academie", "ain"),
        classes=(("6", 3), ("5", 3), ("4", 3), ("3", 3)),
        class_size=(23, 27),
        load=COLLEGE_LOAD,
        lv2_levels=("5", "4", "3"),
        latin_levels=("5", "4", "3"),
    ),
    SchoolSpec(
        key="lycee",
        digits="0694052",
        name="Lycée Simone Veil",
        kind=School.Kind.LYCEE,
        sector=School.Sector.PUBLIC,
        city="Villefranche-sur-Saône",
        area="rhone",
        authorities=("academie", "region"),
        classes=(("2GT", 3), ("1G", 3), ("TG", 3)),
        class_size=(28, 32),
        load=LYCEE_LOAD,
        lv2_levels=("2GT", "1G", "TG"),
    ),
    SchoolSpec(
        key="agricole",
        digits="0011467",
        name="Lycée agricole privé Les Étangs",
        kind=School.Kind.LYCEE_AGRICOLE,
        sector=School.Sector.AGRICULTURAL,
        city="Châtillon-sur-Chalaronne",
        area="ain",
        authorities=("draaf", "region"),
        classes=(("4EA", 1), ("3EA", 1), ("2PRO", 1), ("1PRO", 1), ("TPRO", 1)),
        class_size=(15, 21),
        load={},
    ),
)

# Staff of every school: (functions, is_school_admin, what the summary calls them).
STAFF = (
    (["DIR"], False, "principal"),
    (["DIR"], True, "adjoint"),
    (["EVS"], False, "cpe"),
    (["DOC"], False, "librarian"),
    (["ETA"], False, "secretary"),
    (["RES"], False, "catering"),
)

# The accounts `preau demo` prints, in order.
ROLES: tuple[tuple[str, Promise], ...] = (
    ("pupil", gettext_lazy("Pupil")),
    ("guardian", gettext_lazy("Guardian (children in two schools)")),
    ("teacher", gettext_lazy("Teacher")),
    ("main_teacher", gettext_lazy("Main teacher")),
    ("cpe", gettext_lazy("CPE (vie scolaire)")),
    ("principal", gettext_lazy("Principal")),
    ("school_admin", gettext_lazy("School administrator")),
    ("authority_admin", gettext_lazy("Authority administrator")),
    ("operator", gettext_lazy("Tenant operator")),
)


class DemoError(Exception):
    """The demo cannot be seeded (a non-demo tenant already uses its short name)."""


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


@dataclass(frozen=True)
class DemoAccount:
    role: str
    label: str
    login: str
    name: str
    where: str


@dataclass
class DemoSummary:
    tenant: Tenant
    created: bool
    seconds: float
    accounts: list[DemoAccount]
    counts: dict[str, int]
    password: str = DEMO_PASSWORD
    url: str = DEMO_URL


# --- Entry point -----------------------------------------------------------------------------


def seed_demo(*, stdout: Writer | None = None, seed: int = DEMO_SEED) -> DemoSummary:
    """Seed the demo territory once; later calls change nothing and print the logins again."""
    started = time.perf_counter()
    with transaction.atomic():
        tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
        if tenant is not None and not tenant.is_demo:
            raise DemoError(
                _(
                    "A tenant with the short name “%(slug)s” exists and is not a demo tenant: "
                    "demo accounts and their password are never added to real data."
                )
                % {"slug": DEMO_SLUG}
            )
        created = tenant is None or not School.objects.filter(tenant=tenant).exists()
        if created:
            seeder = _Seeder(random.Random(seed), tenant)  # noqa: S311 - demo data, not secrets
            tenant = seeder.run()
        assert tenant is not None
        # Idempotent on the apps' side too: a demo seeded before an app had its hook gets the
        # app's demo content on the next run; the directory is never touched again.
        _seed_apps(tenant, list(School.objects.filter(tenant=tenant).order_by("pk")))
    forget_host_cache(*DEMO_HOSTS)
    summary = DemoSummary(
        tenant=tenant,
        created=created,
        seconds=time.perf_counter() - started,
        accounts=demo_accounts(tenant),
        counts=demo_counts(tenant),
    )
    if stdout is not None:
        write_summary(summary, stdout)
    return summary


# The apps' demo content: (module, function(tenant, schools)), each idempotent, in this order.
APP_HOOKS = (
    ("preau.portal.demo", "seed_demo_connected_apps"),
    ("preau.news.demo", "seed_demo_news"),
    ("preau.timetable.demo", "seed_demo_timetable"),
    ("preau.homework.demo", "seed_demo_homework"),
)


def _seed_apps(tenant: Tenant, schools: list[School]) -> None:
    """Each app's demo content, when the app provides a hook."""
    for module_name, function in APP_HOOKS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module_name.startswith(exc.name):
                raise
            continue
        hook: Callable[[Tenant, list[School]], object] | None = getattr(module, function, None)
        if hook is not None:
            hook(tenant, schools)


# --- Reading the demo back -------------------------------------------------------------------


def demo_counts(tenant: Tenant) -> dict[str, int]:
    by_profile = dict(
        Membership.objects.filter(tenant=tenant)
        .values_list("profile")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    return {
        "schools": School.objects.filter(tenant=tenant).count(),
        "classes": SchoolClass.objects.filter(tenant=tenant).count(),
        "groups": Group.objects.filter(tenant=tenant).count(),
        "pupils": by_profile.get(Profile.PUPIL, 0),
        "guardians": by_profile.get(Profile.GUARDIAN, 0),
        "teachers": by_profile.get(Profile.TEACHER, 0),
        "staff": by_profile.get(Profile.STAFF, 0),
        "people": Person.objects.filter(tenant=tenant).count(),
        "guardian_links": GuardianLink.objects.filter(tenant=tenant).count(),
        "assignments": TeachingAssignment.objects.filter(tenant=tenant).count(),
    }


def demo_accounts(tenant: Tenant) -> list[DemoAccount]:
    """The accounts to try, one per profile, as recorded in the tenant's options at seeding."""
    logins: dict[str, str] = (tenant.options or {}).get("demo_accounts", {})
    people = {
        p.login: p
        for p in Person.objects.filter(tenant=tenant, login__in=logins.values()).prefetch_related(
            "memberships__school", "authority_admin_of__authority"
        )
    }
    accounts = []
    for role, label in ROLES:
        person = people.get(logins.get(role, ""))
        if person is None:
            continue
        schools = sorted({m.school.name for m in person.memberships.all()})
        authorities = [a.authority.name for a in person.authority_admin_of.all()]
        where = " + ".join(schools or authorities) or (
            _("whole tenant") if person.is_operator else ""
        )
        accounts.append(DemoAccount(role, str(label), person.login, person.full_name, where))
    return accounts


def write_summary(summary: DemoSummary, out: Writer) -> None:
    counts = summary.counts
    state = (
        _("seeded in %(seconds).2f s") if summary.created else _("already seeded (%(seconds).2f s)")
    ) % {"seconds": summary.seconds}
    rows = [(_("Profile"), _("Login"), _("Name"), _("School or scope"))]
    rows += [(a.label, a.login, a.name, a.where) for a in summary.accounts]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    rows.insert(1, tuple("-" * w for w in widths))  # type: ignore[arg-type]
    lines = [
        _("Préau demo, %(tenant)s: %(state)s") % {"tenant": summary.tenant.name, "state": state}
    ]
    lines += [""] + [
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    ]
    lines += [
        "",
        _("Password of every demo account (demo data only): %(password)s")
        % {"password": summary.password},
        _("Open %(url)s") % {"url": summary.url},
        "",
        _(
            "%(schools)d schools, %(classes)d classes, %(groups)d groups, %(pupils)d pupils, "
            "%(guardians)d guardians, %(teachers)d teachers, %(staff)d staff, "
            "%(people)d accounts, %(guardian_links)d guardian links, "
            "%(assignments)d teaching assignments."
        )
        % counts,
    ]
    for line in lines:
        out.write(line.rstrip() + "\n")


# --- Seeding ---------------------------------------------------------------------------------


# A pupil to be: (school key, class).
Seat = tuple[str, SchoolClass]


@dataclass
class _Family:
    surname: str
    children: list[Person] = field(default_factory=list)
    child_classes: list[SchoolClass] = field(default_factory=list)
    guardians: list[tuple[Person, int, str, int]] = field(default_factory=list)  # level, kin, prio


class _Seeder:
    def __init__(self, rng: random.Random, tenant: Tenant | None) -> None:
        self.rng = rng
        self.tenant = tenant or Tenant(slug=DEMO_SLUG)
        self.password = make_password(DEMO_PASSWORD)  # hashed once, shared by every account
        self.logins: set[str] = set()
        self.people: list[Person] = []
        self.memberships: list[Membership] = []
        self.links: list[GuardianLink] = []
        self.assignments: list[TeachingAssignment] = []
        self.group_members: list[GroupMember] = []
        self.group_classes: list[tuple[Group, SchoolClass]] = []
        self.groups: list[Group] = []
        self.school_of: dict[str, School] = {}
        self.classes: dict[str, list[SchoolClass]] = {}  # school key -> classes
        self.level_of: dict[str, str] = {}  # class code in school -> level key
        self.pupils_of: dict[int, list[Person]] = {}  # id(class) -> pupils
        self.featured: dict[str, Person] = {}
        self.ine = 0
        self.mobile = 0

    # -- structure ------------------------------------------------------------------------

    def run(self) -> Tenant:
        tenant = self.tenant
        tenant.name = DEMO_NAME
        tenant.brand_colour = DEMO_BRAND_COLOUR
        tenant.enabled_apps = list(SERVICE_LABELS)
        tenant.is_demo = True
        tenant.save()
        taken = set(TenantHost.objects.filter(host__in=DEMO_HOSTS).values_list("host", flat=True))
        TenantHost.objects.bulk_create(
            [TenantHost(tenant=tenant, host=h) for h in DEMO_HOSTS if h not in taken]
        )
        self.logins = set(Person.objects.filter(tenant=tenant).values_list("login", flat=True))
        self.year, _created = SchoolYear.objects.get_or_create(
            tenant=tenant,
            start_year=START_YEAR,
            defaults={"starts_on": YEAR_STARTS, "ends_on": YEAR_ENDS, "is_current": True},
        )
        self.authorities: dict[str, Authority] = {}
        for key, (name, kind, code, parent) in AUTHORITIES.items():
            self.authorities[key] = Authority.objects.create(
                tenant=tenant,
                name=name,
                kind=kind,
                code=code,
                parent=self.authorities[parent] if parent else None,
            )
        self.subjects = dict(
            zip(
                SUBJECTS,
                Subject.objects.bulk_create(
                    [Subject(tenant=tenant, code=c, label=lb) for c, lb in SUBJECTS.values()]
                ),
                strict=True,
            )
        )
        self.levels = dict(
            zip(
                LEVELS,
                Level.objects.bulk_create(
                    [Level(tenant=tenant, code=s.mef, label=s.label) for s in LEVELS.values()]
                ),
                strict=True,
            )
        )
        for spec in SCHOOLS:
            school = School.objects.create(
                tenant=tenant,
                uai=spec.uai,
                name=spec.name,
                kind=spec.kind,
                sector=spec.sector,
                city=spec.city,
            )
            school.authorities.add(*(self.authorities[a] for a in spec.authorities))
            self.school_of[spec.key] = school
        self._classes()
        self._pupils_and_families()
        self._teachers_and_groups()
        self._staff_and_administrators()
        self._write()
        tenant.options = {
            **(tenant.options or {}),
            "demo_accounts": {role: p.login for role, p in self.featured.items()},
        }
        tenant.save(update_fields=["options"])
        return tenant

    def _classes(self) -> None:
        new: list[SchoolClass] = []
        for spec in SCHOOLS:
            school = self.school_of[spec.key]
            self.classes[spec.key] = []
            for level_key, divisions in spec.classes:
                level = LEVELS[level_key]
                for n in range(divisions):
                    # Collèges name divisions 6e A, 6e B...; lycées 2nde 1, 2nde 2...
                    suffix = "ABCDEFGH"[n] if spec.kind == School.Kind.COLLEGE else str(n + 1)
                    code, name = f"{level_key}{suffix}", f"{level.short} {suffix}"
                    if divisions == 1:
                        code, name = level_key, level.short
                    cls = SchoolClass(
                        tenant=self.tenant,
                        school=school,
                        year=self.year,
                        code=code,
                        name=name,
                        level=self.levels[level_key],
                    )
                    self.level_of[f"{spec.key}:{code}"] = level_key
                    self.classes[spec.key].append(cls)
                    new.append(cls)
        SchoolClass.objects.bulk_create(new)

    def _level(self, spec_key: str, cls: SchoolClass) -> LevelSpec:
        return LEVELS[self.level_of[f"{spec_key}:{cls.code}"]]

    # -- people ---------------------------------------------------------------------------

    def _person(
        self,
        first: str,
        last: str,
        *,
        title: str = "",
        birth: dt.date | None = None,
        ine: str = "",
        mobile: str = "",
        is_operator: bool = False,
    ) -> Person:
        stem = login_stem(first, last)
        login, n = stem, 2
        while login in self.logins:
            login, n = f"{stem}{n}", n + 1
        self.logins.add(login)
        person = Person(
            tenant=self.tenant,
            login=login,
            email=f"{login}@{DEMO_EMAIL_DOMAIN}",
            title=title,
            first_name=first,
            last_name=last,
            search_name=fold(f"{last} {first}"),
            birth_date=birth,
            ine=ine,
            mobile=mobile,
            is_operator=is_operator,
            password=self.password,
            activated_at=ACTIVATED_AT,
            terms_accepted_at=ACTIVATED_AT,
        )
        self.people.append(person)
        return person

    def _origin(self) -> names.Origin:
        return self.rng.choices(names.ORIGINS, weights=[o.weight for o in names.ORIGINS])[0]

    def _first_name(self, origin: names.Origin, *, child: bool, woman: bool) -> str:
        """A first name of the family's origin, or a common French one (families mix both)."""
        if self.rng.random() < (0.45 if child else 0.2):
            origin = names.FRENCH
        if child:
            return self.rng.choice(origin.girls if woman else origin.boys)
        return self.rng.choice(origin.women if woman else origin.men)

    def _adult(
        self,
        *,
        woman: bool | None = None,
        last: str | None = None,
        born: int = 0,
        origin: names.Origin | None = None,
    ) -> Person:
        rng = self.rng
        if woman is None:
            woman = rng.random() < 0.6
        origin = origin or self._origin()
        year = born or rng.randint(1966, 1996)
        return self._person(
            self._first_name(origin, child=False, woman=woman),
            last or rng.choice(origin.surnames),
            title=Person.Title.MRS if woman else Person.Title.MR,
            birth=self._day_in(year),
        )

    def _day_in(self, year: int) -> dt.date:
        return dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))

    def _member(self, person: Person, school: School, profile: str, **kw: Any) -> Membership:
        membership = Membership(
            tenant=self.tenant, person=person, school=school, year=self.year, profile=profile, **kw
        )
        self.memberships.append(membership)
        return membership

    def _pupils_and_families(self) -> None:
        rng = self.rng
        # One seat per pupil to be, by area: a family's children all live in one area.
        seats: dict[str, list[Seat]] = {}
        for spec in SCHOOLS:
            for cls in self.classes[spec.key]:
                size = rng.randint(*spec.class_size)
                seats.setdefault(spec.area, []).extend([(spec.key, cls)] * size)
        for area, free in seats.items():
            rng.shuffle(free)
            if area == "rhone":
                # The family the summary shows: a collégien and a lycéen, same guardians.
                first = self._take(free, lambda s: s[0] == "college_rhone")
                second = self._take(free, lambda s: s[0] == "lycee")
                assert first is not None
                assert second is not None
                self._family([first, second], featured=True)
            while free:
                chosen = [free.pop()]
                for _sibling in range(rng.choices((0, 1, 2), weights=(57, 33, 10))[0]):
                    years = {self._level(k, c).birth_year for k, c in chosen}

                    def other_year(seat: Seat, years: set[int] = years) -> bool:
                        return self._level(*seat).birth_year not in years

                    seat = self._take(free, other_year, tries=40)
                    if seat is None:
                        break
                    chosen.append(seat)
                self._family(chosen)

    def _take(
        self,
        free: list[Seat],
        wanted: Callable[[Seat], bool],
        tries: int = 0,
    ) -> Seat | None:
        """Remove and return a free seat `wanted` accepts: `tries` random probes, or a scan."""
        if not free:
            return None
        candidates: Iterable[int] = (
            (self.rng.randrange(len(free)) for _ in range(tries)) if tries else range(len(free))
        )
        for i in candidates:
            if wanted(free[i]):
                free[i], free[-1] = free[-1], free[i]
                return free.pop()
        return None

    def _family(self, seats: Sequence[Seat], *, featured: bool = False) -> _Family:
        rng = self.rng
        origin = self._origin()
        surname = rng.choice(origin.surnames)
        shape = rng.random()
        eldest = min(self._level(k, c).birth_year for k, c in seats)
        guardians: list[tuple[Person, int, str, int]] = []
        child_surname = surname
        if shape < 0.80 or featured:  # two parents
            mother_origin = origin if rng.random() < 0.75 else self._origin()
            mother_name = surname if rng.random() < 0.6 else rng.choice(mother_origin.surnames)
            if mother_name != surname and rng.random() < 0.08:
                child_surname = f"{surname}-{mother_name}"  # a double family name
            mother = self._adult(
                woman=True,
                last=mother_name,
                born=eldest - rng.randint(24, 40),
                origin=mother_origin,
            )
            father = self._adult(
                woman=False, last=surname, born=eldest - rng.randint(25, 44), origin=origin
            )
            mother_first = featured or rng.random() < 0.65
            guardians.append((mother, 1, "mère", 1 if mother_first else 2))
            guardians.append((father, 1, "père", 2 if mother_first else 1))
        else:
            woman = shape < 0.93
            parent = self._adult(
                woman=woman, last=surname, born=eldest - rng.randint(24, 42), origin=origin
            )
            guardians.append((parent, 1, "mère" if woman else "père", 1))
        if rng.random() < 0.04:  # a grandparent in charge (level 2)
            woman = rng.random() < 0.6
            grandparent = self._adult(
                woman=woman, last=surname, born=eldest - rng.randint(50, 70), origin=origin
            )
            guardians.append((grandparent, 2, "grand-mère" if woman else "grand-père", 3))
        family = _Family(surname=child_surname, guardians=guardians)
        given: set[str] = set()
        for spec_key, cls in seats:
            level = self._level(spec_key, cls)
            girl = rng.random() < 0.5
            first = self._first_name(origin, child=True, woman=girl)
            while first in given:
                first = self._first_name(origin, child=True, woman=girl)
            given.add(first)
            born = level.birth_year - (1 if rng.random() < 0.05 else 0)
            self.ine += 1
            digits = f"{620_004_000 + self.ine * 7:010d}"
            pupil = self._person(
                first,
                child_surname,
                birth=self._day_in(born),
                ine=digits + uai_check_letter(digits),
            )
            school = self.school_of[spec_key]
            self._member(pupil, school, Profile.PUPIL, school_class=cls)
            self.pupils_of.setdefault(id(cls), []).append(pupil)
            family.children.append(pupil)
            family.child_classes.append(cls)
            for guardian, level_no, kinship, priority in guardians:
                self.links.append(
                    GuardianLink(
                        tenant=self.tenant,
                        pupil=pupil,
                        guardian=guardian,
                        level=level_no,
                        kinship=kinship,
                        contact_priority=priority,
                        can_see_grades=level_no == GuardianLink.Level.LEGAL,
                        can_justify_absences=True,
                    )
                )
        schools = {id(c.school): c.school for c in family.child_classes}
        for guardian, *_rest in guardians:
            self.mobile += 1
            guardian.mobile = f"06 39 98 {self.mobile // 100 % 100:02d} {self.mobile % 100:02d}"
            for school in schools.values():
                self._member(guardian, school, Profile.GUARDIAN)
        if featured:
            self.featured["pupil"] = family.children[0]
            self.featured["guardian"] = guardians[0][0]
        return family

    def _teachers_and_groups(self) -> None:
        rng = self.rng
        for spec in SCHOOLS:
            school = self.school_of[spec.key]
            teachers_of: dict[int, list[tuple[Person, TeachingAssignment]]] = {}
            first_of_subject: dict[str, Person] = {}
            for subject in SUBJECTS:
                classes = [
                    c
                    for c in self.classes[spec.key]
                    if subject in self._level(spec.key, c).subjects
                ]
                if not classes:
                    continue
                count = math.ceil(len(classes) / spec.load.get(subject, DEFAULT_LOAD))
                teachers = [self._adult() for _n in range(count)]
                first_of_subject[subject] = teachers[0]
                for teacher in teachers:
                    self._member(teacher, school, Profile.TEACHER)
                for i, cls in enumerate(classes):
                    teacher = teachers[i % count]
                    assignment = self._assign(teacher, school, subject, school_class=cls)
                    teachers_of.setdefault(id(cls), []).append((teacher, assignment))
            # One main teacher per class, a different one for each class when possible.
            mains: set[int] = set()
            for cls in self.classes[spec.key]:
                options = teachers_of[id(cls)]
                fresh = [o for o in options if id(o[0]) not in mains]
                teacher, assignment = rng.choice(fresh or options)
                assignment.is_main = True
                mains.add(id(teacher))
            self._groups(spec, school, first_of_subject)
            if spec.key == "college_rhone":
                pupil_class = next(
                    m.school_class
                    for m in self.memberships
                    if m.person is self.featured["pupil"] and m.school_class is not None
                )
                options = teachers_of[id(pupil_class)]
                self.featured["main_teacher"] = next(t for t, a in options if a.is_main)
                self.featured["teacher"] = next(
                    (t for t, _a in options if id(t) not in mains),
                    next(t for t, a in options if not a.is_main),
                )

    def _assign(
        self,
        teacher: Person,
        school: School,
        subject: str,
        *,
        school_class: SchoolClass | None = None,
        group: Group | None = None,
    ) -> TeachingAssignment:
        assignment = TeachingAssignment(
            tenant=self.tenant,
            teacher=teacher,
            school=school,
            year=self.year,
            school_class=school_class,
            group=group,
            subject=self.subjects[subject],
        )
        self.assignments.append(assignment)
        return assignment

    def _group(self, school: School, code: str, name: str, classes: list[SchoolClass]) -> Group:
        group = Group(
            tenant=self.tenant,
            school=school,
            year=self.year,
            code=code,
            name=name,
            kind=Group.Kind.TEACHING,
        )
        self.groups.append(group)
        self.group_classes += [(group, c) for c in classes]
        return group

    def _groups(self, spec: SchoolSpec, school: School, first_of: dict[str, Person]) -> None:
        """LV2 groups (Espagnol or Allemand for every pupil) and Latin, level by level.

        As in a real timetable, a level's pupils are split across its divisions into groups of
        at most GROUP_SIZE: "Espagnol LV2 5e G1" holds pupils of 5e A, 5e B...
        """
        rng = self.rng
        lv2: dict[str, list[tuple[str, list[Person]]]] = {"ES": [], "DE": []}
        latin: list[tuple[str, list[Person]]] = []
        for level_key in spec.lv2_levels:
            pupils = self._pupils_of_level(spec, level_key)
            spanish = [p for p in pupils if rng.random() < 0.72]
            chosen = {id(p) for p in spanish}
            lv2["ES"].append((level_key, spanish))
            lv2["DE"].append((level_key, [p for p in pupils if id(p) not in chosen]))
        for level_key in spec.latin_levels:
            pupils = self._pupils_of_level(spec, level_key)
            latin.append((level_key, [p for p in pupils if rng.random() < 0.14]))
        for subject, by_level in lv2.items():
            groups = [
                g
                for level_key, pupils in by_level
                for g in self._split(spec, school, subject, level_key, pupils)
            ]
            teachers = [
                self._adult() for _n in range(math.ceil(len(groups) / LV2_GROUPS_PER_TEACHER))
            ]
            for teacher in teachers:
                self._member(teacher, school, Profile.TEACHER)
            for i, group in enumerate(groups):
                self._assign(teachers[i % len(teachers)], school, subject, group=group)
        for level_key, pupils in latin:
            for group in self._split(spec, school, "LA", level_key, pupils):
                self._assign(first_of["FR"], school, "LA", group=group)

    def _pupils_of_level(self, spec: SchoolSpec, level_key: str) -> list[Person]:
        level = self.levels[level_key]
        return [
            p for c in self.classes[spec.key] if c.level == level for p in self.pupils_of[id(c)]
        ]

    def _split(
        self, spec: SchoolSpec, school: School, subject: str, level_key: str, pupils: list[Person]
    ) -> list[Group]:
        """Groups of at most GROUP_SIZE of these pupils, linked to the divisions they come from."""
        if not pupils:
            return []
        count = math.ceil(len(pupils) / GROUP_SIZE)
        prefix, label = GROUP_SUBJECTS[subject]
        short = LEVELS[level_key].short
        class_of = {id(p): c for c in self.classes[spec.key] for p in self.pupils_of[id(c)]}
        groups = []
        for n in range(count):
            members = pupils[n::count]
            suffix = f" G{n + 1}" if count > 1 else ""
            classes = list({id(class_of[id(p)]): class_of[id(p)] for p in members}.values())
            group = self._group(
                school, f"{prefix}{level_key}-{n + 1}", f"{label} {short}{suffix}", classes
            )
            self.group_members += [
                GroupMember(tenant=self.tenant, group=group, person=p) for p in members
            ]
            groups.append(group)
        return groups

    def _staff_and_administrators(self) -> None:
        for spec in SCHOOLS:
            school = self.school_of[spec.key]
            for functions, is_admin, role in STAFF:
                person = self._adult()
                self._member(
                    person, school, Profile.STAFF, functions=functions, is_school_admin=is_admin
                )
                if spec.key == "college_rhone":
                    key = {"principal": "principal", "adjoint": "school_admin", "cpe": "cpe"}
                    if role in key:
                        self.featured[key[role]] = person
        agent = self._adult()
        self.authority_admin = AuthorityAdmin(
            tenant=self.tenant, person=agent, authority=self.authorities["rhone"]
        )
        self.featured["authority_admin"] = agent
        operator = self._adult()
        operator.is_operator = True
        self.featured["operator"] = operator

    # -- writing --------------------------------------------------------------------------

    def _write(self) -> None:
        Person.objects.bulk_create(self.people, batch_size=500)
        Membership.objects.bulk_create(self.memberships, batch_size=1000)
        GuardianLink.objects.bulk_create(self.links, batch_size=1000)
        Group.objects.bulk_create(self.groups)
        Through = Group.classes.through  # noqa: N806 - a model class
        Through.objects.bulk_create(
            [Through(group_id=g.pk, schoolclass_id=c.pk) for g, c in self.group_classes]
        )
        GroupMember.objects.bulk_create(self.group_members, batch_size=1000)
        TeachingAssignment.objects.bulk_create(self.assignments, batch_size=1000)
        self.authority_admin.save()
