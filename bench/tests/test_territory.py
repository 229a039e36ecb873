r"""The territory generator on a tiny set: deterministic, and what the Monday pages read exists.

PostgreSQL only (it writes with COPY):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/preau_gen \
        .venv/bin/pytest bench/tests -q -p no:xdist
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

BENCH = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BENCH))

pytestmark = pytest.mark.django_db

TABLES = (
    "timetable_course", "timetable_slot", "messaging_message", "messaging_delivery",
    "core_notification", "news_news", "homework_lessonlog", "homework_homework",
    "documents_document", "directory_audiencetarget",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the territory generator writes with COPY: run it on PostgreSQL (DATABASE_URL)")


def territory(slug: str, folder: Path, media: Path, seed: int) -> int:
    import setup_tenant
    import territory
    import territory_data

    from preau.core.models import Tenant

    assert setup_tenant.main(["--slug", slug]) == 0
    call_command("import", "aaf", str(folder), "--tenant", slug, stdout=open("/dev/null", "w"))  # noqa: SIM115
    tenant = Tenant.objects.get(slug=slug)
    territory.populate(tenant.pk, seed=seed, today=timezone.localdate(), media=media, phases={})
    assert territory_data.checksum(tenant.pk)
    return tenant.pk


def counts(tenant_id: int) -> dict[str, int]:
    with connection.cursor() as cur:
        out = {}
        for table in TABLES:
            cur.execute(f"SELECT count(*) FROM {table} WHERE tenant_id = %s", [tenant_id])  # noqa: S608
            out[table] = cur.fetchone()[0]
    return out


def test_same_seed_same_territory_and_invariants(tmp_path: Path) -> None:
    import aaf_generate
    import territory_data

    from preau.directory.models import GuardianLink, Membership, Person, SchoolClass
    from preau.directory.queries import build_actor
    from preau.homework.queries import children_of, todo_for
    from preau.timetable.models import Slot

    aaf_generate.generate(tmp_path / "set", people=300, seed=3, school_count=1)
    first = territory("gen-a", tmp_path / "set", tmp_path / "media", seed=5)
    second = territory("gen-b", tmp_path / "set", tmp_path / "media", seed=5)
    third = territory("gen-c", tmp_path / "set", tmp_path / "media", seed=6)
    assert counts(first) == counts(second)
    assert all(n > 0 for n in counts(first).values()), counts(first)
    assert territory_data.checksum(first) == territory_data.checksum(second)
    assert territory_data.checksum(first) != territory_data.checksum(third)

    today = timezone.localdate()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM directory_membership m WHERE m.tenant_id = %s AND "
            "m.profile = 'pupil' AND NOT EXISTS (SELECT 1 FROM messaging_delivery d "
            "WHERE d.recipient_id = m.person_id)",
            [first],
        )
        assert cur.fetchone()[0] == 0, "a pupil without messages"
        cur.execute(
            "SELECT avg((read_at IS NULL)::int) FROM messaging_delivery WHERE tenant_id = %s",
            [first],
        )
        assert 0.02 < cur.fetchone()[0] < 0.3
    for klass in SchoolClass.objects.filter(tenant_id=first):
        assert Slot.objects.filter(course__school_class=klass).exists(), klass
    assert Membership.objects.filter(tenant_id=first, profile="pupil").count() > 100
    link = GuardianLink.objects.filter(tenant_id=first, level=1).order_by("pk").first()
    guardian = Person.objects.get(pk=link.guardian_id)
    actor = build_actor(guardian, tenant=guardian.tenant)
    children = list(children_of(actor))
    assert children
    due = [h for child in children for h in todo_for(child, since=today)]
    assert any(h.due_on > today for h in due), "no homework due for a guardian's children"
    assert Person.objects.get(pk=link.pupil_id).check_password(territory_data.PASSWORD)
