"""Benchmark: documents — the query count of a folder page with 1,000 files (fixed), and the
throughput and memory of a streamed download and of a streamed folder zip.

    .venv/bin/python bench/documents.py                    # SQLite in a temporary folder
    .venv/bin/python bench/documents.py --mib 512 --files 2000
    .venv/bin/python bench/documents.py --database-url postgres://postgres@127.0.0.1:5432/preau_bench_documents

Steps, all in this process, in a fresh temporary folder (database, media, keys): migrate, build
a tenant with one school, one class, its teacher; open the class space; bulk-insert 10, then
--files documents in one folder; then, through Django's request handler with a logged-in
session (the test client: the whole middleware stack, no network):

- GET the folder page and GET /api/v1/documents/spaces/<id>/files?folder=: SQL statements of
  one request with 10 files and with --files files (they must be equal), median time of 20;
- GET /documents/files/<id>/download of a --mib MiB file: wall time, MiB/s, and the peak of
  Python allocations during the download (tracemalloc) — streaming keeps it to a few chunks;
- GET /documents/folders/<id>/zip of two folders of --zip-files files of --zip-mib MiB each
  (half in a sub-folder): random bytes typed octet-stream (deflated, level 1) and typed
  video/mp4 (stored as they are): the same three figures.

Exits 1 when the query counts differ or a peak exceeds 16 MiB (something held a whole file).
A PostgreSQL --database-url is dropped and created: its name must contain "bench".
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "documents.bench.test"
PEAK_MAX_MIB = 16
CHUNK = 1024 * 1024


def setup(work: Path, database_url: str | None) -> None:
    os.environ["PREAU_VAR_DIR"] = str(work)
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    sys.path.insert(0, str(ROOT))
    if database_url and database_url.startswith("postgres"):
        if "bench" not in database_url.rsplit("/", 1)[-1]:
            raise SystemExit("the benchmark database's name must contain 'bench'")
        import psycopg

        base, name = database_url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(files: int) -> dict[str, Any]:
    from preau.directory.models import Membership, Profile, TeachingAssignment
    from preau.directory.queries import build_actor
    from preau.directory.tests import factories as f
    from preau.documents import actions
    from preau.documents.models import Document

    tenant = f.TenantFactory(name="Bench", slug="bench-documents")
    f.TenantHostFactory(tenant=tenant, host=HOST)
    year = f.SchoolYearFactory(tenant=tenant)
    school = f.SchoolFactory(tenant=tenant, name="Collège Bench")
    school_class = f.SchoolClassFactory(school=school, year=year, code="6A", name="6e A")
    subject = f.SubjectFactory(tenant=tenant, code="061300", label="Mathématiques")
    teacher = f.PersonFactory(tenant=tenant, first_name="Paul", last_name="Durand")
    Membership.objects.create(
        tenant=tenant, person=teacher, school=school, year=year, profile=Profile.TEACHER
    )
    TeachingAssignment.objects.create(
        tenant=tenant,
        teacher=teacher,
        school=school,
        year=year,
        school_class=school_class,
        subject=subject,
    )
    actor = build_actor(teacher, tenant=tenant)
    space = actions.open_space(actor=actor, kind="class", ref_id=school_class.pk)
    small = actions.create_folder(actor=actor, space=space, parent=None, name="Petit")
    big = actions.create_folder(actor=actor, space=space, parent=None, name="Grand")
    for folder, n in ((small, 10), (big, files)):
        Document.objects.bulk_create(
            [
                Document(
                    tenant=tenant,
                    space=space,
                    folder=folder,
                    name=f"fichier-{i:05d}.pdf",
                    owner=teacher,
                    size=1000 + i,
                    content_type="application/pdf",
                )
                for i in range(n)
            ],
            batch_size=1000,
        )
    return {
        "tenant": tenant,
        "teacher": teacher,
        "actor": actor,
        "space": space,
        "small": small,
        "big": big,
    }


def stored_document(
    world: dict[str, Any],
    folder: Any,
    name: str,
    mib: int,
    content_type: str = "application/octet-stream",
) -> Any:
    """A document whose current version is a `mib` MiB file written to storage in chunks."""
    import hashlib

    from django.core.files import File

    from preau.documents.models import Document, Version

    path = Path(os.environ["PREAU_VAR_DIR"]) / f"{name}.bin"
    block = os.urandom(CHUNK)
    sha = hashlib.sha256()
    with path.open("wb") as out:
        for _ in range(mib):
            out.write(block)
            sha.update(block)
    document = Document.objects.create(
        tenant=world["tenant"],
        space=world["space"],
        folder=folder,
        name=name,
        owner=world["teacher"],
    )
    version = Version(
        tenant=world["tenant"],
        document=document,
        number=1,
        size=mib * CHUNK,
        sha256=sha.hexdigest(),
        content_type=content_type,
        uploaded_by=world["teacher"],
    )
    with path.open("rb") as content:
        version.file.save(name, File(content), save=False)
    version.save()
    path.unlink()
    Document.objects.filter(pk=document.pk).update(
        current_version=version, size=version.size, content_type=version.content_type
    )
    return document


def actions_folder(world: dict[str, Any], parent: Any, name: str) -> Any:
    from preau.documents import actions

    return actions.create_folder(
        actor=world["actor"], space=world["space"], parent=parent, name=name
    )


def count_and_time(client: Any, url: str) -> tuple[int, float]:
    from django.db import connection

    statements: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    client.get(url)
    # An execute wrapper, not connection.queries: request_started resets that log.
    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(20):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return len(statements), statistics.median(times) * 1000


def stream(client: Any, url: str) -> tuple[int, float, float]:
    """Bytes received, seconds, peak MiB of Python allocations while streaming."""
    tracemalloc.start()
    start = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    received = sum(len(chunk) for chunk in response.streaming_content)
    seconds = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    response.close()
    return received, seconds, peak / CHUNK


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--mib", type=int, default=256, help="size of the downloaded file")
    parser.add_argument("--zip-files", type=int, default=8)
    parser.add_argument("--zip-mib", type=int, default=32)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="preau-bench-documents-") as tmp:
        setup(Path(tmp), args.database_url)
        from django.db import connection
        from django.test import Client

        world = build(args.files)
        client = Client(HTTP_HOST=HOST)
        client.force_login(world["teacher"])
        space, small, big = world["space"], world["small"], world["big"]
        rows = []
        for label, url in (
            ("folder page", "/documents/folders/{}/"),
            ("API folder listing", f"/api/v1/documents/spaces/{space.pk}/files?folder={{}}"),
        ):
            q_small, ms_small = count_and_time(client, url.format(small.pk))
            q_big, ms_big = count_and_time(client, url.format(big.pk))
            rows.append((label, q_small, ms_small, q_big, ms_big))
        download = stored_document(world, small, "video.bin", args.mib)
        got, seconds, peak_download = stream(client, f"/documents/files/{download.pk}/download")
        assert got == args.mib * CHUNK
        zips = []
        for kind, content_type in (
            ("deflated", "application/octet-stream"),
            ("stored (video/mp4)", "video/mp4"),
        ):
            top = actions_folder(world, None, f"Archive {kind}")
            sub = actions_folder(world, top, "Sous-dossier")
            for i in range(args.zip_files):
                stored_document(
                    world, sub if i % 2 else top, f"part-{i}.bin", args.zip_mib, content_type
                )
            zips.append((kind, *stream(client, f"/documents/folders/{top.pk}/zip")))
        vendor = connection.vendor
    n = args.files
    print(f"# Documents benchmark ({vendor}, {os.cpu_count()} cores)\n")
    print(f"| request | SQL, 10 files | ms, 10 files | SQL, {n} files | ms, {n} files |")
    print("|---|---|---|---|---|")
    for label, q1, ms1, q2, ms2 in rows:
        print(f"| {label} | {q1} | {ms1:.1f} | {q2} | {ms2:.1f} |")
    print()
    print("| transfer | size | seconds | MiB/s | peak Python allocations |")
    print("|---|---|---|---|---|")
    rate = got / CHUNK / seconds
    print(f"| download | {args.mib} MiB | {seconds:.2f} | {rate:.0f} | {peak_download:.2f} MiB |")
    for kind, zgot, zseconds, peak_zip in zips:
        out_mib = zgot / CHUNK
        label = f"folder zip, {kind} ({args.zip_files} x {args.zip_mib} MiB)"
        print(
            f"| {label} | {out_mib:.0f} MiB out | {zseconds:.2f} | {out_mib / zseconds:.0f} "
            f"| {peak_zip:.2f} MiB |"
        )
    failed = (
        any(q1 != q2 for _l, q1, _a, q2, _b in rows)
        or max(peak_download, *(z[3] for z in zips)) > PEAK_MAX_MIB
    )
    if failed:
        print("\nTARGET MISSED: the query counts differ or a transfer held too much memory.")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
