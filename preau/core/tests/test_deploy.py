"""deploy/ and docs/deploy.md stay true: every variable the settings read is in the
environment reference, and nginx's limits and locations match the settings."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
DEPLOY = BASE_DIR / "deploy"
MIB = 1024 * 1024
READS = re.compile(
    r"""(?:os\.environ\.get|env_bool|env_list)\(\s*"([A-Z0-9_]+)"|os\.environ\["([A-Z0-9_]+)"\]"""
)


def variables_read_by_settings() -> set[str]:
    text = (BASE_DIR / "config" / "settings.py").read_text()
    return {a or b for a, b in READS.findall(text)}


def documented_variables() -> set[str]:
    text = (BASE_DIR / "docs" / "deploy.md").read_text()
    return set(re.findall(r"^\| `([A-Z0-9_]+)` \|", text, flags=re.MULTILINE))


def test_the_environment_reference_lists_every_variable_the_settings_read():
    read = variables_read_by_settings()
    assert len(read) > 60  # the pattern still finds them
    missing = read - documented_variables()
    assert not missing, f"add to docs/deploy.md's environment reference: {sorted(missing)}"


def test_the_example_environment_names_only_documented_variables():
    example = (DEPLOY / "preau.env.example").read_text()
    names = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert names
    assert not names - documented_variables()


def nginx() -> str:
    return (DEPLOY / "nginx" / "preau.conf").read_text()


def body_limits() -> list[int]:
    return [int(m) for m in re.findall(r"client_max_body_size (\d+)m;", nginx())]


def test_the_nginx_upload_limits_match_the_settings():
    general, imports = body_limits()
    # One document per request plus 1 MiB of form encoding: the app, not nginx, refuses a
    # file just over the limit, with its own clear message.
    assert general * MIB == settings.PREAU_DOCUMENT_MAX_BYTES + MIB
    assert general * MIB > settings.PREAU_ATTACHMENTS_MAX * settings.PREAU_ATTACHMENT_MAX_BYTES
    assert imports * MIB == settings.PREAU_IMPORT_MAX_BYTES + MIB


def test_nginx_hands_over_protected_downloads_and_what_admission_needs():
    conf = nginx()
    assert f"location {settings.PREAU_DOCUMENT_ACCEL_PREFIX} {{\n        internal;" in conf
    assert f"alias {Path('/srv/preau/var/media')}/;" in conf
    proxy = (DEPLOY / "nginx" / "preau-proxy.conf").read_text()
    assert 'proxy_set_header X-Request-Start "t=${msec}";' in proxy
    assert "proxy_set_header X-Request-Id $request_id;" in proxy
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in proxy
    assert settings.STATIC_URL == "/static/"
    assert "location = /metrics { return 404; }" in conf


def test_the_process_definitions_name_the_real_entry_points():
    procfile = (DEPLOY / "Procfile").read_text()
    units = {p.name: p.read_text() for p in (DEPLOY / "systemd").glob("*.service")}
    assert set(units) == {
        "preau-web.service",
        "preau-worker.service",
        "preau-scheduler.service",
        "preau-release.service",
    }
    for text in (procfile, units["preau-web.service"]):
        assert settings.WSGI_APPLICATION.replace(".application", ":application") in text
    assert "celery -A config worker" in procfile
    assert "celery -A config beat" in procfile
    assert "config worker" in units["preau-worker.service"]
    assert "config beat" in units["preau-scheduler.service"]
    assert "migrate --noinput" in units["preau-release.service"]
    assert "collectstatic --noinput" in units["preau-release.service"]
    assert "PROMETHEUS_MULTIPROC_DIR" in units["preau-web.service"]
