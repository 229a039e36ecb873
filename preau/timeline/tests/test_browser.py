"""The timeline in Chromium: a guardian sees a school announcement in the home page's
"What's new" and on the feed, opens it, then sets her delivery preferences. axe-core on the
feed and the preferences page."""

from __future__ import annotations

import pytest

from preau.directory.tests.factories import TEST_PASSWORD
from preau.timeline.models import Preference, Seen
from preau.timeline.tests.conftest import audience, post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_guardian_reads_what_s_new_and_sets_her_preferences(world, browser_for):
    guardians = audience(world.tenant, "class_guardians", school_class=world.class_a)
    item = post(
        world.director,
        guardians,
        text="Sortie au musée jeudi : autorisation à signer",
        url="/profile/",
    )
    post(
        world.director, audience(world.tenant, "school", school=world.other_school), text="Ailleurs"
    )

    guardian = browser_for("timeline-guardian")
    guardian.login(world.guardian.login, TEST_PASSWORD)
    guardian.goto("/")
    guardian.page.wait_for_selector("#whats-new-items")
    news = guardian.page.locator("#whats-new .timeline__item")
    assert news.count() == 1
    assert "Sortie au musée jeudi" in news.first.inner_text()
    assert guardian.page.locator("#timeline-badge").inner_text().startswith("1")
    guardian.snap("home")

    guardian.page.click("#whats-new a:has-text('See everything'), #whats-new a[href='/timeline/']")
    guardian.page.wait_for_load_state("networkidle")
    assert guardian.page.url.endswith("/timeline/")
    assert guardian.page.locator(".timeline__item--unread").count() == 1
    assert "Ailleurs" not in guardian.page.content()
    guardian.snap("feed")
    guardian.assert_accessible()

    guardian.page.click(f"#item-{item.pk} .timeline__text")
    guardian.page.wait_for_load_state("networkidle")
    assert guardian.page.url.endswith("/profile/")
    assert Seen.objects.filter(person=world.guardian, notification=item).exists()
    guardian.goto("/timeline/")
    assert guardian.page.locator(".timeline__item--unread").count() == 0

    guardian.goto("/timeline/preferences")
    assert world.guardian.email in guardian.page.inner_text("#email")
    guardian.snap("preferences")
    guardian.assert_accessible()
    guardian.page.check("input[name=news_mode][value=weekly]")
    guardian.page.uncheck("input[name=news_push]")
    guardian.page.click("main form.stack button[type=submit]")
    guardian.page.wait_for_load_state("networkidle")
    assert guardian.page.locator(".alert--success").count() == 1
    assert guardian.page.is_checked("input[name=news_mode][value=weekly]")
    guardian.snap("preferences-saved")
    guardian.assert_accessible()
    stored = Preference.objects.get(person=world.guardian, group="news")
    assert (stored.mode, stored.push) == ("weekly", False)


def test_more_appends_the_next_page_in_place(world, browser_for):
    school = audience(world.tenant, "school", school=world.school)
    for i in range(25):
        post(world.director, school, text=f"Information {i:02d}")
    pupil = browser_for("timeline-more")
    pupil.login(world.pupil.login, TEST_PASSWORD)
    pupil.goto("/timeline/?app=news")
    items = pupil.page.locator("#timeline-items .timeline__item")
    assert items.count() == 20
    pupil.page.click("#timeline-more a")
    pupil.page.wait_for_selector("#timeline-items .timeline__item >> nth=24")
    assert items.count() == 25
    assert pupil.page.locator("#timeline-more").count() == 0
    assert pupil.page.url.endswith("/timeline/?app=news")  # swapped in place, no navigation
    assert "Information 00" in items.nth(24).inner_text()
    pupil.snap("more")
    pupil.assert_accessible()
