"""CSV: one file per profile, for schools without AAF (private, primary, agricultural).

A school sends one file of pupils, one of guardians, one of teachers and one of staff (or several
of each, read as one). Each file is read as a stream, one row at a time, whatever its size.

Format
------
- Separator `;` or `,`, taken from the header line (the one that appears more often there).
- Encoding UTF-8 (with or without BOM) or Latin-1/Windows-1252: the first 64 KiB are tried as
  strict UTF-8, and the file is read as Windows-1252 if they are not. A later line that is not
  valid in the chosen encoding is an error naming that line.
- The first non-empty line holds the column names, matched loosely: case, accents, spaces,
  underscores, hyphens and punctuation do not count, and French and English synonyms are
  accepted (`COLUMNS` below lists them all). Unknown columns are ignored and listed in one
  `FeedWarning`. A missing required column (nom and prénom; classe for pupils; at least one
  id enfant for guardians) is a fatal `FeedError` naming the file, the column and its accepted
  names: it is raised, and nothing more of that parse is read.
- Line numbers are physical lines, 1-based, the header being line 1 (a quoted cell spanning
  several lines counts them all; a row is reported at the line it starts on). Empty lines, and
  lines made of separators only, are ignored.
- Every bad row is reported in `errors` as a `FeedError(message, Source(file, line))`, one per
  problem found on it, and skipped; the rest of the file goes on.
- Dates: dd/mm/yyyy, dd-mm-yyyy or yyyy-mm-dd. Civilité: M., M, Mr, Monsieur → "M.";
  Mme, Madame, Mrs, Ms, Mlle, Mademoiselle → "Mme"; empty → "". E-mails are lower-cased.
- Lists inside a cell (groupes, fonction, enseignements, professeur principal) separate their
  items with `|` or `,` (quote the cell in a `,`-separated file).

Keys
----
`PersonRecord.key` is the `identifiant` cell when it is filled in. Otherwise it is derived as
`CSV-{uai}-{profile}-{fold(last name)}-{fold(first name)}-{birth date ISO or "x"}`, for example
`CSV-0690001A-pupil-lefevre-eloise-2014-03-14`. A key seen twice in one parse (across all its
files) is an error on the second row. Guardians name their children by the children's keys,
which are the `identifiant` cells of the pupils' file: pupils imported without identifiant
cannot be linked to guardians, which is why the templates have an `identifiant` column.

Records
-------
Every row gives one `PersonRecord` with `op=Op.ADD` and one `MembershipRecord(school=uai)`:

- pupils: `class_code` from classe, `group_codes` from groupes, `ine` checked loosely
  (11 characters: 10 digits and a letter, or 9 digits and 2 letters);
- teachers: one `AssignmentRecord(school=uai, class_code, subject_code, is_main)` per item of
  the enseignements cell. The syntax is `CLASS` or `CLASS:SUBJECTCODE` items separated by `|`
  or `,`, for example `CM2A:MATHS|CM2A:FRANC|CM1B`. The professeur principal cell lists class
  codes (`CM2A`, or `CM2A|CM1B`): every assignment of such a class gets `is_main=True`, and a
  class listed there but absent from enseignements gets its own assignment
  (`subject_code=""`, `is_main=True`);
- staff: `functions` from fonction: the codes DIR, EVS, ETA, DOC, RES, COL or French/English
  labels (direction, vie scolaire, CPE, administratif, technique, documentation, restauration,
  ATSEM…, see `FUNCTION_NAMES`);
- guardians: `children` lists the children's keys, from the id enfant 1 … id enfant 5 columns.

Guardian links, seen from the guardian's side
---------------------------------------------
`children` is a list of keys and cannot say the level or the kinship, so a guardian's record
ALSO carries, in `guardians`, one `GuardianLinkRecord` per child, in the same order:
`guardians[i]` describes the link to `children[i]`, and there `guardian_key` holds the CHILD's
key (not a guardian's). `level` is 1 (legal representative, the default) or 2 (person in
charge), `kinship` is free text (mère, père, grand-mère…). A guardian's level and kinship come
from the columns `niveau N` / `lien N` for child N when present, otherwise from `niveau` /
`lien` for all their children.

Warnings
--------
`FeedWarning` is a `FeedError` that does not reject anything (unknown columns): it goes into
`errors` like the others and can be told apart with `isinstance` (its `as_dict()` adds
`"warning": True`). Whoever decides that errors block an import should leave warnings out.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from preau.core.sanitize import fold
from preau.directory.feeds.records import (
    WITHOUT_LINKS,
    AssignmentRecord,
    FeedError,
    FeedWarning,
    GuardianLinkRecord,
    MembershipRecord,
    Op,
    ParseProgress,
    PersonRecord,
    Record,
    Source,
)
from preau.directory.models import Function, Profile

TEMPLATE_PROFILES: tuple[str, ...] = (
    Profile.PUPIL.value,
    Profile.GUARDIAN.value,
    Profile.TEACHER.value,
    Profile.STAFF.value,
)
MAX_CHILDREN = 5
SNIFF_BYTES = 64 * 1024


def normalize(text: str) -> str:
    """The form headers and labels are compared in: "Date_de Naissance" -> "datedenaissance"."""
    return re.sub(r"[\W_]+", "", fold(text))


@dataclass(frozen=True)
class Column:
    """A column the parser understands: the record field it fills and its accepted names.

    The first name is the one the templates use and the messages cite.
    """

    field: str
    names: tuple[str, ...]


_PERSON_COLUMNS = (
    Column("key", ("identifiant", "id", "externalid", "external id", "id externe")),
    Column("title", ("civilité", "title", "civ")),
    Column("last_name", ("nom", "lastname", "last name", "surname", "nom de famille")),
    Column("first_name", ("prénom", "prenom", "firstname", "first name", "given name")),
    Column(
        "birth_date",
        ("date de naissance", "birthdate", "birth date", "date_naissance", "date of birth"),
    ),
    Column("email", ("email", "e-mail", "mail", "courriel", "adresse e-mail")),
    Column("phone", ("téléphone", "phone", "tel", "téléphone fixe")),
    Column("mobile", ("portable", "mobile", "téléphone portable", "mobile phone")),
    Column("address", ("adresse", "address", "adresse postale")),
)
_CHILD_NAMES = ("id enfant", "childexternalid", "identifiant enfant", "child id")
_LEVEL_NAMES = ("niveau", "level")
_KINSHIP_NAMES = ("lien", "kinship", "lien de parenté", "relationship")

COLUMNS: dict[str, tuple[Column, ...]] = {
    Profile.PUPIL: (
        *_PERSON_COLUMNS,
        Column("class_code", ("classe", "class", "division")),
        Column("groups", ("groupes", "groups", "groupe", "group")),
        Column("ine", ("ine",)),
    ),
    Profile.GUARDIAN: (
        *_PERSON_COLUMNS,
        Column("level", _LEVEL_NAMES),
        Column("kinship", _KINSHIP_NAMES),
        *(
            Column(f"child:{n}", tuple(f"{name} {n}" for name in _CHILD_NAMES))
            for n in range(1, MAX_CHILDREN + 1)
        ),
        *(
            Column(f"level:{n}", tuple(f"{name} {n}" for name in _LEVEL_NAMES))
            for n in range(1, MAX_CHILDREN + 1)
        ),
        *(
            Column(f"kinship:{n}", tuple(f"{name} {n}" for name in _KINSHIP_NAMES))
            for n in range(1, MAX_CHILDREN + 1)
        ),
    ),
    Profile.TEACHER: (
        *_PERSON_COLUMNS,
        Column("teachings", ("enseignements", "classes", "teachings", "classe", "class")),
        Column("main_classes", ("professeur principal", "main teacher", "prof principal", "pp")),
    ),
    Profile.STAFF: (
        *_PERSON_COLUMNS,
        Column("functions", ("fonction", "function", "fonctions", "functions")),
    ),
}
# "id enfant" without a number is the first child.
_EXTRA_NAMES: dict[str, dict[str, str]] = {
    Profile.GUARDIAN: {normalize(name): "child:1" for name in _CHILD_NAMES}
}

FUNCTION_NAMES: dict[str, Function] = {
    normalize(name): function
    for function, names in {
        Function.DIRECTION: (
            "DIR",
            "direction",
            "directeur",
            "directrice",
            "chef d'établissement",
            "principal",
            "principale",
            "principal adjoint",
            "proviseur",
            "proviseure",
            "proviseur adjoint",
            "management",
        ),
        Function.LIFE: (
            "EVS",
            "vie scolaire",
            "CPE",
            "AED",
            "assistant d'éducation",
            "assistante d'éducation",
            "surveillant",
            "surveillante",
        ),
        Function.ADMINISTRATIVE: (
            "ETA",
            "administratif",
            "administrative",
            "administration",
            "technique",
            "secrétariat",
            "secrétaire",
            "gestionnaire",
            "intendance",
        ),
        Function.LIBRARY: ("DOC", "documentation", "documentaliste", "CDI", "library"),
        Function.CATERING: ("RES", "restauration", "cantine", "cuisine", "catering"),
        Function.LOCAL_AUTHORITY: (
            "COL",
            "collectivité",
            "agent de la collectivité",
            "agent territorial",
            "ATSEM",
            "local authority",
        ),
    }.items()
    for name in names
}
TITLES = {
    **dict.fromkeys(("m", "mr", "monsieur"), "M."),
    **dict.fromkeys(("mme", "madame", "mrs", "ms", "mlle", "mademoiselle"), "Mme"),
}
LEVELS = {
    **dict.fromkeys(("1", "representantlegal", "legal", "legalrepresentative"), 1),
    **dict.fromkeys(("2", "personneencharge", "encharge", "personincharge", "incharge"), 2),
}

_LIST_SEPARATORS = re.compile(r"[|,]")
_INE = re.compile(r"^(?:\d{10}[A-Z]|\d{9}[A-Z]{2})$")
_DMY = re.compile(r"^(\d{1,2})([/-])(\d{1,2})\2(\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UNREADABLE = re.compile("[\udc80-\udcff]")  # bytes kept by "surrogateescape"

_TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    Profile.PUPIL: (
        ("identifiant", "ELV-0001"),
        ("nom", "Lefèvre"),
        ("prénom", "Éloïse"),
        ("date de naissance", "14/03/2014"),
        ("ine", "0123456789A"),
        ("classe", "CM2A"),
        ("groupes", "CHORALE|ANGLAIS"),
        ("email", ""),
    ),
    Profile.GUARDIAN: (
        ("identifiant", "RESP-0001"),
        ("civilité", "Mme"),
        ("nom", "Lefèvre"),
        ("prénom", "Claire"),
        ("email", "claire.lefevre@example.org"),
        ("téléphone", "04 72 00 00 00"),
        ("portable", "06 12 34 56 78"),
        ("adresse", "12 rue des Écoles, 69001 Lyon"),
        ("lien", "mère"),
        ("niveau", "1"),
        ("id enfant 1", "ELV-0001"),
        ("id enfant 2", ""),
        ("id enfant 3", ""),
        ("id enfant 4", ""),
        ("id enfant 5", ""),
    ),
    Profile.TEACHER: (
        ("identifiant", "ENS-0001"),
        ("civilité", "M."),
        ("nom", "Durand"),
        ("prénom", "Paul"),
        ("email", "paul.durand@example.org"),
        ("enseignements", "CM2A:FRANC|CM2A:MATHS|CM1B"),
        ("professeur principal", "CM2A"),
    ),
    Profile.STAFF: (
        ("identifiant", "PER-0001"),
        ("civilité", "Mme"),
        ("nom", "Bernard"),
        ("prénom", "Sophie"),
        ("email", "sophie.bernard@example.org"),
        ("téléphone", "04 72 00 00 01"),
        ("fonction", "direction"),
    ),
}


def template(profile: str) -> str:
    """The downloadable template of a profile: French headers, `;`, one example line.

    The text is meant to be served as UTF-8 (with a BOM, "utf-8-sig", for Excel's sake).
    """
    columns = _TEMPLATES[profile]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow([name for name, _example in columns])
    writer.writerow([example for _name, example in columns])
    return out.getvalue()


def parse(
    paths: Sequence[Path],
    *,
    uai: str,
    profile: str,
    errors: list[FeedError],
    progress: ParseProgress | None = None,
) -> Iterator[Record]:
    """Stream the person records of CSV files of one profile (see the module's docstring).

    Bad rows go to `errors` and are skipped; a file that cannot be read at all (no header, a
    required column missing) raises a `FeedError`.
    """
    if profile not in TEMPLATE_PROFILES:
        raise ValueError(f"CSV files do not describe the profile {profile!r}")
    sizes = [path.stat().st_size for path in paths]
    if progress is not None:
        progress.total = sum(sizes)
        progress.done = 0
    seen: dict[str, Source] = {}
    offset = 0
    for path, size in zip(paths, sizes, strict=True):
        file = _File(path, uai=uai, profile=profile, errors=errors, seen=seen)
        yield from file.records(progress, offset)
        offset += size
        if progress is not None:
            progress.done = offset


def _detect_encoding(head: bytes, *, complete: bool) -> str:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _detect_separator(header_line: str) -> str:
    return "," if header_line.count(",") > header_line.count(";") else ";"


def _split_list(value: str) -> list[str]:
    """The items of a `|`- or `,`-separated cell, stripped, without blanks or repeats."""
    items = (item.strip() for item in _LIST_SEPARATORS.split(value))
    return list(dict.fromkeys(item for item in items if item))


def _clean_name(value: str) -> str:
    return " ".join(value.split())


def parse_date(value: str) -> dt.date | None:
    """dd/mm/yyyy, dd-mm-yyyy or yyyy-mm-dd; None when the text is none of these."""
    if match := _DMY.match(value):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    elif match := _YMD.match(value):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


class _File:
    """One file being read: its header, its columns, and the checks of each row."""

    def __init__(
        self,
        path: Path,
        *,
        uai: str,
        profile: str,
        errors: list[FeedError],
        seen: dict[str, Source],
    ) -> None:
        self.path = path
        self.name = path.name
        self.uai = uai
        self.profile = profile
        self.errors = errors
        self.seen = seen
        self.encoding = "utf-8-sig"
        self.separator = ";"
        self.fields: list[str | None] = []  # per cell: the field it fills, or None
        self.headers: dict[str, str] = {}  # field → the header as the file writes it
        self.row_errors: list[str] = []

    # Reading -----------------------------------------------------------------------------

    def records(self, progress: ParseProgress | None, offset: int) -> Iterator[PersonRecord]:
        with self.path.open("rb") as raw:
            head = raw.read(SNIFF_BYTES)
            self.encoding = _detect_encoding(head, complete=len(head) < SNIFF_BYTES)
            raw.seek(0)
            with io.TextIOWrapper(
                raw, encoding=self.encoding, errors="surrogateescape", newline=""
            ) as text:
                yield from self._rows(self._lines(text, progress, offset))

    def _lines(self, text: IO[str], progress: ParseProgress | None, offset: int) -> Iterator[str]:
        done = offset
        for line in text:
            if self.encoding == "cp1252":
                done += len(line)
            else:
                done += len(line.encode("utf-8", "surrogateescape"))
            if progress is not None:
                progress.done = done
            yield line

    def _rows(self, lines: Iterator[str]) -> Iterator[PersonRecord]:
        header_line = 0
        for line in lines:
            header_line += 1
            if line.strip():
                self.separator = _detect_separator(line)
                header = next(csv.reader([line], delimiter=self.separator), [])
                self._read_header(header, Source(self.name, header_line))
                break
        else:
            raise FeedError(
                _("The file %(file)s is empty: its first line should name the columns.")
                % {"file": self.name},
                Source(self.name),
            )
        reader = csv.reader(lines, delimiter=self.separator)
        reader_offset = header_line  # lines read before the reader started
        end = header_line
        while True:
            start = end + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                end = reader_offset + reader.line_num
                self.errors.append(
                    FeedError(
                        _("This line cannot be read as CSV: %(reason)s") % {"reason": exc},
                        Source(self.name, start),
                    )
                )
                continue
            end = reader_offset + reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            record = self._row(cells, Source(self.name, start))
            if record is not None:
                yield record

    def _read_header(self, header: Iterable[str], source: Source) -> None:
        known: dict[str, str] = {}
        for column in COLUMNS[self.profile]:
            for name in column.names:
                known[normalize(name)] = column.field
        known.update(_EXTRA_NAMES.get(self.profile, {}))
        unknown: list[str] = []
        for raw_name in header:
            name = raw_name.lstrip("\ufeff").strip()
            field = known.get(normalize(name))
            if field is None:
                if name:
                    unknown.append(name)
            elif field in self.headers:
                raise FeedError(
                    _(
                        "The file %(file)s has two columns for the same thing: “%(first)s” and "
                        "“%(second)s”. Keep only one of them."
                    )
                    % {"file": self.name, "first": self.headers[field], "second": name},
                    source,
                )
            else:
                self.headers[field] = name
            self.fields.append(field)
        self._check_required(source)
        if unknown:
            self.errors.append(
                FeedWarning(
                    _(
                        "The file %(file)s has columns Préau does not know; they were ignored: "
                        "%(columns)s."
                    )
                    % {"file": self.name, "columns": ", ".join(f"“{n}”" for n in unknown)},
                    source,
                )
            )

    def _check_required(self, source: Source) -> None:
        by_field = {column.field: column for column in COLUMNS[self.profile]}
        required = ["last_name", "first_name"]
        if self.profile == Profile.PUPIL:
            required.append("class_code")
        for field in required:
            if field not in self.headers:
                column = by_field[field]
                raise FeedError(
                    _("The file %(file)s has no “%(column)s” column (accepted names: %(names)s).")
                    % {
                        "file": self.name,
                        "column": column.names[0],
                        "names": ", ".join(column.names),
                    },
                    source,
                )
        if self.profile == Profile.GUARDIAN and not any(
            f"child:{n}" in self.headers for n in range(1, MAX_CHILDREN + 1)
        ):
            raise FeedError(
                _(
                    "The file %(file)s has no column naming the children: add “id enfant 1” "
                    "(accepted names: %(names)s, numbered 1 to %(max)s)."
                )
                % {"file": self.name, "names": ", ".join(_CHILD_NAMES), "max": MAX_CHILDREN},
                source,
            )

    # Rows --------------------------------------------------------------------------------

    def _problem(self, message: str) -> None:
        self.row_errors.append(message)

    def _row(self, cells: list[str], source: Source) -> PersonRecord | None:
        if len(cells) != len(self.fields):
            self.errors.append(
                FeedError(
                    _(
                        "This line has %(found)s cells where the header has %(expected)s: "
                        "check for a missing or stray “%(separator)s”."
                    )
                    % {
                        "found": len(cells),
                        "expected": len(self.fields),
                        "separator": self.separator,
                    },
                    source,
                )
            )
            return None
        if any(_UNREADABLE.search(cell) for cell in cells):
            self.errors.append(
                FeedError(
                    _(
                        "This line has characters that cannot be read as %(encoding)s: save the "
                        "whole file as UTF-8 and import it again."
                    )
                    % {"encoding": "UTF-8" if self.encoding == "utf-8-sig" else "Windows-1252"},
                    source,
                )
            )
            return None
        values = {
            field: cell.strip()
            for field, cell in zip(self.fields, cells, strict=True)
            if field is not None
        }
        self.row_errors = []
        record = self._person(values, source)
        if self.profile == Profile.PUPIL:
            self._pupil(record, values)
        elif self.profile == Profile.GUARDIAN:
            self._guardian(record, values)
        elif self.profile == Profile.TEACHER:
            self._teacher(record, values)
        else:
            self._staff(record, values)
        if not self.row_errors:
            self._check_duplicate(record, values)
        if self.row_errors:
            self.errors.extend(FeedError(message, source) for message in self.row_errors)
            return None
        return record

    def _person(self, values: dict[str, str], source: Source) -> PersonRecord:
        last_name = _clean_name(values["last_name"])
        first_name = _clean_name(values["first_name"])
        for field, value in (("last_name", last_name), ("first_name", first_name)):
            if not value:
                self._problem(
                    _("The “%(column)s” cell is empty.") % {"column": self.headers[field]}
                )
        birth_date = None
        if raw_date := values.get("birth_date", ""):
            birth_date = parse_date(raw_date)
            if birth_date is None:
                self._problem(
                    _("“%(value)s” is not a date: write it as dd/mm/yyyy, for example 14/03/2014.")
                    % {"value": raw_date}
                )
        email = values.get("email", "").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self._problem(_("“%(value)s” is not an e-mail address.") % {"value": email})
        title = ""
        if raw_title := values.get("title", ""):
            if normalize(raw_title) in TITLES:
                title = TITLES[normalize(raw_title)]
            else:
                self._problem(
                    _("“%(value)s” is not a civilité: write M. or Mme, or leave it empty.")
                    % {"value": raw_title}
                )
        key = values.get("key", "")
        if not key:
            key = "-".join(
                (
                    "CSV",
                    self.uai,
                    self.profile,
                    fold(last_name),
                    fold(first_name),
                    birth_date.isoformat() if birth_date else "x",
                )
            )
        return PersonRecord(
            key=key,
            profile=self.profile,
            source=source,
            op=Op.ADD,
            first_name=first_name,
            last_name=last_name,
            title=title,
            birth_date=birth_date,
            email=email,
            phone=values.get("phone", ""),
            mobile=values.get("mobile", ""),
            address=values.get("address", "").replace("\r\n", "\n"),
            # A pupils' file says nothing of guardians: it leaves the pupils' links alone.
            present=WITHOUT_LINKS if self.profile == Profile.PUPIL else None,
        )

    def _check_duplicate(self, record: PersonRecord, values: dict[str, str]) -> None:
        who = values.get("key") or " ".join(
            part
            for part in (
                record.last_name,
                record.first_name,
                record.birth_date.strftime("%d/%m/%Y") if record.birth_date else "",
            )
            if part
        )
        if record.key in self.seen:
            first = self.seen[record.key]
            self._problem(
                _(
                    "%(who)s already appears at line %(line)s of %(file)s: each person may "
                    "appear only once."
                )
                % {"who": f"“{who}”", "line": first.line, "file": first.file}
            )
        else:
            self.seen[record.key] = record.source

    def _pupil(self, record: PersonRecord, values: dict[str, str]) -> None:
        class_code = values["class_code"]
        if not class_code:
            self._problem(
                _("This pupil has no class: fill in the “%(column)s” cell.")
                % {"column": self.headers["class_code"]}
            )
        ine = re.sub(r"\s+", "", values.get("ine", "")).upper()
        if ine and not _INE.match(ine):
            self._problem(
                _(
                    "“%(value)s” is not an INE: it has 11 characters, 10 digits and a letter or "
                    "9 digits and 2 letters."
                )
                % {"value": values["ine"]}
            )
        record.ine = ine
        record.memberships = [
            MembershipRecord(
                school=self.uai,
                profile=self.profile,
                class_code=class_code,
                group_codes=_split_list(values.get("groups", "")),
            )
        ]

    def _guardian(self, record: PersonRecord, values: dict[str, str]) -> None:
        record.memberships = [MembershipRecord(school=self.uai, profile=self.profile)]
        default_level = self._level(values.get("level", ""))
        default_kinship = values.get("kinship", "")
        for n in range(1, MAX_CHILDREN + 1):
            child = values.get(f"child:{n}", "")
            if not child or child in record.children:
                continue
            level = default_level
            if raw_level := values.get(f"level:{n}", ""):
                level = self._level(raw_level)
            record.children.append(child)
            record.guardians.append(
                GuardianLinkRecord(
                    guardian_key=child,
                    level=level,
                    kinship=values.get(f"kinship:{n}", "") or default_kinship,
                )
            )
        if not record.children:
            self._problem(
                _(
                    "This guardian has no child: write the identifiant of at least one child "
                    "in an “id enfant” cell."
                )
            )

    def _level(self, value: str) -> int:
        if not value:
            return 1
        level = LEVELS.get(normalize(value))
        if level is None:
            self._problem(
                _(
                    "“%(value)s” is not a level of responsibility: write 1 (legal "
                    "representative) or 2 (person in charge)."
                )
                % {"value": value}
            )
            return 1
        return level

    def _teacher(self, record: PersonRecord, values: dict[str, str]) -> None:
        record.memberships = [MembershipRecord(school=self.uai, profile=self.profile)]
        main = _split_list(values.get("main_classes", ""))
        pairs: list[tuple[str, str]] = []
        for item in _split_list(values.get("teachings", "")):
            parts = [part.strip() for part in item.split(":")]
            if len(parts) > 2 or not parts[0]:
                self._problem(
                    _(
                        "“%(value)s” is not a class taught: write CLASS or CLASS:SUBJECT, for "
                        "example CM2A:MATHS."
                    )
                    % {"value": item}
                )
                continue
            pair = (parts[0], parts[1] if len(parts) == 2 else "")
            if pair not in pairs:
                pairs.append(pair)
        taught = {class_code for class_code, _subject in pairs}
        pairs.extend((class_code, "") for class_code in main if class_code not in taught)
        record.assignments = [
            AssignmentRecord(
                school=self.uai,
                class_code=class_code,
                subject_code=subject,
                is_main=class_code in main,
            )
            for class_code, subject in pairs
        ]

    def _staff(self, record: PersonRecord, values: dict[str, str]) -> None:
        functions: list[str] = []
        for item in _split_list(values.get("functions", "")):
            function = FUNCTION_NAMES.get(normalize(item))
            if function is None:
                self._problem(
                    _(
                        "“%(value)s” is not a known function: write DIR, EVS, ETA, DOC, RES or "
                        "COL, or direction, vie scolaire, administratif, documentation, "
                        "restauration, collectivité."
                    )
                    % {"value": item}
                )
            elif function.value not in functions:
                functions.append(function.value)
        record.memberships = [
            MembershipRecord(school=self.uai, profile=self.profile, functions=functions)
        ]
