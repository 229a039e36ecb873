"""AAF: a complete set, its re-import, a preview, people leaving and moving, deltas, errors and
isolation — all from the hand-written set in fixtures/aaf/complet (two schools of the académie
de Lyon: the Collège Jean Moulin 0691234S and the Lycée Ampère 0692345Z)."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from preau.directory import models as m
from preau.directory.tests import factories as f
from preau.directory.tests.feeds_helpers import (
    FIXTURES,
    copy_set,
    directory_state,
    row_counts,
    run_import,
)

SET = FIXTURES / "aaf" / "complet"
DATE = "20260905"
COLLEGE, LYCEE = "0691234S", "0692345Z"


def files(folder: Path = SET) -> list[Path]:
    return sorted(folder.iterdir())


def person(key: str) -> m.Person:
    return m.Person.objects.get(external_id=key)


def places(key: str) -> set[tuple[str, str, str | None]]:
    return {
        (ms.school.uai, ms.profile, ms.school_class.code if ms.school_class else None)
        for ms in m.Membership.objects.filter(person__external_id=key).select_related(
            "school", "school_class"
        )
    }


def links(key: str) -> dict[str, int]:
    return dict(
        m.GuardianLink.objects.filter(pupil__external_id=key).values_list(
            "guardian__external_id", "level"
        )
    )


def replace_in(path: Path, old: str, new: str, encoding: str = "utf-8") -> None:
    text = path.read_text(encoding)
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new), encoding)


def drop_request(path: Path, key: str, encoding: str = "utf-8") -> None:
    """Remove the addRequest whose identifier is `key` from an AAF file."""
    text = path.read_text(encoding)
    start = text.index(f"<identifier><id>{key}</id></identifier>")
    start = text.rindex("<addRequest>", 0, start)
    end = text.index("</addRequest>", start) + len("</addRequest>")
    path.write_text(text[:start] + text[end:], encoding)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def imported(world: Any) -> m.ImportJob:
    job = run_import(world.operator, "aaf", files())
    assert job.status == m.ImportJob.Status.APPLIED, job.errors
    return job


def test_complete_set_creates_schools_classes_and_subjects(imported: m.ImportJob) -> None:
    college = m.School.objects.get(uai=COLLEGE)
    assert (college.name, college.kind, college.city, college.external_id) == (
        "Collège Jean Moulin",
        m.School.Kind.COLLEGE,
        "Villeurbanne",
        "1000001",
    )
    assert m.School.objects.get(uai=LYCEE).kind == m.School.Kind.LYCEE
    assert set(college.classes.values_list("code", "name")) == {
        ("6A", "6e A"),
        ("6B", "6e B"),
        ("3B", "3e B"),
    }
    assert set(college.groups.values_list("code", "kind")) == {
        ("LAT5", "teaching"),
        ("ESP3", "teaching"),
    }
    assert m.Subject.objects.get(code="022200").label == "LATIN"
    assert m.Level.objects.get(code="10010012110").label == "6EME"


def test_complete_set_creates_pupils_with_class_group_and_level(imported: m.ImportJob) -> None:
    ines = person("2000001")
    assert (ines.first_name, ines.last_name, ines.ine, ines.birth_date, ines.source) == (
        "Inès",
        "Rousseau",
        "1234567890A",
        dt.date(2015, 5, 4),
        "aaf",
    )
    assert places("2000001") == {(COLLEGE, "pupil", "6A")}
    assert set(ines.group_memberships.values_list("group__code", flat=True)) == {"LAT5"}
    assert places("2000002") == {(LYCEE, "pupil", "2ND1")}


def test_latin_9_page_is_decoded(imported: m.ImportJob) -> None:
    assert person("2000003").full_name == "François Lefèvre"
    assert person("2000004").last_name == "Bœuf"  # œ exists in ISO-8859-15, not in Latin-1


def test_teacher_in_two_schools_main_teacher_and_staff_functions(imported: m.ImportJob) -> None:
    assert places("3000001") == {(COLLEGE, "teacher", None), (LYCEE, "teacher", None)}
    assert set(
        m.TeachingAssignment.objects.filter(teacher__external_id="3000001").values_list(
            "school__uai", "school_class__code", "subject__code", "is_main"
        )
    ) == {
        (COLLEGE, "6A", "061300", True),
        (COLLEGE, "3B", "061300", False),
        (LYCEE, "2ND1", "061300", False),
    }
    assert set(
        m.TeachingAssignment.objects.filter(teacher__external_id="3000002").values_list(
            "school_class__code", "group__code", "subject__code"
        )
    ) == {("6B", None, "020100"), (None, "LAT5", "022200")}
    director = m.Membership.objects.get(person__external_id="3000003")
    assert (director.profile, director.functions) == ("staff", ["DIR"])
    assert m.Membership.objects.get(person__external_id="3000004").functions == ["EVS"]
    assert person("3000001").email == "isabelle.lemoine@ac-lyon.fr"


def test_guardians_links_and_memberships(imported: m.ImportJob) -> None:
    # Level 2 ("person in charge") is not imported unless the tenant asks for it: neither the
    # link nor the person in charge of no one else.
    assert links("2000001") == {"4000001": 1, "4000002": 1}
    assert not m.Person.objects.filter(external_id="4000003").exists()
    assert links("2000002") == {"4000001": 1}
    # A guardian of two children in two schools belongs to both as a guardian.
    assert places("4000001") == {(COLLEGE, "guardian", None), (LYCEE, "guardian", None)}
    claire = person("4000001")
    assert claire.address == "12 rue des Lilas, 69100 Villeurbanne"
    assert claire.phone == "0478000001"


def test_level_2_guardians_when_the_tenant_says_so(world: Any) -> None:
    world.tenant.options = {"import_guardian_level2": True}
    world.tenant.save()
    job = run_import(world.operator, "aaf", files())
    assert job.status == m.ImportJob.Status.APPLIED, job.errors
    assert links("2000001") == {"4000001": 1, "4000002": 1, "4000003": 2}
    assert places("4000003") == {(COLLEGE, "guardian", None)}


def test_report_counts_and_lines(imported: m.ImportJob) -> None:
    changes = imported.summary["changes"]
    assert changes["school"] == {"created": 2}
    assert changes["person"] == {"created": 11}
    assert changes["class"] == {"created": 5}
    assert changes["link"] == {"created": 5}
    line = imported.changes.get(kind="person", key="2000001")
    assert (line.action, line.label) == ("created", "ROUSSEAU Inès")
    assert imported.summary["total"] == imported.changes.count()


def test_reimporting_the_same_set_changes_nothing_and_says_so(imported: m.ImportJob) -> None:
    before = directory_state()
    again = run_import(imported.created_by, "aaf", files())
    assert again.status == m.ImportJob.Status.APPLIED
    assert again.summary["total"] == 0
    assert again.changes.count() == 0
    assert directory_state() == before


def test_preview_writes_nothing(world: Any) -> None:
    before = row_counts()
    job = run_import(world.operator, "aaf", files(), apply=False)
    assert job.status == m.ImportJob.Status.PREVIEWED
    assert job.summary["changes"]["person"] == {"created": 11}
    assert not job.summary["applied"]
    assert row_counts() == before


def test_pupil_leaving_is_pre_deleted_and_pupil_moving_school_is_moved(
    imported: m.ImportJob, tmp_path: Path
) -> None:
    folder = copy_set("aaf/complet", tmp_path / "week2")
    page = folder / f"ENT_0690000A_Complet_{DATE}_Eleve_0001.xml"
    drop_request(page, "2000004", "iso-8859-15")  # Zoé leaves
    replace_in(page, "1000001$3B", "1000002$2ND1", "iso-8859-15")  # François moves to the lycée
    replace_in(
        page,
        '<attr name="ENTEleveStructRattachId"><value>1000001</value></attr>\n'
        '      <attr name="ENTEleveMEF"><value>10310019110',
        '<attr name="ENTEleveStructRattachId"><value>1000002</value></attr>\n'
        '      <attr name="ENTEleveMEF"><value>10310019110',
        "iso-8859-15",
    )
    replace_in(page, "<value>1000001$ESP3</value>", "", "iso-8859-15")
    job = run_import(imported.created_by, "aaf", files(folder))
    assert job.status == m.ImportJob.Status.APPLIED, job.errors

    zoe = person("2000004")
    assert places("2000004") == set()
    assert zoe.is_blocked
    assert "no longer belong" in zoe.blocked_reason or "n'appartenez" in zoe.blocked_reason
    assert zoe.deletion_due_on == timezone.localdate() + dt.timedelta(days=92)
    assert links("2000004") == {}
    assert places("2000003") == {(LYCEE, "pupil", "2ND1")}
    assert not person("2000003").group_memberships.exists()
    # Their guardian follows her remaining child to the lycée.
    assert places("4000004") == {(LYCEE, "guardian", None)}
    assert not person("4000004").is_blocked
    lines = {(c.kind, c.action, c.key) for c in job.changes.all()}
    assert ("person", "deleted", "2000004") in lines
    assert ("membership", "moved", "2000003") in lines


def test_person_reappearing_is_unblocked(imported: m.ImportJob, tmp_path: Path) -> None:
    folder = copy_set("aaf/complet", tmp_path / "week2")
    drop_request(folder / f"ENT_0690000A_Complet_{DATE}_PersEducNat_0000.xml", "3000004")
    run_import(imported.created_by, "aaf", files(folder))
    assert person("3000004").is_blocked
    job = run_import(imported.created_by, "aaf", files())
    assert job.status == m.ImportJob.Status.APPLIED
    back = person("3000004")
    assert (back.is_blocked, back.deletion_due_on) == (False, None)
    assert places("3000004") == {(COLLEGE, "staff", None)}


def test_people_typed_by_hand_are_not_detached(imported: m.ImportJob, world: Any) -> None:
    college = m.School.objects.get(uai=COLLEGE)
    guest = f.PersonFactory(tenant=world.tenant, first_name="Anne", last_name="Invitée")
    m.Membership.objects.create(
        tenant=world.tenant, person=guest, school=college, year=world.year, profile="teacher"
    )
    run_import(imported.created_by, "aaf", files())
    assert m.Membership.objects.filter(person=guest).exists()


def test_delta_modify_delete_and_add(imported: m.ImportJob) -> None:
    delta = FIXTURES / "aaf" / "delta" / "ENT_0690000A_Delta_20260906_Eleve_0000.xml"
    job = run_import(imported.created_by, "aaf", [delta], complete=False)
    assert job.status == m.ImportJob.Status.APPLIED, job.errors
    ines = person("2000001")
    assert ines.last_name == "Rousseau-Diallo"
    assert ines.birth_date == dt.date(2015, 5, 4)  # not in the modification: kept
    assert places("2000001") == {(COLLEGE, "pupil", "6B")}
    # The groups were not in the modification: kept.
    assert set(ines.group_memberships.values_list("group__code", flat=True)) == {"LAT5"}
    assert places("2000002") == set()
    assert person("2000002").is_blocked
    assert places("2000009") == {(COLLEGE, "pupil", "6A")}
    # A delta does not reconcile: everyone else stays.
    assert places("2000003") == {(COLLEGE, "pupil", "3B")}
    update = job.changes.get(kind="person", key="2000001")
    assert update.details["last_name"] == ["Rousseau", "Rousseau-Diallo"]


# --- errors: each names the file and the line, and nothing is applied -------------------------


def _broken(tmp_path: Path, name: str, edit: Any) -> list[Path]:
    folder = copy_set("aaf/complet", tmp_path / "broken")
    edit(folder / f"ENT_0690000A_Complet_{DATE}_{name}")
    return files(folder)


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:900])


def _declare_utf8(path: Path) -> None:
    raw = path.read_bytes().replace(b'encoding="ISO-8859-15"', b'encoding="UTF-8"')
    path.write_bytes(raw)


@pytest.mark.parametrize(
    ("name", "edit", "line", "words"),
    [
        ("Eleve_0000.xml", _truncate, 17, "not well formed"),
        ("Eleve_0001.xml", _declare_utf8, 9, "encoding"),
        (
            "PersEducNat_0000.xml",
            lambda p: replace_in(p, "<value>PersEducNat</value>", "<value>Stagiaire</value>"),
            4,
            "Unknown category",
        ),
        (
            "PersRelEleve_0000.xml",
            lambda p: replace_in(
                p,
                "<identifier><id>4000002</id></identifier>\n    <attributes>\n"
                '      <attr name="ENTPersonJointure"><value>4000002</value></attr>',
                "<identifier></identifier>\n    <attributes>",
            ),
            20,
            "join key",
        ),
        (
            "Eleve_0000.xml",
            lambda p: replace_in(p, "1000001$6A", "1000001$6Z"),
            4,
            "6Z",
        ),
        (
            "Eleve_0000.xml",
            lambda p: replace_in(p, "<value>1000002$2ND1</value>", "<value>1009999$2ND1</value>"),
            20,
            "1009999",
        ),
    ],
    ids=["malformed", "wrong-encoding", "unknown-category", "no-join-key", "class", "structure"],
)
def test_errors_name_the_file_and_line_and_apply_nothing(
    world: Any, tmp_path: Path, name: str, edit: Any, line: int, words: str
) -> None:
    paths = _broken(tmp_path, name, edit)
    before = row_counts()
    with translation.override("en"):  # the messages below are asserted in English
        job = run_import(world.operator, "aaf", paths)
    assert job.status in {m.ImportJob.Status.FAILED, m.ImportJob.Status.PREVIEWED}
    assert not job.summary["applied"]
    assert row_counts() == before
    error = job.errors[0]
    assert error["file"] == f"ENT_0690000A_Complet_{DATE}_{name}"
    assert error["line"] == line, job.errors
    assert words.lower() in error["message"].lower(), error


def test_a_set_with_errors_cannot_be_applied(world: Any, tmp_path: Path) -> None:
    from django.core.exceptions import ValidationError

    from preau.directory import actions
    from preau.directory.queries import build_actor

    paths = _broken(tmp_path, "Eleve_0000.xml", lambda p: replace_in(p, "1000001$6A", "1000001$6Z"))
    job = run_import(world.operator, "aaf", paths, apply=False)
    actor = build_actor(world.operator, tenant=world.tenant)
    with pytest.raises(ValidationError):
        actions.apply_import(actor=actor, job=job, queue=False)


# --- who may import what --------------------------------------------------------------------


def test_school_administrator_may_not_import_aaf(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        run_import(world.admin, "aaf", files())
    assert not m.ImportJob.objects.exists()


def test_authority_admin_imports_into_their_schools_only(world: Any, tmp_path: Path) -> None:
    # The collège already exists in the directory, under another authority.
    elsewhere = f.AuthorityFactory(tenant=world.tenant, name="Autre département")
    college = f.SchoolFactory(tenant=world.tenant, uai=COLLEGE, name="Collège Jean Moulin")
    college.authorities.add(elsewhere)
    before = row_counts()
    job = run_import(world.authority_admin, "aaf", files())
    assert not job.summary["applied"]
    assert row_counts() == before
    assert any("0691234S" in e["message"] for e in job.errors), job.errors


def test_authority_admin_attaches_new_schools_to_their_authority(world: Any) -> None:
    job = run_import(world.authority_admin, "aaf", files())
    assert job.status == m.ImportJob.Status.APPLIED, job.errors
    assert set(m.School.objects.get(uai=LYCEE).authorities.all()) == {world.authority}


def test_two_imports_of_the_same_scope_never_run_at_once(world: Any) -> None:
    from preau.directory import actions
    from preau.directory.feeds.run import ImportBusyError, run_job
    from preau.directory.queries import build_actor

    first = run_import(world.operator, "aaf", files(), apply=False)
    m.ImportJob.objects.filter(pk=first.pk).update(
        status=m.ImportJob.Status.APPLYING, started_at=timezone.now()
    )
    actor = build_actor(world.operator, tenant=world.tenant)
    with (SET / f"ENT_0690000A_Complet_{DATE}_MefEducNat_0000.xml").open("rb") as fh:
        second = actions.start_import(
            actor=actor,
            format="aaf",
            files=[("ENT_X_Complet_20260905_MefEducNat_0000.xml", fh)],
            queue=False,
        )
    with pytest.raises(ImportBusyError):
        run_job(second.pk, apply=False)
    assert m.ImportJob.objects.get(pk=second.pk).status == m.ImportJob.Status.PENDING
    # A job whose process died long ago no longer holds the scope.
    m.ImportJob.objects.filter(pk=first.pk).update(
        started_at=timezone.now() - dt.timedelta(hours=3)
    )
    assert run_job(second.pk, apply=False).status == m.ImportJob.Status.PREVIEWED


def test_a_pre_deleted_person_is_told_why_on_login(
    imported: m.ImportJob, tmp_path: Path, client: Any
) -> None:
    from preau.directory.tests.factories import TEST_PASSWORD

    folder = copy_set("aaf/complet", tmp_path / "week2")
    drop_request(folder / f"ENT_0690000A_Complet_{DATE}_PersEducNat_0000.xml", "3000004")
    run_import(imported.created_by, "aaf", files(folder))
    leaver = person("3000004")
    leaver.set_password(TEST_PASSWORD)
    leaver.save()
    response = client.post(
        "/accounts/login/", {"identifier": leaver.login, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert "n'appartenez plus" in html.unescape(response.content.decode())


def test_a_person_typed_by_hand_is_proposed_as_a_duplicate(world: Any) -> None:
    # The collège exists, with a pupil typed by hand before the feed arrived.
    college = f.SchoolFactory(tenant=world.tenant, uai=COLLEGE, name="Collège Jean Moulin")
    college.authorities.add(world.authority)
    by_hand = f.PersonFactory(
        tenant=world.tenant,
        first_name="Inès",
        last_name="Rousseau",
        birth_date=dt.date(2015, 5, 4),
        login="ines.rousseau",
    )
    m.Membership.objects.create(
        tenant=world.tenant, person=by_hand, school=college, year=world.year, profile="pupil"
    )
    twin = f.PersonFactory(
        tenant=world.tenant,
        first_name="Zoé",
        last_name="Autre",
        ine="1234567893D",
        login="zoe.autre",
    )
    job = run_import(world.operator, "aaf", files())
    assert job.status == m.ImportJob.Status.APPLIED, job.errors
    candidates = {
        (c.existing_id, c.incoming.external_id, c.reason)
        for c in m.DuplicateCandidate.objects.select_related("incoming")
    }
    assert candidates == {(by_hand.pk, "2000001", "name_birth"), (twin.pk, "2000004", "ine")}
    # Never merged silently: both accounts exist, the hand-made one untouched.
    by_hand.refresh_from_db()
    assert (by_hand.external_id, by_hand.login) == ("", "ines.rousseau")
    assert person("2000001").pk != by_hand.pk
    assert job.changes.filter(action="duplicate").count() == 2


def test_retention_erases_the_leaver_after_the_grace_period(
    imported: m.ImportJob, tmp_path: Path
) -> None:
    from preau.directory.actions import erase_expired_people

    folder = copy_set("aaf/complet", tmp_path / "week2")
    drop_request(folder / f"ENT_0690000A_Complet_{DATE}_PersEducNat_0000.xml", "3000004")
    job = run_import(imported.created_by, "aaf", files(folder))
    due = person("3000004").deletion_due_on
    assert due is not None
    tenant = imported.tenant
    assert erase_expired_people(tenant=tenant, today=due - dt.timedelta(days=1)) == 0
    assert erase_expired_people(tenant=tenant, today=due) == 1
    assert not m.Person.objects.filter(external_id="3000004").exists()
    assert m.Person.objects.filter(source="aaf").count() == 10
    # The import reports keep their lines, not the person.
    assert not m.ImportChange.objects.filter(key="3000004").exists()
    assert not job.changes.filter(label__icontains="Chevalier").exists()


def test_a_pupil_given_a_new_join_key_is_found_by_ine(imported: m.ImportJob, tmp_path: Path):
    ines = person("2000001")
    folder = copy_set("aaf/complet", tmp_path / "week2")
    page = folder / f"ENT_0690000A_Complet_{DATE}_Eleve_0000.xml"
    replace_in(page, "2000001", "2900001")
    for name in ("PersRelEleve_0000.xml",):
        replace_in(folder / f"ENT_0690000A_Complet_{DATE}_{name}", "2000001", "2900001")
    job = run_import(imported.created_by, "aaf", files(folder))
    assert job.status == m.ImportJob.Status.APPLIED, job.errors
    rekeyed = m.Person.objects.get(pk=ines.pk)
    assert (rekeyed.external_id, rekeyed.login, rekeyed.is_blocked) == (
        "2900001",
        ines.login,
        False,
    )
    assert places("2900001") == {(COLLEGE, "pupil", "6A")}
    assert links("2900001") == {"4000001": 1, "4000002": 1}
    change = job.changes.get(kind="person", action="updated")
    assert change.details == {"external_id": ["2000001", "2900001"]}


def test_the_command_previews_with_dry_run_then_applies(world: Any, capsys: Any) -> None:
    from django.core.management import call_command

    before = row_counts()
    call_command("import", "aaf", str(SET), "--tenant", world.tenant.slug, "--dry-run")
    assert row_counts() == before
    assert "person: created 11" in capsys.readouterr().out
    call_command("import", "aaf", str(SET), "--tenant", world.tenant.slug)
    assert m.Person.objects.filter(source="aaf").count() == 11
    call_command("import", "aaf", str(SET), "--tenant", world.tenant.slug)
    assert "No change" in capsys.readouterr().out


def test_the_command_exits_1_on_errors_and_applies_nothing(world: Any, tmp_path: Path) -> None:
    from django.core.management import call_command

    paths = _broken(tmp_path, "Eleve_0000.xml", lambda p: replace_in(p, "1000001$6A", "1000001$6Z"))
    before = row_counts()
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "aaf", *map(str, paths), "--tenant", world.tenant.slug)
    assert exit_.value.code == 1
    assert row_counts() == before


def test_a_crash_in_the_middle_leaves_the_directory_as_it_was(world: Any, monkeypatch: Any) -> None:
    from preau.directory.feeds import reconcile

    # Batches of 3: the preview runs 4 of them, the crash hits the import's second one.
    monkeypatch.setattr(reconcile, "BATCH", 3)
    calls = {"n": 0}
    write_places = reconcile.Reconciler._write_places

    def crash_in_the_import(self: Any, *args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 6:
            raise RuntimeError("worker killed")
        write_places(self, *args)

    monkeypatch.setattr(reconcile.Reconciler, "_write_places", crash_in_the_import)
    before = row_counts()
    with pytest.raises(RuntimeError):
        run_import(world.operator, "aaf", files())
    assert row_counts() == before
    job = m.ImportJob.objects.get()
    assert job.status == m.ImportJob.Status.FAILED
    assert calls["n"] == 6
    assert not job.summary["applied"]
    assert "nothing was changed" in job.errors[0]["message"] or "rien" in job.errors[0]["message"]


def test_a_doctype_with_entities_is_refused(world: Any, tmp_path: Path) -> None:
    """No DOCTYPE, hence no entity: an 'XML bomb' stops at its first line of declarations."""
    bomb = tmp_path / f"ENT_0690000A_Complet_{DATE}_MatiereEducNat_0000.xml"
    bomb.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE ficAlimMENESR [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n'
        "<ficAlimMENESR>&b;</ficAlimMENESR>\n",
        "utf-8",
    )
    before = row_counts()
    job = run_import(world.operator, "aaf", [bomb])
    assert job.status == m.ImportJob.Status.FAILED
    assert (job.errors[0]["file"], job.errors[0]["line"]) == (bomb.name, 2)
    assert "DOCTYPE" in job.errors[0]["message"]
    assert row_counts() == before


def test_applied_imports_keep_no_files_and_old_previews_lose_theirs(
    world: Any, settings: Any
) -> None:
    from django.core.exceptions import ValidationError
    from django.core.files.storage import default_storage

    from preau.directory import actions
    from preau.directory.queries import build_actor

    applied = run_import(world.operator, "aaf", files())
    assert all(f["path"] == "" for f in applied.files)
    assert {f["name"] for f in applied.files} == {p.name for p in files()}
    preview = run_import(world.operator, "aaf", files(), apply=False)
    paths = [f["path"] for f in preview.files]
    assert all(default_storage.exists(p) for p in paths)
    today = timezone.localdate()
    assert actions.discard_old_import_files(tenant=world.tenant, today=today) == 0
    later = today + dt.timedelta(days=settings.PREAU_IMPORT_KEEP_DAYS + 1)
    assert actions.discard_old_import_files(tenant=world.other_tenant, today=later) == 0
    assert actions.discard_old_import_files(tenant=world.tenant, today=later) == 1
    assert not any(default_storage.exists(p) for p in paths)
    preview.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        actions.apply_import(
            actor=build_actor(world.operator, tenant=world.tenant), job=preview, queue=False
        )
    assert exc.value.code == "discarded"
