"""News in Chromium: a principal publishes an urgent news to every guardian of the school; a
guardian sees the banner and the news, opens it, then dismisses the banner. axe-core on the
write page, the list and the detail."""

from __future__ import annotations

import pytest

from preau.directory.tests.factories import TEST_PASSWORD
from preau.news.models import FlashDismissal, News, NewsRead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_principal_s_urgent_news_reaches_every_guardian(world, browser_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    principal = browser_for("news-principal")
    principal.login(world.director.login, TEST_PASSWORD)
    principal.goto("/news/new")
    principal.snap("write")
    principal.assert_accessible()
    principal.page.fill("#id_title", "Collège fermé demain")
    # The editor: text, then "jeudi" in bold from the toolbar.
    principal.page.locator("#id_body-editor").click()
    principal.page.keyboard.type("En raison de la neige, le collège sera fermé ")
    principal.page.get_by_role("button", name="Gras").click()
    principal.page.keyboard.type("jeudi")
    principal.page.get_by_role("button", name="Gras").click()
    principal.page.keyboard.type(".")
    assert "<b>jeudi</b>" in principal.page.input_value("#id_body_html")
    principal.page.check(f"input[value='profile:{world.school.pk}:guardian']")
    principal.page.check("#id_is_urgent")
    principal.page.click("button[name=publish]")
    principal.page.wait_for_load_state("networkidle")
    news = News.objects.get()
    assert principal.page.url.endswith(f"/news/{news.pk}/")
    assert news.status == News.Status.PUBLISHED
    principal.snap("published")
    principal.assert_accessible()

    guardian = browser_for("news-guardian")
    guardian.login(world.guardian.login, TEST_PASSWORD)
    guardian.goto("/news/")
    banner = guardian.page.locator("#news-flash [role=alert]")
    banner.wait_for()
    assert "Collège fermé demain" in banner.inner_text()
    assert guardian.page.locator(".news-card").count() == 1
    guardian.snap("list-with-banner")
    guardian.assert_accessible()
    guardian.page.click(".news-card a")
    guardian.page.wait_for_load_state("networkidle")
    assert "le collège sera fermé" in guardian.page.locator(".news-detail__body").inner_text()
    assert NewsRead.objects.filter(news=news, person=world.guardian).exists()
    guardian.snap("detail")
    guardian.assert_accessible()
    guardian.page.click("#news-flash button[type=submit]")
    guardian.page.locator("#news-flash [role=alert]").wait_for(state="detached")
    assert FlashDismissal.objects.filter(news=news, person=world.guardian).exists()
    guardian.goto("/news/")
    assert guardian.page.locator("#news-flash [role=alert]").count() == 0
    guardian.snap("dismissed")

    # Another guardian of the school still sees it; a teacher does not.
    other = browser_for("news-guardian-b")
    other.login(world.guardian_b.login, TEST_PASSWORD)
    other.goto("/")
    other.page.locator("#news-flash [role=alert]").wait_for()
    teacher = browser_for("news-teacher")
    teacher.login(world.teacher.login, TEST_PASSWORD)
    teacher.goto("/")
    assert teacher.page.locator("#news-flash [role=alert]").count() == 0
