"""The STS-Web parser: the fixture collège 0693331W parses into exactly these records; broken
files raise a FeedError naming the file and the line; broken records are reported and skipped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from preau.directory.feeds import sts
from preau.directory.feeds.records import (
    AssignmentRecord,
    FeedError,
    LevelRecord,
    MembershipRecord,
    ParseProgress,
    PersonRecord,
    Record,
    Source,
    StructureRecord,
    SubjectRecord,
)


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The parsers' messages are asserted in English (the catalogue is tested on its own)."""
    with translation.override("en"):
        yield


UAI = "0693331W"
NAME = f"sts_emp_{UAI}_2024.xml"
FIXTURE = Path(__file__).parent / "fixtures" / "sts" / NAME
ENCODING = "iso-8859-1"


def parse(
    paths: list[Path], uai: str = UAI, progress: ParseProgress | None = None
) -> tuple[list[Record], list[FeedError]]:
    errors: list[FeedError] = []
    records = list(sts.parse(paths, uai=uai, errors=errors, progress=progress))
    return records, errors


def variant(folder: Path, *replacements: tuple[str, str]) -> list[Path]:
    """A copy of the fixture in `folder`, with each (old, new) replaced once."""
    content = FIXTURE.read_text(ENCODING)
    for old, new in replacements:
        assert old in content, old
        content = content.replace(old, new, 1)
    path = folder / NAME
    path.write_bytes(content.encode(ENCODING))
    return [path]


def people(records: list[Record]) -> dict[str, PersonRecord]:
    return {r.key: r for r in records if isinstance(r, PersonRecord)}


def key(id_: str) -> str:
    return f"STS-{UAI}-{id_}"


def teaching(person: PersonRecord) -> list[tuple[str, str, str, bool]]:
    return [(a.class_code, a.group_code, a.subject_code, a.is_main) for a in person.assignments]


FRENCH, MATHS, ENGLISH, LATIN = "020700", "061300", "030201", "021800"


# The fixture, record by record ----------------------------------------------------------------


def test_the_fixture_gives_subjects_levels_structure_then_people() -> None:
    records, errors = parse([FIXTURE])

    assert errors == []
    assert [type(r).__name__ for r in records] == (
        ["SubjectRecord"] * 4 + ["LevelRecord"] * 2 + ["StructureRecord"] + ["PersonRecord"] * 9
    )


def test_subjects_and_levels() -> None:
    records, _ = parse([FIXTURE])

    assert [r for r in records if isinstance(r, SubjectRecord)] == [
        SubjectRecord(FRENCH, "Français", Source(NAME, 16, "MATIERE[@CODE=020700]")),
        SubjectRecord(MATHS, "Mathématiques", Source(NAME, 22, "MATIERE[@CODE=061300]")),
        SubjectRecord(ENGLISH, "Anglais LV1", Source(NAME, 28, "MATIERE[@CODE=030201]")),
        SubjectRecord(
            LATIN,
            "LANGUES ET CULTURES DE L'ANTIQUITE LATIN",
            Source(NAME, 34, "MATIERE[@CODE=021800]"),
        ),
    ]
    assert [(r.code, r.label) for r in records if isinstance(r, LevelRecord)] == [
        ("10010012110", "6ème"),
        ("10110001110", "5EME"),  # no LIBELLE_EDITION: LIBELLE_LONG
    ]


def test_the_structure_has_divisions_groups_and_the_groups_divisions() -> None:
    records, _ = parse([FIXTURE])

    [structure] = [r for r in records if isinstance(r, StructureRecord)]
    assert structure == StructureRecord(
        key=UAI,
        uai=UAI,
        source=Source(NAME, 149, "STRUCTURE"),
        classes=[("6A", "6ème A"), ("6B", "6ème B"), ("5A", "5A")],  # 5A: LIBELLE_COURT
        groups=[("6LAT", "Latin 6ème")],
        group_classes={"6LAT": ["6A", "6B"]},
        class_levels={"6A": "10010012110", "6B": "10010012110", "5A": "10110001110"},
    )


def test_a_teacher_record_in_full() -> None:
    records, _ = parse([FIXTURE])

    assert people(records)[key("501")] == PersonRecord(
        key=key("501"),
        profile="teacher",
        source=Source(NAME, 53, "INDIVIDU[@ID=501]"),
        first_name="Claire",
        last_name="ROUSSEAU",  # NOM_USAGE, not NOM_PATRONYMIQUE (BLANC)
        title="Mme",
        birth_date=dt.date(1978, 4, 12),
        memberships=[MembershipRecord(school=UAI, profile="teacher")],
        assignments=[
            AssignmentRecord(school=UAI, class_code="6A", subject_code=FRENCH, is_main=True),
            AssignmentRecord(school=UAI, class_code="6B", subject_code=FRENCH),
            AssignmentRecord(school=UAI, group_code="6LAT", subject_code=LATIN),
        ],
    )


def test_every_person_profile_names_and_functions() -> None:
    records, _ = parse([FIXTURE])

    rows = [
        (
            p.key.removeprefix(key("")),
            p.profile,
            p.title,
            p.first_name,
            p.last_name,
            p.birth_date.isoformat() if p.birth_date else "",
            [(m.profile, *m.functions) for m in p.memberships],
        )
        for p in people(records).values()
    ]
    assert rows == [
        ("501", "teacher", "Mme", "Claire", "ROUSSEAU", "1978-04-12", [("teacher",)]),
        ("502", "teacher", "M.", "Gérard", "FAURE", "1969-11-30", [("teacher",)]),
        ("503", "teacher", "Mme", "Sarah", "COLLIN", "1985-02-07", [("teacher",)]),
        ("504", "staff", "Mme", "Françoise", "GAUTHIER", "1966-08-19", [("staff", "DIR")]),
        ("505", "staff", "M.", "Loïc", "BERTRAND", "1980-01-25", [("staff", "EVS")]),
        ("506", "staff", "Mme", "Aurélie", "CARON", "1983-05-03", [("staff", "DOC")]),
        ("507", "staff", "M.", "Yves", "MOREL", "1972-12-01", [("staff", "ETA")]),
        ("508", "staff", "Mme", "Inès", "HADDAD", "2001-07-14", [("staff", "EVS")]),
        ("509", "teacher", "M.", "Paul", "VIDAL", "", [("teacher",)]),
    ]
    assert all(m.school == UAI for p in people(records).values() for m in p.memberships)


def test_assignments_one_per_class_or_group_and_subject_with_main_teachers() -> None:
    records, _ = parse([FIXTURE])
    by_key = people(records)

    assert teaching(by_key[key("501")]) == [
        ("6A", "", FRENCH, True),
        ("6B", "", FRENCH, False),
        ("", "6LAT", LATIN, False),  # a teacher serving a group
    ]
    assert teaching(by_key[key("502")]) == [("6A", "", MATHS, False), ("6B", "", MATHS, False)]
    # English in 6B in two modes (CG, TP): one assignment, main teacher of 6B.
    assert teaching(by_key[key("503")]) == [("6B", "", ENGLISH, True), ("5A", "", ENGLISH, False)]
    assert teaching(by_key[key("509")]) == []
    assert all(a.school == UAI for p in by_key.values() for a in p.assignments)


def test_progress_counts_the_bytes() -> None:
    progress = ParseProgress()
    parse([FIXTURE], progress=progress)

    size = FIXTURE.stat().st_size
    assert (progress.done, progress.total) == (size, size)


def test_a_main_teacher_who_teaches_nothing_in_the_class(tmp_path: Path) -> None:
    paths = variant(
        tmp_path,
        (
            '<FONCTION>ENS</FONCTION>\n      </INDIVIDU>\n      <INDIVIDU ID="503"',
            "<FONCTION>ENS</FONCTION>\n        <PROFS_PRINC><PROF_PRINC><CODE_STRUCTURE>5A"
            "</CODE_STRUCTURE></PROF_PRINC></PROFS_PRINC>\n      </INDIVIDU>\n"
            '      <INDIVIDU ID="503"',
        ),
    )

    records, errors = parse(paths)

    assert errors == []
    assert teaching(people(records)[key("502")])[-1] == ("5A", "", "", True)


def test_staff_who_teach_are_teachers_and_keep_their_function(tmp_path: Path) -> None:
    paths = variant(tmp_path, ('<ENSEIGNANT ID="502" TYPE="epp"/>', '<ENSEIGNANT ID="504"/>'))

    records, _ = parse(paths)

    director = people(records)[key("504")]
    assert director.profile == "teacher"
    assert [(m.profile, m.functions) for m in director.memberships] == [
        ("teacher", []),
        ("staff", ["DIR"]),
    ]
    assert teaching(director) == [("6A", "", MATHS, False)]


def test_the_uaj_may_be_the_element_text(tmp_path: Path) -> None:
    paths = variant(tmp_path, ('<UAJ CODE="0693331W"/>', "<UAJ>0693331W</UAJ>"))

    records, errors = parse(paths)

    assert errors == []
    assert len(records) == 16


# Whole-file problems: FeedError -----------------------------------------------------------------


def feed_error(paths: list[Path], uai: str = UAI) -> FeedError:
    with pytest.raises(FeedError) as caught:
        parse(paths, uai=uai)
    return caught.value


def test_a_truncated_file_names_the_file_and_the_line(tmp_path: Path) -> None:
    lines = FIXTURE.read_bytes().splitlines(keepends=True)
    path = tmp_path / NAME
    path.write_bytes(b"".join(lines[:170]))

    error = feed_error([path])

    assert error.source == Source(NAME, 171, "STS_EDT/DONNEES/STRUCTURE/DIVISIONS/DIVISION")
    assert NAME in error.message
    assert "line 171" in error.message
    assert "truncated" in error.message


def test_malformed_xml(tmp_path: Path) -> None:
    paths = variant(
        tmp_path, ('<ENSEIGNANT ID="502" TYPE="epp"/>', '<ENSEIGNANT ID="502" TYPE=epp/>')
    )

    error = feed_error(paths)

    assert error.source is not None
    assert (error.source.file, error.source.line) == (NAME, 165)
    assert "line 165, column" in error.message


def test_a_file_that_is_not_an_sts_export() -> None:
    siecle_file = FIXTURE.parent.parent / "siecle" / "ElevesSansAdresses.xml"

    error = feed_error([siecle_file])

    assert error.source == Source("ElevesSansAdresses.xml", 4, "BEE_ELEVES")
    assert "STS-Web" in error.message
    assert "<BEE_ELEVES>" in error.message
    assert "<STS_EDT>" in error.message


def test_latin_bytes_in_a_file_declared_utf8(tmp_path: Path) -> None:
    content = FIXTURE.read_text(ENCODING).replace('encoding="ISO-8859-1"', 'encoding="UTF-8"')
    path = tmp_path / NAME
    path.write_bytes(content.encode(ENCODING))

    error = feed_error([path])

    # The first non-ASCII byte is the "é" of "Préau" in the comment on line 2.
    assert error.source == Source(NAME, 2, "")
    assert NAME in error.message
    assert "UTF-8" in error.message
    assert "0xe9" in error.message


def test_another_schools_file(tmp_path: Path) -> None:
    paths = variant(tmp_path, ('<UAJ CODE="0693331W"/>', '<UAJ CODE="0690001B"/>'))

    error = feed_error(paths)

    assert error.source == Source(NAME, 8, "PARAMETRES/UAJ")
    assert NAME in error.message
    assert "0690001B" in error.message
    assert UAI in error.message


def test_importing_the_file_for_another_school() -> None:
    error = feed_error([FIXTURE], uai="0690001B")

    assert error.source == Source(NAME, 8, "PARAMETRES/UAJ")


def test_two_sts_files(tmp_path: Path) -> None:
    copy = tmp_path / "sts_emp_0693331W_2024_bis.xml"
    copy.write_bytes(FIXTURE.read_bytes())

    error = feed_error([FIXTURE, copy])

    assert error.source is not None
    assert error.source.file == copy.name


# Record problems: reported, skipped -------------------------------------------------------------


def test_a_teacher_id_with_no_individu(tmp_path: Path) -> None:
    paths = variant(
        tmp_path, ('<ENSEIGNANT ID="502" TYPE="epp"/>', '<ENSEIGNANT ID="599" TYPE="epp"/>')
    )

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(
        NAME, 165, "DIVISION[@CODE=6A]/SERVICE[@CODE_MATIERE=061300]/ENSEIGNANT"
    )
    assert "599" in error.message
    assert teaching(people(records)[key("502")]) == [("6B", "", MATHS, False)]


def test_an_individu_without_id(tmp_path: Path) -> None:
    paths = variant(tmp_path, ('<INDIVIDU ID="509" TYPE="epp">', '<INDIVIDU TYPE="epp">'))

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(NAME, 139, "INDIVIDU")
    assert "ID" in error.message
    assert key("509") not in people(records)


def test_a_service_with_an_unknown_subject(tmp_path: Path) -> None:
    paths = variant(tmp_path, ('<SERVICE CODE_MATIERE="061300"', '<SERVICE CODE_MATIERE="999999"'))

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(
        NAME, 165, "DIVISION[@CODE=6A]/SERVICE[@CODE_MATIERE=999999]/ENSEIGNANT"
    )
    assert "999999" in error.message
    assert teaching(people(records)[key("502")]) == [("6B", "", MATHS, False)]


def test_a_group_drawing_on_an_unknown_division(tmp_path: Path) -> None:
    paths = variant(
        tmp_path, ('<DIVISION_APPARTENANCE CODE="6B"/>', '<DIVISION_APPARTENANCE CODE="6Z"/>')
    )

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(NAME, 217, "GROUPE[@CODE=6LAT]/DIVISION_APPARTENANCE")
    assert "6Z" in error.message
    [structure] = [r for r in records if isinstance(r, StructureRecord)]
    assert structure.group_classes == {"6LAT": ["6A"]}


def test_main_teacher_of_an_unknown_division(tmp_path: Path) -> None:
    paths = variant(
        tmp_path,
        ("<CODE_STRUCTURE>6B</CODE_STRUCTURE>", "<CODE_STRUCTURE>6Z</CODE_STRUCTURE>"),
    )

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(NAME, 93, "INDIVIDU[@ID=503]/PROF_PRINC")
    assert "6Z" in error.message
    assert teaching(people(records)[key("503")]) == [
        ("6B", "", ENGLISH, False),
        ("5A", "", ENGLISH, False),
    ]


def test_an_unknown_function_with_nothing_to_teach(tmp_path: Path) -> None:
    paths = variant(tmp_path, ("<FONCTION>ADF</FONCTION>", "<FONCTION>XYZ</FONCTION>"))

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(NAME, 123, "INDIVIDU[@ID=507]")
    assert "XYZ" in error.message
    assert "Yves MOREL" in error.message
    assert key("507") not in people(records)


def test_a_person_without_a_name(tmp_path: Path) -> None:
    paths = variant(tmp_path, ("<PRENOM>Gérard</PRENOM>", "<PRENOM/>"))

    records, errors = parse(paths)

    # Reported once: the services naming them are dropped without a second message.
    [error] = errors
    assert error.source == Source(NAME, 75, "INDIVIDU[@ID=502]")
    assert key("502") not in people(records)


def test_a_bad_birth_date(tmp_path: Path) -> None:
    paths = variant(tmp_path, ("1969-11-30", "1969-13-30"))

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(NAME, 75, "INDIVIDU[@ID=502]")
    assert "1969-13-30" in error.message
    assert key("502") not in people(records)


def test_a_division_twice(tmp_path: Path) -> None:
    paths = variant(tmp_path, ('<DIVISION CODE="5A">', '<DIVISION CODE="6A">'))

    records, errors = parse(paths)

    # The second 6A is skipped with its services (503's English in 5A).
    [error] = errors
    assert error.source is not None
    assert error.source.element == "DIVISION[@CODE=6A]"
    assert teaching(people(records)[key("503")]) == [("6B", "", ENGLISH, True)]
