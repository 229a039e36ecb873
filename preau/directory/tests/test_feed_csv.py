"""The CSV parser: fixtures into exact records, bad lines reported and skipped, templates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from preau.directory.feeds import csvfeed
from preau.directory.feeds.csvfeed import TEMPLATE_PROFILES, FeedWarning, parse, template
from preau.directory.feeds.records import (
    WITHOUT_LINKS,
    AssignmentRecord,
    FeedError,
    GuardianLinkRecord,
    MembershipRecord,
    ParseProgress,
    PersonRecord,
    Record,
    Source,
)


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The parsers' messages are asserted in English (the catalogue is tested on its own)."""
    with translation.override("en"):
        yield


FIXTURES = Path(__file__).parent / "fixtures" / "csv"
UAI = "0690001B"


def run(
    paths: list[Path], profile: str, progress: ParseProgress | None = None
) -> tuple[list[Record], list[FeedError]]:
    errors: list[FeedError] = []
    records = list(parse(paths, uai=UAI, profile=profile, errors=errors, progress=progress))
    return records, errors


def write(tmp_path: Path, text: str, name: str = "file.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def where(errors: list[FeedError]) -> list[int | None]:
    return [e.source.line if e.source else None for e in errors]


def pupil_membership(class_code: str, groups: list[str] | None = None) -> list[MembershipRecord]:
    return [
        MembershipRecord(
            school=UAI, profile="pupil", class_code=class_code, group_codes=groups or []
        )
    ]


# Fixtures into records --------------------------------------------------------------------


def test_utf8_semicolon_pupils_with_bom_and_accents() -> None:
    progress = ParseProgress()
    path = FIXTURES / "pupils_utf8.csv"
    records, errors = run([path], "pupil", progress)

    assert errors == []
    src = "pupils_utf8.csv"
    assert records == [
        PersonRecord(
            key="ELV-0001",
            profile="pupil",
            present=WITHOUT_LINKS,
            source=Source(src, 2),
            first_name="Éloïse",
            last_name="Lefèvre",
            birth_date=dt.date(2014, 3, 14),
            ine="0123456789A",
            memberships=pupil_membership("CM2A", ["CHORALE", "ANGLAIS"]),
        ),
        PersonRecord(
            key="ELV-0002",
            profile="pupil",
            present=WITHOUT_LINKS,
            source=Source(src, 3),
            first_name="François-Xavier",
            last_name="Noël",
            birth_date=dt.date(2013, 11, 2),
            email="fx.noel@example.org",
            ine="123456789AB",
            memberships=pupil_membership("CM2A"),
        ),
        PersonRecord(
            key="ELV-0003",
            profile="pupil",
            present=WITHOUT_LINKS,
            source=Source(src, 4),
            first_name="Chloé",
            last_name="Le Bihan",
            birth_date=dt.date(2015, 9, 5),
            memberships=pupil_membership("CE2B", ["ANGLAIS", "CHORALE"]),
        ),
    ]
    assert progress == ParseProgress(done=path.stat().st_size, total=path.stat().st_size)


def test_latin1_comma_pupils_with_english_headers_get_derived_keys() -> None:
    records, errors = run([FIXTURES / "pupils_latin1.csv"], "pupil")

    assert errors == []
    src = "pupils_latin1.csv"
    assert records == [
        PersonRecord(
            key=f"CSV-{UAI}-pupil-muller-helene-2014-02-01",
            profile="pupil",
            present=WITHOUT_LINKS,
            source=Source(src, 2),
            first_name="Hélène",
            last_name="Müller",
            birth_date=dt.date(2014, 2, 1),
            email="helene@example.org",
            memberships=pupil_membership("CM1", ["LATIN", "CHOIR"]),
        ),
        PersonRecord(
            key=f"CSV-{UAI}-pupil-garcon-jerome-x",
            profile="pupil",
            present=WITHOUT_LINKS,
            source=Source(src, 3),
            first_name="Jérôme",
            last_name="Garçon",
            memberships=pupil_membership("CM1"),
        ),
    ]


def test_guardians_carry_their_children_and_the_links_in_the_same_order() -> None:
    records, errors = run([FIXTURES / "guardians.csv"], "guardian")

    assert errors == []
    src = "guardians.csv"
    membership = [MembershipRecord(school=UAI, profile="guardian")]
    assert records == [
        PersonRecord(
            key="RESP-0001",
            profile="guardian",
            source=Source(src, 2),
            title="Mme",
            first_name="Claire",
            last_name="Lefèvre",
            email="claire.lefevre@example.org",
            phone="04 72 00 00 00",
            mobile="06 12 34 56 78",
            address="12 rue des Écoles\n69001 Lyon",
            memberships=membership,
            children=["ELV-0001", "ELV-0003"],
            guardians=[
                GuardianLinkRecord(guardian_key="ELV-0001", level=1, kinship="mère"),
                GuardianLinkRecord(guardian_key="ELV-0003", level=2, kinship="belle-mère"),
            ],
        ),
        # The address above spans lines 2 and 3: this row starts on line 4.
        PersonRecord(
            key="RESP-0002",
            profile="guardian",
            source=Source(src, 4),
            title="M.",
            first_name="Marc",
            last_name="Noël",
            memberships=membership,
            children=["ELV-0002"],
            guardians=[GuardianLinkRecord(guardian_key="ELV-0002", level=1, kinship="père")],
        ),
        PersonRecord(
            key=f"CSV-{UAI}-guardian-martin-odile-x",
            profile="guardian",
            source=Source(src, 5),
            title="Mme",
            first_name="Odile",
            last_name="Martin",
            memberships=membership,
            children=["ELV-0001"],
            guardians=[GuardianLinkRecord(guardian_key="ELV-0001", level=2, kinship="grand-mère")],
        ),
    ]


def test_teachers_get_one_assignment_per_class_item() -> None:
    records, errors = run([FIXTURES / "teachers.csv"], "teacher")

    assert errors == []
    src = "teachers.csv"
    membership = [MembershipRecord(school=UAI, profile="teacher")]
    assert records == [
        PersonRecord(
            key="ENS-0001",
            profile="teacher",
            source=Source(src, 2),
            title="M.",
            first_name="Paul",
            last_name="Durand",
            email="paul.durand@example.org",
            memberships=membership,
            assignments=[
                AssignmentRecord(school=UAI, class_code="CM2A", subject_code="FRANC", is_main=True),
                AssignmentRecord(school=UAI, class_code="CM2A", subject_code="MATHS", is_main=True),
                AssignmentRecord(school=UAI, class_code="CM1B"),
            ],
        ),
        PersonRecord(
            key="ENS-0002",
            profile="teacher",
            source=Source(src, 3),
            title="Mme",
            first_name="Anne",
            last_name="Petit",
            memberships=membership,
            assignments=[
                AssignmentRecord(school=UAI, class_code="CE1A"),
                AssignmentRecord(school=UAI, class_code="CE2B", subject_code="ANGL", is_main=True),
                # Main teacher of CP without teaching there: an assignment of its own.
                AssignmentRecord(school=UAI, class_code="CP", is_main=True),
            ],
        ),
        PersonRecord(
            key="ENS-0003",
            profile="teacher",
            source=Source(src, 4),
            title="Mme",
            first_name="Inès",
            last_name="Roux",
            memberships=membership,
        ),
    ]


def test_staff_functions_from_codes_and_french_labels() -> None:
    records, errors = run([FIXTURES / "staff.csv"], "staff")

    assert errors == []
    assert [r.key for r in records if isinstance(r, PersonRecord)] == [
        "PER-0001",
        "PER-0002",
        "PER-0003",
        "PER-0004",
        "PER-0005",
    ]
    assert records[0] == PersonRecord(
        key="PER-0001",
        profile="staff",
        source=Source("staff.csv", 2),
        title="Mme",
        first_name="Sophie",
        last_name="Bernard",
        email="sophie.bernard@example.org",
        phone="04 72 00 00 01",
        memberships=[MembershipRecord(school=UAI, profile="staff", functions=["DIR"])],
    )
    assert [(r.source.line, r.memberships) for r in records[1:] if isinstance(r, PersonRecord)] == [
        (3, [MembershipRecord(school=UAI, profile="staff", functions=["EVS"])]),
        (4, [MembershipRecord(school=UAI, profile="staff", functions=["DOC", "RES"])]),
        (5, [MembershipRecord(school=UAI, profile="staff", functions=[])]),
        (6, [MembershipRecord(school=UAI, profile="staff", functions=["COL"])]),
    ]


# Bad lines ---------------------------------------------------------------------------------


def test_every_bad_line_is_reported_with_its_line_and_the_others_parse() -> None:
    records, errors = run([FIXTURES / "pupils_bad.csv"], "pupil")

    assert [(r.key, r.source.line) for r in records if isinstance(r, PersonRecord)] == [
        ("ELV-0101", 2),
        ("ELV-0109", 13),
    ]
    assert all(e.source and e.source.file == "pupils_bad.csv" for e in errors)
    warning, *line_errors = errors
    assert isinstance(warning, FeedWarning)
    assert warning.source == Source("pupils_bad.csv", 1)
    assert "“remarque”" in warning.message
    assert not any(isinstance(e, FeedWarning) for e in line_errors)
    assert where(line_errors) == [3, 4, 6, 7, 8, 9, 11, 12, 12]
    messages = [e.message for e in line_errors]
    assert "“nom”" in messages[0]  # empty last name
    assert "“31/02/2014”" in messages[1]  # no such date
    assert "“noa@”" in messages[2]  # bad e-mail
    assert "“classe”" in messages[3]  # no class
    assert "“ELV-0101”" in messages[4]  # duplicate key...
    assert "line 2" in messages[4]  # ...naming the first occurrence
    assert "7" in messages[5]  # seven cells...
    assert "8" in messages[5]  # ...where the header has eight
    assert "“12345”" in messages[6]  # bad INE
    assert "“2014/04/04”" in messages[7]  # two problems on one line, both told
    assert "“jade”" in messages[8]


def staff_file(tmp_path: Path, row: str) -> Path:
    return write(tmp_path, f"nom;prénom;civilité;fonction\n{row}\nBlanc;Rose;Mme;DIR\n")


@pytest.mark.parametrize(
    ("row", "quoted"),
    [
        ("Faure;Lucie;Mme;jardinier", "“jardinier”"),  # unknown function
        ("Faure;Lucie;Docteur;DIR", "“Docteur”"),  # unknown title
        ("Faure;;Mme;DIR", "“prénom”"),  # empty first name
    ],
)
def test_bad_staff_values_are_line_errors(tmp_path: Path, row: str, quoted: str) -> None:
    records, errors = run([staff_file(tmp_path, row)], "staff")

    assert [(e.source, quoted in e.message) for e in errors] == [(Source("file.csv", 2), True)]
    assert [r.source.line for r in records if isinstance(r, PersonRecord)] == [3]


@pytest.mark.parametrize(
    ("row", "quoted"),
    [
        ("RESP-1;Martin;Odile;ELV-1;3", "“3”"),  # unknown level
        ("RESP-1;Martin;Odile;;1", "“id enfant”"),  # no child
    ],
)
def test_bad_guardian_values_are_line_errors(tmp_path: Path, row: str, quoted: str) -> None:
    path = write(
        tmp_path, f"identifiant;nom;prénom;id enfant 1;niveau\n{row}\nRESP-2;Noël;Marc;ELV-2;\n"
    )

    records, errors = run([path], "guardian")

    assert [(e.source, quoted in e.message) for e in errors] == [(Source("file.csv", 2), True)]
    assert [r.key for r in records if isinstance(r, PersonRecord)] == ["RESP-2"]


def test_a_teaching_that_is_not_class_or_class_subject_is_a_line_error(tmp_path: Path) -> None:
    path = write(tmp_path, "nom;prénom;enseignements\nDurand;Paul;CM2A:MATHS:X|CM1\nRoux;Inès;CP\n")

    records, errors = run([path], "teacher")

    assert [(e.source, "“CM2A:MATHS:X”" in e.message) for e in errors] == [
        (Source("file.csv", 2), True)
    ]
    assert [r.first_name for r in records if isinstance(r, PersonRecord)] == ["Inès"]


def test_invalid_utf8_after_the_sniffed_block_names_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csvfeed, "SNIFF_BYTES", 32)
    text = "nom;prénom;classe\nLefèvre;Éloïse;CM2A\nMartin;Léa;CM2A\n".encode()
    path = tmp_path / "file.csv"
    path.write_bytes(text + "Noël;Zoé;CM1\n".encode("latin-1") + b"Roux;Emma;CM1\n")
    assert len(text) > 32

    records, errors = run([path], "pupil")

    assert [r.first_name for r in records if isinstance(r, PersonRecord)] == [
        "Éloïse",
        "Léa",
        "Emma",
    ]
    assert where(errors) == [4]
    assert "UTF-8" in errors[0].message


def test_duplicates_are_found_across_the_files_of_one_parse(tmp_path: Path) -> None:
    first = write(tmp_path, "identifiant;nom;prénom;classe\nELV-1;Martin;Léa;CM2A\n", "a.csv")
    second = write(tmp_path, "nom,prénom,classe,id\nMartin,Léo,CM1A,ELV-1\n", "b.csv")
    progress = ParseProgress()

    records, errors = run([first, second], "pupil", progress)

    assert [r.source for r in records if isinstance(r, PersonRecord)] == [Source("a.csv", 2)]
    assert [str(e) for e in errors] == [
        "b.csv, line 2: “ELV-1” already appears at line 2 of a.csv: each person may appear only "
        "once."
    ]
    total = first.stat().st_size + second.stat().st_size
    assert progress == ParseProgress(done=total, total=total)


# Headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "nom;prénom;date de naissance;classe;identifiant;e-mail",
        "NOM;PRENOM;Date_Naissance;Division;ID;Courriel",
        "Last-Name;FIRST_NAME;birthdate;class;externalid;mail",
        "surname;First name;Birth Date;CLASSE;External ID;email",
    ],
)
def test_header_synonyms(tmp_path: Path, header: str) -> None:
    path = write(tmp_path, f"{header}\nLefèvre;Éloïse;14/03/2014;CM2A;ELV-1;e@example.org\n")

    records, errors = run([path], "pupil")

    assert errors == []
    assert records == [
        PersonRecord(
            key="ELV-1",
            profile="pupil",
            present=WITHOUT_LINKS,
            source=Source("file.csv", 2),
            first_name="Éloïse",
            last_name="Lefèvre",
            birth_date=dt.date(2014, 3, 14),
            email="e@example.org",
            memberships=pupil_membership("CM2A"),
        )
    ]


def test_english_guardian_headers_with_one_level_and_kinship_for_all_children(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "externalid,title,lastname,firstname,childexternalid1,childexternalid2,kinship,level,"
        "mobile\nRESP-1,Mr,Noël,Marc,ELV-1,ELV-2,father,2,06 00 00 00 00\n",
    )

    records, errors = run([path], "guardian")

    assert errors == []
    [guardian] = records
    assert isinstance(guardian, PersonRecord)
    assert (guardian.key, guardian.title, guardian.mobile) == ("RESP-1", "M.", "06 00 00 00 00")
    assert guardian.children == ["ELV-1", "ELV-2"]
    assert guardian.guardians == [
        GuardianLinkRecord(guardian_key="ELV-1", level=2, kinship="father"),
        GuardianLinkRecord(guardian_key="ELV-2", level=2, kinship="father"),
    ]


def test_id_enfant_without_a_number_is_the_first_child(tmp_path: Path) -> None:
    path = write(tmp_path, "nom;prénom;id enfant\nMartin;Odile;ELV-1\n")

    records, errors = run([path], "guardian")

    assert errors == []
    assert [r.children for r in records if isinstance(r, PersonRecord)] == [["ELV-1"]]


@pytest.mark.parametrize(
    ("profile", "header", "column", "accepted"),
    [
        ("pupil", "identifiant;prénom;classe", "“nom”", "surname"),
        ("pupil", "identifiant;nom;classe", "“prénom”", "firstname"),
        ("pupil", "identifiant;nom;prénom", "“classe”", "division"),
        ("teacher", "nom;email", "“prénom”", "first name"),
        ("guardian", "nom;prénom;lien", "“id enfant 1”", "childexternalid"),
    ],
)
def test_a_missing_required_column_is_fatal_and_says_what_to_add(
    tmp_path: Path, profile: str, header: str, column: str, accepted: str
) -> None:
    path = write(tmp_path, f"{header}\nx;y;z\n", "eleves.csv")

    with pytest.raises(FeedError) as excinfo:
        run([path], profile)

    assert excinfo.value.source == Source("eleves.csv", 1)
    message = excinfo.value.message
    assert "eleves.csv" in message
    assert column in message
    assert accepted in message


def test_two_columns_for_the_same_field_are_fatal(tmp_path: Path) -> None:
    path = write(tmp_path, "nom;prénom;classe;Division\nMartin;Léa;CM2A;CM2A\n")

    with pytest.raises(FeedError, match="“classe” and “Division”"):
        run([path], "pupil")


def test_an_empty_file_is_fatal(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match=r"file\.csv"):
        run([write(tmp_path, "\n\n")], "pupil")


def test_an_unknown_profile_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="agent"):
        run([write(tmp_path, "nom;prénom\n")], "agent")


# Templates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", TEMPLATE_PROFILES)
def test_templates_parse_back_into_one_record(tmp_path: Path, profile: str) -> None:
    text = template(profile)
    header, example, *rest = text.split("\n")
    assert rest == [""]  # header, one example, a final newline
    assert ";" in header
    assert header.startswith("identifiant;")

    records, errors = run([write(tmp_path, text)], profile)

    assert errors == []
    assert len(records) == 1
    [record] = records
    assert isinstance(record, PersonRecord)
    assert record.profile == profile
    assert record.key == example.split(";")[0]
    assert record.last_name
    assert record.first_name


def test_templates_cover_every_profile_of_a_csv_school() -> None:
    assert set(TEMPLATE_PROFILES) == {"pupil", "guardian", "teacher", "staff"}
    assert "prénom" in template("pupil").splitlines()[0].split(";")


def test_a_warning_says_so_in_its_dict() -> None:
    warning = FeedWarning("ignored", Source("file.csv", 1))
    assert warning.as_dict() == {
        "file": "file.csv",
        "line": 1,
        "element": "",
        "message": "ignored",
        "warning": True,
    }
