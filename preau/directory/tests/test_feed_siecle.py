"""The SIECLE parser: the fixture collège 0693331W parses into exactly these records; broken
files raise a FeedError naming the file and the line; broken records are reported and skipped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from preau.directory.feeds import siecle
from preau.directory.feeds.records import (
    FeedError,
    GuardianLinkRecord,
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
FIXTURES = Path(__file__).parent / "fixtures" / "siecle"
PUPILS, GUARDIANS, NOMENCLATURE = (
    "ElevesSansAdresses.xml",
    "ResponsablesAvecAdresses.xml",
    "Nomenclature.xml",
)
ENCODINGS = {PUPILS: "iso-8859-15", GUARDIANS: "utf-8", NOMENCLATURE: "utf-8"}
ALL = (NOMENCLATURE, PUPILS, GUARDIANS)


def parse(
    paths: list[Path], uai: str = UAI, progress: ParseProgress | None = None
) -> tuple[list[Record], list[FeedError]]:
    errors: list[FeedError] = []
    records = list(siecle.parse(paths, uai=uai, errors=errors, progress=progress))
    return records, errors


def fixtures(*names: str) -> list[Path]:
    return [FIXTURES / name for name in names or ALL]


def variant(folder: Path, name: str, *replacements: tuple[str, str]) -> Path:
    """A copy of fixture `name` in `folder`, with each (old, new) replaced once, same encoding."""
    content = (FIXTURES / name).read_text(ENCODINGS[name])
    for old, new in replacements:
        assert old in content, old
        content = content.replace(old, new, 1)
    path = folder / name
    path.write_bytes(content.encode(ENCODINGS[name]))
    return path


def with_variant(folder: Path, name: str, *replacements: tuple[str, str]) -> list[Path]:
    """All three fixture files, `name` replaced by its variant."""
    return [variant(folder, n, *replacements) if n == name else FIXTURES / n for n in ALL]


def people(records: list[Record]) -> dict[str, PersonRecord]:
    return {r.key: r for r in records if isinstance(r, PersonRecord)}


def key(kind: str, id_: str) -> str:
    return f"SIECLE-{UAI}-{kind}{id_}"


# The fixture, record by record ----------------------------------------------------------------


def test_the_fixture_gives_subjects_levels_structure_pupils_then_guardians() -> None:
    records, errors = parse(fixtures())

    assert errors == []
    assert [type(r).__name__ for r in records] == (
        ["SubjectRecord"] * 4 + ["LevelRecord"] * 2 + ["StructureRecord"] + ["PersonRecord"] * 11
    )
    assert [r.key for r in records if isinstance(r, PersonRecord)] == [
        key("E", "4001"),
        key("E", "4002"),
        key("E", "4003"),
        key("E", "4004"),
        key("E", "4006"),
        key("R", "7001"),
        key("R", "7002"),
        key("R", "7003"),
        key("R", "7004"),
        key("R", "7006"),
        key("R", "7007"),
    ]


def test_subjects_and_levels_from_the_nomenclature() -> None:
    records, _ = parse(fixtures(NOMENCLATURE))

    subjects = [r for r in records if isinstance(r, SubjectRecord)]
    assert [(s.code, s.label) for s in subjects] == [
        ("020700", "Français"),
        ("061300", "Mathématiques"),
        ("030201", "Anglais LV1"),
        ("021800", "LANGUES ET CULTURES DE L'ANTIQUITE LATIN"),  # no LIBELLE_EDITION
    ]
    assert subjects[0].source == Source(NOMENCLATURE, 27, "MATIERE[@CODE_MATIERE=020700]")
    assert [r for r in records if isinstance(r, LevelRecord)] == [
        LevelRecord("10010012110", "6ème", Source(NOMENCLATURE, 12, "MEF[@CODE_MEF=10010012110]")),
        LevelRecord("10110001110", "5ème", Source(NOMENCLATURE, 19, "MEF[@CODE_MEF=10110001110]")),
    ]


def test_the_structure_lists_the_pupils_divisions_and_groups_without_labels() -> None:
    records, _ = parse(fixtures())

    [structure] = [r for r in records if isinstance(r, StructureRecord)]
    assert structure == StructureRecord(
        key=UAI,
        uai=UAI,
        source=Source(PUPILS, None, "STRUCTURES"),
        classes=[("5A", ""), ("6A", ""), ("6B", "")],  # not 6B twice, not the one who left
        groups=[("6LAT", "")],
        group_classes={},
    )


def test_a_pupil_record_in_full() -> None:
    records, _ = parse(fixtures())

    assert people(records)[key("E", "4001")] == PersonRecord(
        key=key("E", "4001"),
        profile="pupil",
        source=Source(PUPILS, 13, "ELEVE[@ELEVE_ID=4001]"),
        first_name="Léa",
        last_name="MARTIN",
        title="Mme",
        birth_date=dt.date(2013, 3, 14),
        ine="070123456AB",
        memberships=[
            MembershipRecord(
                school=UAI,
                profile="pupil",
                class_code="6A",
                group_codes=["6LAT"],
                level_code="10010012110",
            )
        ],
        guardians=[
            GuardianLinkRecord(key("R", "7001"), level=1, kinship="20", contact_priority=1),
            GuardianLinkRecord(key("R", "7002"), level=1, kinship="10", contact_priority=2),
        ],
    )


def test_every_pupil_names_classes_and_levels() -> None:
    records, _ = parse(fixtures())

    rows = [
        (
            p.key.removeprefix(key("E", "")),
            p.first_name,
            p.last_name,
            p.title,
            p.birth_date.isoformat() if p.birth_date else "",
            p.ine,
            p.memberships[0].class_code,
            p.memberships[0].group_codes,
            p.memberships[0].level_code,
        )
        for p in people(records).values()
        if p.profile == "pupil"
    ]
    sixth, fifth = "10010012110", "10110001110"
    assert rows == [
        ("4001", "Léa", "MARTIN", "Mme", "2013-03-14", "070123456AB", "6A", ["6LAT"], sixth),
        ("4002", "Théo", "MARTIN", "M.", "2013-11-02", "070123457BC", "6B", ["6LAT"], sixth),
        # NOM_USAGE wins over NOM_DE_FAMILLE; œ survives the ISO-8859-15 file.
        ("4003", "Chloé", "DUCŒUR", "Mme", "2013-06-30", "070123458CD", "6A", [], sixth),
        ("4004", "Maël", "LEFÈVRE", "M.", "2013-01-21", "070123459DE", "6B", [], sixth),
        ("4006", "Zoé", "PERRIN", "Mme", "2012-05-05", "070123461FG", "5A", [], fifth),
    ]


def test_guardians_have_contact_details_and_a_guardian_membership() -> None:
    records, _ = parse(fixtures())

    rows = [
        (g.key, g.title, g.first_name, g.last_name, g.email, g.phone, g.mobile, g.address)
        for g in people(records).values()
        if g.profile == "guardian"
    ]
    assert rows == [
        (key("R", "7001"), "Mme", "Sophie", "MARTIN", "sophie.martin@example.org",
         "04 78 12 34 56", "06 12 34 56 78", "12 rue des Tilleuls, 69100 VILLEURBANNE"),
        (key("R", "7002"), "M.", "Karim", "MARTIN", "", "", "06 98 76 54 32",
         "12 rue des Tilleuls, 69100 VILLEURBANNE"),
        (key("R", "7003"), "Mme", "Hélène", "DUCŒUR", "helene.ducoeur@example.org", "",
         "+32 470 12 34 56", "Avenue Louise 231, 1050 BRUXELLES, BELGIQUE"),
        (key("R", "7004"), "M.", "Jean-Noël", "LEFÈVRE", "", "04 78 98 76 54", "",
         "Résidence Les Érables, bât. C, 3 allée Frédéric Mistral, 69120 VAULX-EN-VELIN"),
        (key("R", "7006"), "Mme", "Nathalie", "PERRIN", "nathalie.perrin@example.org", "",
         "07 11 22 33 44", "8 place Bellecour, 69002 LYON"),
        (key("R", "7007"), "Mme", "Monique", "PERRIN", "", "04 74 55 66 77", "", ""),
    ]  # fmt: skip
    guardian = people(records)[key("R", "7001")]
    assert guardian.memberships == [MembershipRecord(school=UAI, profile="guardian")]
    assert guardian.source == Source(GUARDIANS, 15, "PERSONNE[@PERSONNE_ID=7001]")
    assert guardian.children == []  # links are given from the pupils' side


def test_links_levels_and_contact_priorities() -> None:
    records, _ = parse(fixtures())
    by_key = people(records)

    def links(pupil: str) -> list[tuple[str, int, str, int]]:
        return [
            (g.guardian_key, g.level, g.kinship, g.contact_priority)
            for g in by_key[key("E", pupil)].guardians
        ]

    # One guardian of two pupils; links sorted by contact priority whatever the file order.
    assert links("4002") == [(key("R", "7001"), 1, "20", 1), (key("R", "7002"), 1, "10", 2)]
    assert links("4003") == [(key("R", "7003"), 1, "20", 1)]
    # RESP_LEGAL 0: a person in charge (level 2), contacted after the legal representatives.
    assert links("4006") == [(key("R", "7006"), 1, "20", 1), (key("R", "7007"), 2, "39", 3)]


def test_a_pupil_who_left_and_their_only_guardian_are_left_out_silently() -> None:
    records, errors = parse(fixtures())

    assert key("E", "4005") not in people(records)
    assert key("R", "7005") not in people(records)
    assert errors == []


def test_the_order_of_the_files_does_not_matter() -> None:
    forward, _ = parse(fixtures(NOMENCLATURE, PUPILS, GUARDIANS))
    backward, _ = parse(fixtures(GUARDIANS, PUPILS, NOMENCLATURE))

    assert backward == forward


def test_pupils_alone_give_the_structure_and_pupils_without_links() -> None:
    records, errors = parse(fixtures(PUPILS))

    assert errors == []
    assert [type(r).__name__ for r in records] == ["StructureRecord"] + ["PersonRecord"] * 5
    assert all(p.guardians == [] for p in people(records).values())


def test_progress_counts_the_bytes_of_every_file() -> None:
    progress = ParseProgress()
    parse(fixtures(), progress=progress)

    size = sum(p.stat().st_size for p in fixtures())
    assert (progress.done, progress.total) == (size, size)


def test_the_uai_may_be_given_in_lower_case() -> None:
    records, _ = parse(fixtures(), uai=UAI.lower())

    assert people(records)[key("E", "4001")].memberships[0].school == UAI


# Whole-file problems: FeedError -----------------------------------------------------------------


def feed_error(paths: list[Path], uai: str = UAI) -> FeedError:
    with pytest.raises(FeedError) as caught:
        parse(paths, uai=uai)
    return caught.value


def test_a_truncated_file_names_the_file_and_the_line(tmp_path: Path) -> None:
    lines = (FIXTURES / PUPILS).read_bytes().splitlines(keepends=True)
    path = tmp_path / PUPILS
    path.write_bytes(b"".join(lines[:40]) + b"        <PRENOM>Chl")

    error = feed_error([FIXTURES / NOMENCLATURE, path])

    assert error.source == Source(PUPILS, 41, "BEE_ELEVES/DONNEES/ELEVES/ELEVE/PRENOM")
    assert "ElevesSansAdresses.xml" in error.message
    assert "line 41" in error.message
    assert "truncated" in error.message


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / PUPILS
    path.write_bytes(b"")

    error = feed_error([path])

    assert error.source == Source(PUPILS, 1, "")
    assert "empty" in error.message


def test_malformed_xml_names_the_line_and_column(tmp_path: Path) -> None:
    path = variant(tmp_path, PUPILS, ("<PRENOM>Théo</PRENOM>", "<PRENOM>Théo</PRENON>"))

    error = feed_error([path])

    assert error.source is not None
    assert (error.source.file, error.source.line) == (PUPILS, 30)
    assert "line 30, column" in error.message
    assert "mismatched tag" in error.message


def test_a_file_that_is_not_a_siecle_export(tmp_path: Path) -> None:
    path = tmp_path / "Eleves.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<STS_EDT>\n</STS_EDT>\n')

    error = feed_error([path])

    assert error.source == Source("Eleves.xml", 2, "STS_EDT")
    assert "Eleves.xml" in error.message
    assert "<STS_EDT>" in error.message
    assert "<BEE_ELEVES>" in error.message


def test_latin_bytes_in_a_file_declared_utf8(tmp_path: Path) -> None:
    content = (FIXTURES / PUPILS).read_text("iso-8859-15")
    path = tmp_path / PUPILS
    path.write_bytes(content.replace("ISO-8859-15", "UTF-8").encode("iso-8859-15"))

    error = feed_error([path])

    # The first non-ASCII byte is the "é" of "Préau" in the comment on line 2.
    assert error.source == Source(PUPILS, 2, "")
    assert "ElevesSansAdresses.xml" in error.message
    assert "UTF-8" in error.message
    assert "line 2" in error.message
    assert "0xe9" in error.message


def test_latin_bytes_without_any_declaration_are_refused_too(tmp_path: Path) -> None:
    path = tmp_path / PUPILS
    path.write_bytes("<BEE_ELEVES>\n<PARAMETRES><UAJ>é</UAJ>".encode("latin-1"))

    error = feed_error([path])

    assert error.source is not None
    assert error.source.line == 2
    assert "UTF-8" in error.message


def test_an_unknown_encoding(tmp_path: Path) -> None:
    path = tmp_path / PUPILS
    path.write_bytes(b'<?xml version="1.0" encoding="KLINGON-8"?>\n<BEE_ELEVES/>\n')

    error = feed_error([path])

    assert error.source == Source(PUPILS, 1, "?xml")
    assert "KLINGON-8" in error.message


def test_another_schools_file(tmp_path: Path) -> None:
    paths = with_variant(tmp_path, NOMENCLATURE, ("<UAJ>0693331W</UAJ>", "<UAJ>0690001B</UAJ>"))

    error = feed_error(paths)

    assert error.source == Source(NOMENCLATURE, 5, "PARAMETRES/UAJ")
    assert "Nomenclature.xml" in error.message
    assert "0690001B" in error.message
    assert UAI in error.message


def test_importing_the_files_for_another_school() -> None:
    error = feed_error(fixtures(), uai="0690001B")

    assert error.source == Source(NOMENCLATURE, 5, "PARAMETRES/UAJ")
    assert "0693331W" in error.message


def test_a_file_without_parametres(tmp_path: Path) -> None:
    path = variant(tmp_path, PUPILS, ("<UAJ>0693331W</UAJ>", ""))

    error = feed_error([path])

    assert error.source == Source(PUPILS, 5, "PARAMETRES/UAJ")
    assert "ElevesSansAdresses.xml" in error.message


def test_two_pupil_files(tmp_path: Path) -> None:
    other = tmp_path / "ElevesAvecAdresses.xml"
    other.write_bytes((FIXTURES / PUPILS).read_bytes())

    error = feed_error([FIXTURES / PUPILS, other])

    assert error.source == Source("ElevesAvecAdresses.xml", 4, "BEE_ELEVES")
    assert "ElevesSansAdresses.xml" in error.message
    assert "ElevesAvecAdresses.xml" in error.message


def test_guardians_without_the_pupils_file() -> None:
    error = feed_error(fixtures(GUARDIANS))

    assert error.source == Source(GUARDIANS)
    assert "ResponsablesAvecAdresses.xml" in error.message
    assert "BEE_ELEVES" in error.message


def test_a_doctype_is_refused(tmp_path: Path) -> None:
    path = tmp_path / PUPILS
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE BEE_ELEVES [<!ENTITY x "x">]>\n<BEE_ELEVES/>\n'
    )

    error = feed_error([path])

    assert error.source == Source(PUPILS, 2, "!DOCTYPE")


def test_a_missing_file() -> None:
    error = feed_error([FIXTURES / "Absent.xml"])

    assert error.source == Source("Absent.xml")
    assert "Absent.xml" in error.message


# Record problems: reported, skipped -------------------------------------------------------------


def test_a_pupil_without_eleve_id_is_skipped_and_so_are_links_to_them(tmp_path: Path) -> None:
    paths = with_variant(
        tmp_path, PUPILS, ('<ELEVE ELEVE_ID="4003" ELENOET="1203">', '<ELEVE ELENOET="1203">')
    )

    records, errors = parse(paths)

    assert [(e.source, "ELEVE_ID" in e.message) for e in errors] == [
        (Source(PUPILS, 37, "ELEVE"), True),
        # Its structures and its guardian now name a pupil the file does not define.
        (Source(PUPILS, 115, "STRUCTURES_ELEVE[@ELEVE_ID=4003]"), False),
        (Source(GUARDIANS, 108, "RESPONSABLE_ELEVE[ELEVE_ID=4003][PERSONNE_ID=7003]"), False),
    ]
    assert "4003" in errors[1].message
    assert "4003" in errors[2].message
    assert key("E", "4003") not in people(records)
    assert key("R", "7003") not in people(records)  # linked to no pupil any more
    assert key("E", "4001") in people(records)


def test_structures_of_an_unknown_pupil(tmp_path: Path) -> None:
    paths = with_variant(
        tmp_path,
        PUPILS,
        ('<STRUCTURES_ELEVE ELEVE_ID="4004"', '<STRUCTURES_ELEVE ELEVE_ID="4999"'),
    )

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(PUPILS, 121, "STRUCTURES_ELEVE[@ELEVE_ID=4999]")
    assert "4999" in error.message
    assert people(records)[key("E", "4004")].memberships[0].class_code == ""


def test_a_guardian_link_to_an_unknown_pupil(tmp_path: Path) -> None:
    paths = with_variant(
        tmp_path, GUARDIANS, ("<ELEVE_ID>4004</ELEVE_ID>", "<ELEVE_ID>4999</ELEVE_ID>")
    )

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(
        GUARDIANS, 115, "RESPONSABLE_ELEVE[ELEVE_ID=4999][PERSONNE_ID=7004]"
    )
    assert "4999" in error.message
    assert key("R", "7004") not in people(records)
    assert people(records)[key("E", "4004")].guardians == []


def test_a_guardian_link_to_an_unknown_person(tmp_path: Path) -> None:
    paths = with_variant(
        tmp_path, GUARDIANS, ("<PERSONNE_ID>7004</PERSONNE_ID>", "<PERSONNE_ID>7999</PERSONNE_ID>")
    )

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(
        GUARDIANS, 115, "RESPONSABLE_ELEVE[ELEVE_ID=4004][PERSONNE_ID=7999]"
    )
    assert "7999" in error.message
    assert people(records)[key("E", "4004")].guardians == []
    assert key("R", "7004") not in people(records)  # their only link is gone


def test_a_link_without_personne_id(tmp_path: Path) -> None:
    paths = with_variant(tmp_path, GUARDIANS, ("<PERSONNE_ID>7004</PERSONNE_ID>", ""))

    _, errors = parse(paths)

    [error] = errors
    assert error.source == Source(GUARDIANS, 115, "RESPONSABLE_ELEVE")
    assert "PERSONNE_ID" in error.message


def test_an_unknown_address_keeps_the_guardian_without_one(tmp_path: Path) -> None:
    paths = with_variant(
        tmp_path, GUARDIANS, ("<ADRESSE_ID>9003</ADRESSE_ID>", "<ADRESSE_ID>9999</ADRESSE_ID>")
    )

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(GUARDIANS, 45, "PERSONNE[@PERSONNE_ID=7004]")
    assert "9999" in error.message
    assert people(records)[key("R", "7004")].address == ""


def test_an_address_inside_the_person_is_read_too(tmp_path: Path) -> None:
    inline = (
        "<ADRESSE><LIGNE1_ADRESSE>1 rue Neuve</LIGNE1_ADRESSE><CODE_POSTAL>69001</CODE_POSTAL>"
        "<LIBELLE_POSTAL>LYON</LIBELLE_POSTAL></ADRESSE>"
    )
    paths = with_variant(
        tmp_path, GUARDIANS, ("<TEL_PERSONNEL>04 74 55 66 77</TEL_PERSONNEL>", inline)
    )

    records, errors = parse(paths)

    assert errors == []
    assert people(records)[key("R", "7007")].address == "1 rue Neuve, 69001 LYON"


def test_a_bad_resp_legal(tmp_path: Path) -> None:
    paths = with_variant(
        tmp_path,
        GUARDIANS,
        ("<RESP_LEGAL>0</RESP_LEGAL>", "<RESP_LEGAL>7</RESP_LEGAL>"),
    )

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(
        GUARDIANS, 129, "RESPONSABLE_ELEVE[ELEVE_ID=4006][PERSONNE_ID=7007]"
    )
    assert "RESP_LEGAL" in error.message
    assert [g.guardian_key for g in people(records)[key("E", "4006")].guardians] == [
        key("R", "7006")
    ]


def test_a_pupil_without_a_name(tmp_path: Path) -> None:
    paths = with_variant(tmp_path, PUPILS, ("<PRENOM>Maël</PRENOM>", "<PRENOM/>"))

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(PUPILS, 49, "ELEVE[@ELEVE_ID=4004]")
    assert "4004" in error.message
    assert key("E", "4004") not in people(records)
    assert key("R", "7004") not in people(records)  # their only guardian goes with them


def test_a_pupil_with_a_bad_birth_date(tmp_path: Path) -> None:
    paths = with_variant(
        tmp_path,
        PUPILS,
        ("<DATE_NAISS>30/06/2013</DATE_NAISS>", "<DATE_NAISS>31/02/2013</DATE_NAISS>"),
    )

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(PUPILS, 37, "ELEVE[@ELEVE_ID=4003]")
    assert "31/02/2013" in error.message
    assert key("E", "4003") not in people(records)


def test_a_pupil_twice(tmp_path: Path) -> None:
    paths = with_variant(tmp_path, PUPILS, ('ELEVE_ID="4002" ELENOET="1202">', 'ELEVE_ID="4001">'))

    records, errors = parse(paths)

    # The second 4001 is skipped; 4002's structures and links now name an unknown pupil.
    assert [e.source.element for e in errors if e.source] == [
        "ELEVE[@ELEVE_ID=4001]",
        "STRUCTURES_ELEVE[@ELEVE_ID=4002]",
        "RESPONSABLE_ELEVE[ELEVE_ID=4002][PERSONNE_ID=7002]",
        "RESPONSABLE_ELEVE[ELEVE_ID=4002][PERSONNE_ID=7001]",
    ]
    assert errors[0].source == Source(PUPILS, 26, "ELEVE[@ELEVE_ID=4001]")
    assert "twice" in errors[0].message
    assert people(records)[key("E", "4001")].first_name == "Léa"


def test_a_second_division_is_reported_and_the_first_kept(tmp_path: Path) -> None:
    paths = with_variant(
        tmp_path,
        PUPILS,
        (
            "<CODE_STRUCTURE>6LAT</CODE_STRUCTURE>\n          <TYPE_STRUCTURE>G",
            "<CODE_STRUCTURE>6B</CODE_STRUCTURE>\n          <TYPE_STRUCTURE>D",
        ),
    )

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(PUPILS, 100, "STRUCTURES_ELEVE[@ELEVE_ID=4001]/STRUCTURE")
    membership = people(records)[key("E", "4001")].memberships[0]
    assert (membership.class_code, membership.group_codes) == ("6A", [])


def test_a_structure_of_unknown_type(tmp_path: Path) -> None:
    paths = with_variant(
        tmp_path,
        PUPILS,
        ("<TYPE_STRUCTURE>G</TYPE_STRUCTURE>", "<TYPE_STRUCTURE>X</TYPE_STRUCTURE>"),
    )

    records, errors = parse(paths)

    [error] = errors
    assert error.source == Source(PUPILS, 100, "STRUCTURES_ELEVE[@ELEVE_ID=4001]/STRUCTURE")
    assert people(records)[key("E", "4001")].memberships[0].group_codes == []
