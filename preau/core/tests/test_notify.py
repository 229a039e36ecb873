import pytest

from preau.core.models import Notification
from preau.core.notify import notify
from preau.directory.models import Audience, AudienceTarget
from preau.directory.queries import build_actor


def test_notify_people_writes_one_row_each_and_skips_the_actor(world):
    actor = build_actor(world.teacher, tenant=world.tenant)
    rows = notify(
        [world.pupil, world.pupil2, world.teacher],
        kind="homework.new",
        obj=world.class_a,
        actor=actor,
        text="Exercices p. 42",
    )
    assert {n.recipient_id for n in rows} == {world.pupil.pk, world.pupil2.pk}
    assert Notification.objects.count() == 2
    row = Notification.objects.first()
    assert (row.object_type, row.object_id) == ("directory.schoolclass", str(world.class_a.pk))


def test_notify_audience_writes_a_single_row(world):
    actor = build_actor(world.director, tenant=world.tenant)
    audience = Audience.objects.create(tenant=world.tenant, label="Parents de 6e A")
    AudienceTarget.objects.create(
        tenant=world.tenant,
        audience=audience,
        kind=AudienceTarget.Kind.CLASS_GUARDIANS,
        school_class=world.class_a,
    )
    rows = notify(audience, kind="news.published", obj=None, actor=actor)
    assert len(rows) == 1
    assert Notification.objects.get().audience_id == audience.pk


def test_notify_never_crosses_tenants(world):
    actor = build_actor(world.teacher, tenant=world.tenant)
    assert notify([world.foreign_pupil], kind="x", obj=None, actor=actor) == []
    foreign_audience = Audience.objects.create(tenant=world.other_tenant)
    with pytest.raises(ValueError, match="another tenant"):
        notify(foreign_audience, kind="x", obj=None, actor=actor)
    assert not Notification.objects.exists()


def test_deliverers_get_the_new_ids_after_the_commit_only(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from preau.core import notify as notify_module

    calls: list[list[int]] = []
    monkeypatch.setattr(notify_module, "DELIVERERS", [calls.append])
    actor = build_actor(world.teacher, tenant=world.tenant)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = notify([world.pupil, world.pupil2], kind="homework.new", obj=None, actor=actor)
    assert calls == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert calls == [[n.pk for n in rows]]


def test_nothing_stored_means_no_delivery(world, monkeypatch, django_capture_on_commit_callbacks):
    from preau.core import notify as notify_module

    calls: list[list[int]] = []
    monkeypatch.setattr(notify_module, "DELIVERERS", [calls.append])
    actor = build_actor(world.teacher, tenant=world.tenant)
    with django_capture_on_commit_callbacks(execute=True):
        notify([world.teacher], kind="homework.new", obj=None, actor=actor)
    assert calls == []
