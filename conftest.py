"""The root fixture: two tenants, each with two schools and every kind of person.

Every test of an endpoint can reach "someone else's" object at no cost: `world.other_school`
(same tenant) and `world.foreign_*` (the other tenant).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass
class World:
    tenant: Any
    other_tenant: Any
    year: Any
    foreign_year: Any
    authority: Any
    school: Any
    other_school: Any
    foreign_school: Any
    maths: Any
    french: Any
    class_a: Any
    class_b: Any
    other_class: Any
    foreign_class: Any
    group: Any
    pupil: Any
    pupil2: Any
    pupil_b: Any
    other_pupil: Any
    foreign_pupil: Any
    guardian: Any
    guardian_b: Any
    teacher: Any
    teacher_b: Any
    other_teacher: Any
    staff: Any
    director: Any
    admin: Any
    other_admin: Any
    authority_admin: Any
    operator: Any
    foreign_admin: Any


@pytest.fixture(autouse=True)
def _clear_cache() -> Any:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _french_by_default() -> Any:
    """Each test starts in the site's language (French), whatever a previous request activated."""
    from django.utils import translation

    with translation.override("fr"):
        yield


@pytest.fixture
def world(db: Any) -> World:  # noqa: PLR0915 - one place builds the whole world
    from preau.directory import models as m
    from preau.directory.tests import factories as f

    tenant = f.TenantFactory(name="Région Test", slug="region-test")
    f.TenantHostFactory(tenant=tenant, host="testserver")
    other_tenant = f.TenantFactory(name="Autre Territoire", slug="autre")
    f.TenantHostFactory(tenant=other_tenant, host="other.test")
    year = f.SchoolYearFactory(tenant=tenant)
    foreign_year = f.SchoolYearFactory(tenant=other_tenant)
    authority = f.AuthorityFactory(tenant=tenant, name="Département du Rhône")
    school = f.SchoolFactory(tenant=tenant, name="Collège Victor Hugo")
    other_school = f.SchoolFactory(tenant=tenant, name="Collège George Sand")
    school.authorities.add(authority)
    other_school.authorities.add(authority)
    foreign_school = f.SchoolFactory(tenant=other_tenant, name="Collège Étranger")
    maths = f.SubjectFactory(tenant=tenant, code="061300", label="Mathématiques")
    french = f.SubjectFactory(tenant=tenant, code="030201", label="Français")
    class_a = f.SchoolClassFactory(school=school, year=year, code="6A", name="6e A")
    class_b = f.SchoolClassFactory(school=school, year=year, code="6B", name="6e B")
    other_class = f.SchoolClassFactory(school=other_school, year=year, code="6A", name="6e A")
    foreign_class = f.SchoolClassFactory(school=foreign_school, year=foreign_year, code="6A")

    def person(first: str, last: str, *, tenant_: Any = tenant, **kw: Any) -> Any:
        return f.PersonFactory(tenant=tenant_, first_name=first, last_name=last, **kw)

    def member(p: Any, s: Any, profile: str, y: Any = year, **kw: Any) -> Any:
        return m.Membership.objects.create(
            tenant=p.tenant, person=p, school=s, year=y, profile=profile, **kw
        )

    pupil = person("Léa", "Martin")
    member(pupil, school, m.Profile.PUPIL, school_class=class_a)
    pupil2 = person("Hugo", "Bernard")
    member(pupil2, school, m.Profile.PUPIL, school_class=class_a)
    pupil_b = person("Chloé", "Dubois")
    member(pupil_b, school, m.Profile.PUPIL, school_class=class_b)
    other_pupil = person("Louis", "Thomas")
    member(other_pupil, other_school, m.Profile.PUPIL, school_class=other_class)
    foreign_pupil = person("Emma", "Petit", tenant_=other_tenant)
    member(foreign_pupil, foreign_school, m.Profile.PUPIL, foreign_year, school_class=foreign_class)

    guardian = person("Sophie", "Martin")
    member(guardian, school, m.Profile.GUARDIAN)
    m.GuardianLink.objects.create(tenant=tenant, pupil=pupil, guardian=guardian, level=1)
    guardian_b = person("Marc", "Dubois")
    member(guardian_b, school, m.Profile.GUARDIAN)
    m.GuardianLink.objects.create(tenant=tenant, pupil=pupil_b, guardian=guardian_b, level=1)

    teacher = person("Paul", "Durand")
    member(teacher, school, m.Profile.TEACHER)
    m.TeachingAssignment.objects.create(
        tenant=tenant,
        teacher=teacher,
        school=school,
        year=year,
        school_class=class_a,
        subject=maths,
        is_main=True,
    )
    teacher_b = person("Claire", "Moreau")
    member(teacher_b, school, m.Profile.TEACHER)
    m.TeachingAssignment.objects.create(
        tenant=tenant,
        teacher=teacher_b,
        school=school,
        year=year,
        school_class=class_b,
        subject=french,
    )
    other_teacher = person("Jean", "Lefèvre")
    member(other_teacher, other_school, m.Profile.TEACHER)
    m.TeachingAssignment.objects.create(
        tenant=tenant,
        teacher=other_teacher,
        school=other_school,
        year=year,
        school_class=other_class,
        subject=maths,
    )
    group = f.GroupFactory(school=school, year=year, code="LAT", name="Latin 5e")
    group.classes.add(class_a, class_b)
    for p in (pupil, pupil_b):
        m.GroupMember.objects.create(tenant=tenant, group=group, person=p)
    m.TeachingAssignment.objects.create(
        tenant=tenant, teacher=teacher_b, school=school, year=year, group=group, subject=french
    )

    staff = person("Nadia", "Roux")
    member(staff, school, m.Profile.STAFF, functions=["EVS"])
    director = person("Henri", "Fournier")
    member(director, school, m.Profile.STAFF, functions=["DIR"])
    admin = person("Alice", "Girard")
    member(admin, school, m.Profile.STAFF, functions=["ETA"], is_school_admin=True)
    other_admin = person("Bruno", "Lambert")
    member(other_admin, other_school, m.Profile.STAFF, functions=["DIR"], is_school_admin=True)
    authority_admin = person("Carole", "Bonnet")
    m.AuthorityAdmin.objects.create(tenant=tenant, person=authority_admin, authority=authority)
    operator = person("Olivier", "Mercier", is_operator=True)
    foreign_admin = person("Fanny", "Garnier", tenant_=other_tenant)
    member(
        foreign_admin,
        foreign_school,
        m.Profile.STAFF,
        foreign_year,
        functions=["DIR"],
        is_school_admin=True,
    )

    return World(**{k: v for k, v in locals().items() if k in World.__dataclass_fields__})


@pytest.fixture
def client_for(client: Any) -> Any:
    """`client_for(person)`: a test client logged in as `person` on their tenant's host."""
    from django.test import Client

    def make(person: Any) -> Client:
        host = person.tenant.hosts.first().host
        c = Client(HTTP_HOST=host)
        c.force_login(person)
        return c

    return make


# --- Browser tests: Playwright driving Debian's Chromium, axe-core on every page -------------

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "test-artifacts" / "browser"


@pytest.fixture(scope="session")
def chromium() -> Any:
    """A headless Chromium, or a skip with a clear reason (a failure under CI)."""
    if not os.path.exists(CHROMIUM):
        message = (
            f"no Chromium at {CHROMIUM}: install Debian's chromium package to run browser tests"
        )
        if os.environ.get("CI") == "true" or os.environ.get("PREAU_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must allow ORM calls from the test body.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


class BrowserSession:
    """One person's browser tab: go to pages, screenshot each step, check accessibility."""

    def __init__(self, page: Any, base_url: str, name: str) -> None:
        self.page = page
        self.base_url = base_url
        self.name = name
        self.step = 0

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def snap(self, label: str) -> None:
        self.step += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(
            path=str(ARTIFACTS / f"{self.name}-{self.step:02d}-{label}.png"), full_page=True
        )

    def assert_accessible(self) -> None:
        """axe-core on the current page: no serious or critical violation."""
        from axe_playwright_python.sync_playwright import Axe

        result = Axe().run(self.page)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert not bad, f"axe-core on {self.page.url}:\n" + "\n".join(bad)

    def login(self, login: str, password: str) -> None:
        self.goto("/accounts/login/")
        self.page.fill("input[name=identifier]", login)
        self.page.fill("input[name=password]", password)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state("networkidle")


@pytest.fixture
def browser_for(chromium: Any, live_server: Any, world: World) -> Any:
    """`browser_for("name")`: a fresh browser context on the live server (tenant: world)."""
    from preau.core.models import TenantHost

    TenantHost.objects.get_or_create(tenant=world.tenant, host="localhost")
    contexts = []

    def make(name: str, *, width: int = 1280, height: int = 900) -> BrowserSession:
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
        contexts.append(context)
        base = live_server.url.replace("127.0.0.1", "localhost")
        return BrowserSession(context.new_page(), base, name)

    yield make
    for context in contexts:
        context.close()


# --- Real HTTP clients against the live server (protocol tests: CAS, OIDC) -------------------


@pytest.fixture
def live_base(live_server: Any, world: World) -> str:
    """The live server's address, answering as the world tenant (on localhost and 127.0.0.1)."""
    from preau.core.models import TenantHost

    for host in ("localhost", "127.0.0.1"):
        TenantHost.objects.get_or_create(tenant=world.tenant, host=host)
    return str(live_server.url)


@pytest.fixture
def http_sessions() -> Any:
    """`requests` sessions closed at the end of the test, so no keep-alive connection outlives
    the live server's database."""
    opened: list[Any] = []
    yield opened
    for session in opened:
        session.close()


@pytest.fixture
def logged_in(live_base: str, http_sessions: list[Any]) -> Any:
    """`logged_in(person)`: a `requests` session logged in through the real login form."""
    import re

    import requests

    from preau.directory.tests.factories import TEST_PASSWORD

    def make(person: Any) -> requests.Session:
        session = requests.Session()
        http_sessions.append(session)
        page = session.get(f"{live_base}/accounts/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None
        response = session.post(
            f"{live_base}/accounts/login/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "identifier": person.login,
                "password": TEST_PASSWORD,
            },
            headers={"Referer": f"{live_base}/accounts/login/"},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text[:500]
        return session

    return make
