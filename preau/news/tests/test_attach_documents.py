"""Attaching files of the documents workspace to a news item ("Attach from my documents"): a
readable document becomes a copy attached to the news; someone else's, another tenant's or an
unknown id attaches nothing and saves nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from preau.directory.queries import build_actor
from preau.documents import actions as documents
from preau.news.models import News, NewsFile
from preau.news.tests.factories import draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


def my_document(person: Any, name: str = "menu.pdf", content: bytes = b"%PDF-1.4 menu") -> Any:
    actor = build_actor(person, tenant=person.tenant)
    space = documents.open_space(actor=actor, kind="personal")
    return documents.upload_documents(
        actor=actor,
        space=space,
        folder=None,
        uploads=[SimpleUploadedFile(name, content, content_type="application/pdf")],
    )[0]


def guardians(world: Any) -> str:
    return f"profile:{world.school.pk}:guardian"


def test_the_editor_offers_my_recent_documents(world, client_for):
    mine = my_document(world.director, "menu.pdf")
    theirs = my_document(world.staff, "secret.pdf")
    page = client_for(world.director).get("/news/new")
    html = page.content.decode()
    assert "Joindre depuis mes documents" in html
    assert f'value="{mine.pk}"' in html
    assert "secret.pdf" not in html
    assert f'value="{theirs.pk}"' not in html


def test_a_readable_document_is_attached_as_a_copy(world, client_for):
    doc = my_document(world.director, "menu.pdf", b"%PDF-1.4 menu de la semaine")
    response = client_for(world.director).post(
        "/news/new",
        {
            "title": "Menu de la cantine",
            "body": "<p>Voici le menu.</p>",
            "targets": [guardians(world)],
            "documents": [doc.pk],
            "publish": "1",
        },
    )
    news = News.objects.get()
    assert response["Location"] == f"/news/{news.pk}/"
    [attached] = NewsFile.objects.filter(news=news)
    assert (attached.kind, attached.name, attached.size) == (
        NewsFile.Kind.ATTACHMENT,
        "menu.pdf",
        len(b"%PDF-1.4 menu de la semaine"),
    )
    with attached.file.open("rb") as content:
        assert content.read() == b"%PDF-1.4 menu de la semaine"
    # its own stored copy: the news keeps it when the document is trashed and purged
    assert attached.file.name != doc.current_version.file.name
    download = client_for(world.guardian).get(f"/news/files/{attached.pk}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 menu de la semaine"


def test_attaching_to_an_existing_draft(world, client_for):
    news = draft(world.staff, guardians(world))
    doc = my_document(world.staff, "horaires.pdf")
    response = client_for(world.staff).post(
        f"/news/{news.pk}/edit",
        {
            "title": news.title,
            "body": news.body_html,
            "targets": [guardians(world)],
            "documents": [doc.pk],
            "save": "1",
        },
    )
    assert response["Location"] == f"/news/{news.pk}/edit"
    assert list(NewsFile.objects.filter(news=news).values_list("name", flat=True)) == [
        "horaires.pdf"
    ]


@pytest.mark.parametrize("whose", ["staff", "foreign_admin", "missing"])
def test_someone_else_s_another_tenant_s_or_an_unknown_document_attaches_nothing(
    world, client_for, whose
):
    my_document(world.director, "mine.pdf")
    doc_id = 999999 if whose == "missing" else my_document(getattr(world, whose), "theirs.pdf").pk
    response = client_for(world.director).post(
        "/news/new",
        {
            "title": "Menu",
            "body": "<p>Menu</p>",
            "targets": [guardians(world)],
            "documents": [doc_id],
            "publish": "1",
        },
    )
    assert response.status_code in {200, 404}
    if response.status_code == 200:  # the form says which choice is refused, keeps the rest
        assert response.context["form"].errors["documents"]
        assert 'value="Menu"' in response.content.decode()
    assert not News.objects.exists()
    assert not NewsFile.objects.exists()


def test_a_document_in_the_trash_attaches_nothing(world, client_for):
    doc = my_document(world.director, "old.pdf")
    documents.trash_item(actor=build_actor(world.director, tenant=world.tenant), item=doc)
    response = client_for(world.director).post(
        "/news/new",
        {"title": "Menu", "targets": [guardians(world)], "documents": [doc.pk], "save": "1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["documents"]
    assert not News.objects.exists()
