import pytest

from preau.core.audit import record_audit
from preau.core.models import AuditEntry


@pytest.mark.django_db
def test_unknown_host_gets_a_clear_404(client, world):
    response = client.get("/", HTTP_HOST="nowhere.example")
    assert response.status_code == 404
    assert "ne correspond à aucun ENT" in response.content.decode()


def test_session_of_another_tenant_is_not_honoured(world, client_for):
    client = client_for(world.foreign_admin)
    response = client.get("/accounts/sessions/", HTTP_HOST="testserver")
    assert response.wsgi_request.user.is_authenticated is False


def test_record_audit_writes_who_what_on_whom(world):
    from preau.directory.queries import build_actor

    actor = build_actor(world.admin, tenant=world.tenant)
    entry = record_audit(
        actor=actor,
        action="person.block",
        target=world.pupil,
        subject=world.pupil,
        school=world.school,
    )
    assert AuditEntry.objects.get() == entry
    assert entry.tenant_id == world.tenant.pk
    assert entry.actor_name == "Alice Girard"
    assert entry.target_type == "directory.person"
