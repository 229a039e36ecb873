"""The S3 path against a real S3-compatible server on loopback (moto's server mode), through
django-storages: upload, download (streamed and by signed URL), zip, delete."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
import requests

from preau.documents import actions
from preau.documents.models import Document
from preau.documents.tests.conftest import upload
from preau.documents.tests.factories import actor, document, folder, space_of

pytestmark = pytest.mark.django_db

BUCKET = "preau-test"


@pytest.fixture(scope="module")
def moto_server() -> Any:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(settings: Any, moto_server: str) -> Any:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=moto_server,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": moto_server,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client: Any) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_upload_download_zip_and_delete_through_s3(
    world, client_for, s3, settings, django_capture_on_commit_callbacks
):
    s = space_of(world, "class")
    top = folder(world.teacher, s, "Cours")
    sub = folder(world.teacher, s, "TD", parent=top)
    d = document(world.teacher, s, top, name="plan.txt", content=b"Plan du cours")
    document(world.teacher, s, sub, name="td1.txt", content=b"TD 1")
    stored = keys(s3)
    assert len(stored) == 2
    assert all(k.startswith(f"documents/{world.tenant.pk}/") for k in stored)

    c = client_for(world.pupil)
    streamed = c.get(f"/documents/files/{d.pk}/download")
    assert b"".join(streamed.streaming_content) == b"Plan du cours"

    settings.PREAU_DOCUMENT_DOWNLOADS = "redirect"
    redirected = c.get(f"/documents/files/{d.pk}/download")
    assert redirected.status_code == 302
    signed = redirected["Location"]
    assert "Signature" in signed or "X-Amz-Signature" in signed
    fetched = requests.get(signed, timeout=10)
    assert fetched.content == b"Plan du cours"
    assert fetched.headers["Content-Disposition"].startswith("attachment")

    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(c.get(f"/documents/folders/{top.pk}/zip").streaming_content))
    )
    assert sorted(archive.namelist()) == ["TD/", "TD/td1.txt", "plan.txt"]

    with django_capture_on_commit_callbacks(execute=True):
        actions.trash_item(actor=actor(world.admin), item=top)
        actions.empty_trash(actor=actor(world.admin), space=s)
    assert not Document.objects.exists()
    assert keys(s3) == []


def test_a_refused_upload_leaves_nothing_in_the_bucket(world, s3):
    world.tenant.options = {"documents_quota_teacher": 3}
    world.tenant.save()
    s = space_of(world, "personal")
    with pytest.raises(Exception):  # noqa: B017, PT011 - the quota's ValidationError
        actions.upload_documents(
            actor=actor(world.teacher), space=s, folder=None, uploads=[upload("a.txt", b"1234")]
        )
    assert keys(s3) == []


def test_accel_mode_hands_the_file_to_the_proxy(world, client_for, settings):
    settings.PREAU_DOCUMENT_DOWNLOADS = "accel"
    d = document(world.teacher, space_of(world, "personal"), content=b"x")
    response = client_for(world.teacher).get(f"/documents/files/{d.pk}/download")
    assert response["X-Accel-Redirect"] == "/protected/" + d.current_version.file.name
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment")
