"""The timetable and notebook API for the mobile app: my week, my child's, to-do, done marks;
someone else's answers 404 and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from preau.homework import actions
from preau.homework.models import Done
from preau.timetable.tests.factories import actor, course, slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def set_work(world):
    maths = course(world)
    slot(maths, 1, "08:00", "09:00")
    return actions.set_homework(
        actor=actor(world.teacher),
        course=maths,
        instructions="<p>Exercice 3</p>",
        due_on=timezone.localdate() + dt.timedelta(days=1),
        estimated_minutes=10,
    )


def test_the_week_of_me_and_of_my_child(world, client_for, set_work):
    mine = client_for(world.pupil).get("/api/v1/timetable/week?day=2026-12-02").json()
    assert mine["monday"] == "2026-11-30"
    assert [(x["date"], x["starts_at"], x["subject"]) for x in mine["lessons"]] == [
        ("2026-11-30", "08:00:00", "Mathématiques")
    ]
    child = client_for(world.guardian).get(
        f"/api/v1/timetable/week?day=2026-12-02&person={world.pupil.pk}"
    )
    assert child.json()["lessons"] == mine["lessons"]
    for who in (world.guardian_b, world.foreign_admin):
        answer = client_for(who).get(f"/api/v1/timetable/week?person={world.pupil.pk}")
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


def test_todo_and_done(world, client_for, set_work):
    pupil = client_for(world.pupil)
    todo = pupil.get("/api/v1/homework/todo").json()
    assert [(i["id"], i["is_done"]) for i in todo["items"]] == [(set_work.pk, False)]
    answer = pupil.post(
        f"/api/v1/homework/{set_work.pk}/done", {"done": True}, content_type="application/json"
    )
    assert (answer.status_code, answer.json()["is_done"]) == (200, True)
    assert (
        client_for(world.guardian)
        .get(f"/api/v1/homework/todo?child={world.pupil.pk}")
        .json()["items"][0]["is_done"]
        is True
    )
    for who in (world.pupil_b, world.guardian, world.foreign_admin):
        refused = client_for(who).post(
            f"/api/v1/homework/{set_work.pk}/done", {"done": False}, content_type="application/json"
        )
        assert refused.status_code == 404
    assert Done.objects.count() == 1
    assert (
        client_for(world.guardian_b)
        .get(f"/api/v1/homework/todo?child={world.pupil.pk}")
        .status_code
        == 404
    )
