"""AAF: the académie's directory feed (`ficAlimMENESR` XML), complete sets and daily deltas.

Reads the six file types (`EtabEducNat`, `MatiereEducNat`, `MefEducNat`, `PersEducNat`,
`Eleve`, `PersRelEleve`), each possibly split in pages `_0000`, `_0001`…, in UTF-8 or
ISO-8859-15 (the XML declaration says which). Parsing streams with expat: one request
(`addRequest`, `modifyRequest`, `deleteRequest`) is held in memory at a time, whatever the size
of the file, and every record carries the file name and the line of its request.

Files are taken in a fixed order — structures, subjects, levels, staff, pupils, guardians — so
that every reference points back to something already read or already in the directory.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from django.utils.translation import gettext as _

from preau.directory.feeds.records import (
    AssignmentRecord,
    DeleteRecord,
    FeedError,
    Field,
    GuardianLinkRecord,
    LevelRecord,
    MembershipRecord,
    Op,
    ParseProgress,
    PersonRecord,
    Record,
    Source,
    StructureRecord,
    SubjectRecord,
)
from preau.directory.models import Function, Profile, School

# File type → the order it is read in.
FILE_TYPES = ("EtabEducNat", "MatiereEducNat", "MefEducNat", "PersEducNat", "Eleve", "PersRelEleve")
FILE_NAME_RE = re.compile(
    r"_(?P<kind>Complet|Delta)_(?P<date>\d{8})_(?P<type>"
    + "|".join(FILE_TYPES)
    + r")_(?P<page>\d+)",
    re.IGNORECASE,
)
CATEGORIES = {
    ("categorieStructure", "Etablissement"): "structure",
    ("categorieMatiere", "Matiere"): "subject",
    ("categorieMef", "Mef"): "level",
    ("categoriePersonne", "PersEducNat"): "staff",
    ("categoriePersonne", "Eleve"): "pupil",
    ("categoriePersonne", "PersRelEleve"): "guardian",
}
# AAF staff function codes → Préau's functions (ENS makes a teacher).
FUNCTIONS = {
    "DIR": Function.DIRECTION,
    "DOC": Function.LIBRARY,
    "CPE": Function.LIFE,
    "EDU": Function.LIFE,
    "AED": Function.LIFE,
    "SUR": Function.LIFE,
    "ADF": Function.ADMINISTRATIVE,
    "TEC": Function.ADMINISTRATIVE,
    "LAB": Function.ADMINISTRATIVE,
    "OUV": Function.ADMINISTRATIVE,
    "COL": Function.LOCAL_AUTHORITY,
    "RES": Function.CATERING,
}
STRUCTURE_KINDS = {
    "COLLEGE": School.Kind.COLLEGE,
    "CLG": School.Kind.COLLEGE,
    "LYCEE": School.Kind.LYCEE,
    "LYC": School.Kind.LYCEE,
    "LGT": School.Kind.LYCEE,
    "LP": School.Kind.LP,
    "LYCEE PROFESSIONNEL": School.Kind.LP,
    "EREA": School.Kind.EREA,
    "ECOLE": School.Kind.ECOLE,
    "LEGTA": School.Kind.LYCEE_AGRICOLE,
    "LPA": School.Kind.LYCEE_AGRICOLE,
    "LYCEE AGRICOLE": School.Kind.LYCEE_AGRICOLE,
}
# Attribute → the field group a modifyRequest replaces.
PERSON_FIELDS = {
    "sn": Field.NAMES,
    "givenName": Field.NAMES,
    "personalTitle": Field.NAMES,
    "ENTPersonDateNaissance": Field.BIRTH_DATE,
    "mail": Field.EMAIL,
    "ENTEleveINE": Field.INE,
    "homePhone": Field.CONTACT,
    "telephoneNumber": Field.CONTACT,
    "mobile": Field.CONTACT,
    "ENTPersonMobileSMS": Field.CONTACT,
    "ENTPersonAdresse": Field.CONTACT,
    "ENTPersonCodePostal": Field.CONTACT,
    "ENTPersonVille": Field.CONTACT,
    "ENTPersonStructRattach": Field.MEMBERSHIPS,
    "ENTEleveStructRattachId": Field.MEMBERSHIPS,
    "ENTEleveClasses": Field.MEMBERSHIPS,
    "ENTEleveGroupes": Field.GROUPS,
    "ENTEleveMEF": Field.MEMBERSHIPS,
    "ENTPersonFonctions": Field.MEMBERSHIPS,
    "PersEducNatPresenceDevantEleves": Field.MEMBERSHIPS,
    "ENTAuxEnsClassesMatieres": Field.ASSIGNMENTS,
    "ENTAuxEnsGroupesMatieres": Field.ASSIGNMENTS,
    "ENTAuxEnsClassesPrincipal": Field.ASSIGNMENTS,
    "ENTElevePersRelEleve": Field.GUARDIANS,
    "ENTAuxPersRelEleveEleve": Field.CHILDREN,
}


def file_type(path: Path) -> tuple[str, bool, int]:
    """(type, is_complete, page) from an AAF file name, or a FeedError naming the file."""
    match = FILE_NAME_RE.search(path.name)
    if match is None:
        raise FeedError(
            _(
                "This file name is not an AAF file name (ENT_…_Complet_YYYYMMDD_Type_0000.xml "
                "or …_Delta_…); the type must be one of %(types)s."
            )
            % {"types": ", ".join(FILE_TYPES)},
            Source(path.name),
        )
    kind = next(t for t in FILE_TYPES if t.lower() == match["type"].lower())
    return kind, match["kind"].lower() == "complet", int(match["page"])


def ordered(paths: Sequence[Path]) -> list[Path]:
    """The files in reading order: by type (structures first), then page."""

    def rank(path: Path) -> tuple[int, int, str]:
        kind, _complete, page = file_type(path)
        return FILE_TYPES.index(kind), page, path.name

    return sorted(paths, key=rank)


def covered_profiles(paths: Sequence[Path]) -> set[str]:
    """The profiles a complete set speaks for: whoever of them is absent leaves."""
    profiles: set[str] = set()
    for path in paths:
        kind, _complete, _page = file_type(path)
        profiles |= {
            "PersEducNat": {Profile.TEACHER, Profile.STAFF},
            "Eleve": {Profile.PUPIL},
            "PersRelEleve": {Profile.GUARDIAN},
        }.get(kind, set())
    return {str(p) for p in profiles}


class _CountingReader:
    """A binary file that adds what it reads to a progress counter."""

    def __init__(self, raw: IO[bytes], progress: ParseProgress | None) -> None:
        self.raw = raw
        self.progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if self.progress is not None:
            self.progress.done += len(data)
        return data


class _Request:
    def __init__(self, op: str, line: int) -> None:
        self.op = op
        self.line = line
        self.operational: dict[str, list[str]] = {}
        self.identifier = ""
        self.attrs: dict[str, list[str]] = {}


class _Handler:
    """Collects one request at a time; `_requests` drains `ready` between reads.

    Driven by expat directly (no SAX layer: a complete académie is millions of elements).
    """

    REQUESTS = {"addRequest": Op.ADD, "modifyRequest": Op.MODIFY, "deleteRequest": Op.DELETE}
    SECTIONS = frozenset({"operationalAttributes", "attributes", "modifications", "identifier"})

    def __init__(self, file_name: str, parser: Any) -> None:
        self.file_name = file_name
        self.parser = parser
        self.ready: list[_Request] = []
        self.request: _Request | None = None
        self.section = ""
        self.target: dict[str, list[str]] = {}
        self.attr_name = ""
        self.text: list[str] = []
        self.in_value = False
        self.seen_root = False

    def line(self) -> int:
        return int(self.parser.CurrentLineNumber)

    def doctype(self, name: str, *args: Any) -> None:
        # AAF files have none; refusing it refuses entities, and with them entity expansion.
        raise FeedError(
            _("An AAF file has no DOCTYPE: this one declares <!DOCTYPE %(name)s>.")
            % {"name": name},
            Source(self.file_name, self.line()),
        )

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if not self.seen_root:
            self.seen_root = True
            if name != "ficAlimMENESR":
                raise FeedError(
                    _("The root element is <%(name)s>; an AAF file starts with <ficAlimMENESR>.")
                    % {"name": name},
                    Source(self.file_name, self.line(), name),
                )
            return
        request = self.request
        if name in self.REQUESTS:
            self.request = _Request(self.REQUESTS[name], self.line())
        elif request is None:
            return
        elif name in {"value", "id"}:
            self.in_value = True
            self.text = []
        elif name in {"attr", "modification"}:
            self.attr_name = attrs.get("name", "")
            self.target.setdefault(self.attr_name, [])
        elif name in self.SECTIONS:
            self.section = name
            self.target = request.operational if name == "operationalAttributes" else request.attrs

    def characters(self, content: str) -> None:
        if self.in_value:
            self.text.append(content)

    def end(self, name: str) -> None:
        request = self.request
        if request is None:
            return
        if name in {"value", "id"}:
            self.in_value = False
            value = "".join(self.text).strip()
            if self.section == "identifier":
                request.identifier = value
            elif self.attr_name and value:
                self.target[self.attr_name].append(value)
        elif name in self.REQUESTS:
            self.ready.append(request)
            self.request = None
        elif name in self.SECTIONS:
            self.section = ""


def _requests(path: Path, progress: ParseProgress | None) -> Iterator[_Request]:
    """Stream the requests of one file, translating XML errors into FeedErrors."""
    parser = expat.ParserCreate()  # the encoding comes from the XML declaration
    parser.buffer_text = True
    handler = _Handler(path.name, parser)
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.characters
    parser.StartDoctypeDeclHandler = handler.doctype
    with path.open("rb") as raw:
        reader = _CountingReader(raw, progress)
        try:
            while chunk := reader.read(256 * 1024):
                parser.Parse(chunk, False)
                yield from handler.ready
                handler.ready.clear()
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise FeedError(
                _(
                    "The XML is not well formed (%(reason)s). If the file is complete, check that "
                    "the encoding its first line declares is the file's real encoding."
                )
                % {"reason": expat.ErrorString(exc.code)},
                Source(path.name, exc.lineno),
            ) from exc
    if not handler.seen_root:
        raise FeedError(_("This file is empty."), Source(path.name))
    yield from handler.ready


def _first(attrs: dict[str, list[str]], name: str) -> str:
    values = attrs.get(name) or [""]
    return values[0]


def _date(value: str, source: Source) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        raise FeedError(
            _("“%(value)s” is not a date in the form dd/mm/yyyy.") % {"value": value}, source
        ) from None


def _split(value: str, count: int, source: Source, attr: str) -> list[str]:
    parts = value.split("$")
    if len(parts) < count or not parts[0]:
        raise FeedError(
            _("The value “%(value)s” of %(attr)s should have %(count)d fields separated by $.")
            % {"value": value, "attr": attr, "count": count},
            source,
        )
    return parts


def _category(request: _Request, source: Source) -> str:
    for (attr, value), category in CATEGORIES.items():
        if value in request.operational.get(attr, []):
            return category
    found = "; ".join(f"{k}={','.join(v)}" for k, v in request.operational.items()) or "—"
    raise FeedError(
        _("Unknown category (%(found)s): expected a person, structure, subject or MEF category.")
        % {"found": found},
        source,
    )


def _structure(key: str, attrs: dict[str, list[str]], source: Source) -> StructureRecord:
    uai = _first(attrs, "ENTStructureUAI").upper()
    if not uai:
        raise FeedError(_("This structure has no UAI (ENTStructureUAI)."), source)
    contract = _first(attrs, "ENTEtablissementContrat").upper()
    ministry = _first(attrs, "ENTEtablissementMinistereTutelle").upper()
    sector = (
        School.Sector.AGRICULTURAL
        if "AGRI" in ministry
        else (School.Sector.PUBLIC if contract in {"", "PU"} else School.Sector.PRIVATE)
    )

    def pairs(attr: str) -> list[tuple[str, str]]:
        out = []
        for value in attrs.get(attr, []):
            code, _sep, label = value.partition("$")
            out.append((code.strip(), label.strip() or code.strip()))
        return out

    return StructureRecord(
        key=key,
        uai=uai,
        source=source,
        name=_first(attrs, "ENTStructureNomCourant"),
        kind=STRUCTURE_KINDS.get(_first(attrs, "ENTStructureTypeStruct").upper(), ""),
        sector=sector,
        city=_first(attrs, "l"),
        classes=pairs("ENTStructureClasses"),
        groups=pairs("ENTStructureGroupes"),
    )


def _address(attrs: dict[str, list[str]]) -> str:
    street = " ".join(attrs.get("ENTPersonAdresse", []))
    town = " ".join(
        v for v in (_first(attrs, "ENTPersonCodePostal"), _first(attrs, "ENTPersonVille")) if v
    )
    return ", ".join(v for v in (street, town) if v)


def _pupil_memberships(attrs: dict[str, list[str]], source: Source) -> list[MembershipRecord]:
    schools: dict[str, MembershipRecord] = {}

    def membership(school: str) -> MembershipRecord:
        return schools.setdefault(
            school,
            MembershipRecord(
                school=school, profile=Profile.PUPIL, level_code=_first(attrs, "ENTEleveMEF")
            ),
        )

    main = _first(attrs, "ENTEleveStructRattachId") or _first(attrs, "ENTPersonStructRattach")
    if main:
        membership(main)
    for value in attrs.get("ENTEleveClasses", []):
        school, code = _split(value, 2, source, "ENTEleveClasses")[:2]
        membership(school).class_code = code
    for value in attrs.get("ENTEleveGroupes", []):
        school, code = _split(value, 2, source, "ENTEleveGroupes")[:2]
        membership(school).group_codes.append(code)
    return list(schools.values())


def _staff(  # noqa: PLR0912 - functions, services and main classes of one person
    attrs: dict[str, list[str]], source: Source
) -> tuple[str, list[MembershipRecord], list[AssignmentRecord]]:
    functions: dict[str, set[str]] = {}
    teaches: set[str] = set()
    for value in attrs.get("ENTPersonFonctions", []):
        parts = _split(value, 2, source, "ENTPersonFonctions")
        school, code = parts[0], parts[1].upper()
        functions.setdefault(school, set())
        if code == "ENS":
            teaches.add(school)
        elif code in FUNCTIONS:
            functions[school].add(FUNCTIONS[code])
    main = _first(attrs, "ENTPersonStructRattach")
    in_front = _first(attrs, "PersEducNatPresenceDevantEleves").upper() == "O"
    if main and main not in functions:
        functions[main] = set()
        if in_front:
            teaches.add(main)

    assignments: dict[tuple[str, str, str], AssignmentRecord] = {}
    for attr, is_group in (("ENTAuxEnsClassesMatieres", False), ("ENTAuxEnsGroupesMatieres", True)):
        for value in attrs.get(attr, []):
            school, code, subject = [*_split(value, 3, source, attr), ""][:3]
            record = AssignmentRecord(school=school, subject_code=subject)
            if is_group:
                record.group_code = code
            else:
                record.class_code = code
            assignments[(school, ("G:" if is_group else "C:") + code, subject)] = record
            teaches.add(school)
    for value in attrs.get("ENTAuxEnsClassesPrincipal", []):
        school, code = _split(value, 2, source, "ENTAuxEnsClassesPrincipal")[:2]
        same = [a for k, a in assignments.items() if k[:2] == (school, "C:" + code)]
        if same:
            same[0].is_main = True
        else:
            assignments[(school, "C:" + code, "")] = AssignmentRecord(
                school=school, class_code=code, is_main=True
            )
        teaches.add(school)

    memberships = []
    for school, codes in functions.items():
        if school in teaches:
            memberships.append(MembershipRecord(school=school, profile=Profile.TEACHER))
        if codes or school not in teaches:
            memberships.append(
                MembershipRecord(school=school, profile=Profile.STAFF, functions=sorted(codes))
            )
    for school in teaches - functions.keys():
        memberships.append(MembershipRecord(school=school, profile=Profile.TEACHER))
    profile = Profile.TEACHER if teaches else Profile.STAFF
    return profile, memberships, list(assignments.values())


def _guardian_links(attrs: dict[str, list[str]], source: Source) -> list[GuardianLinkRecord]:
    links = []
    for priority, value in enumerate(attrs.get("ENTElevePersRelEleve", []), start=1):
        parts = _split(value, 6, source, "ENTElevePersRelEleve")
        try:
            level = int(parts[3] or 1)
        except ValueError:
            level = 0
        if level not in {1, 2}:
            raise FeedError(
                _("The responsibility level in “%(value)s” should be 1 or 2.") % {"value": value},
                source,
            )
        links.append(
            GuardianLinkRecord(
                guardian_key=parts[0], level=level, kinship=parts[1], contact_priority=priority
            )
        )
    return links


def _person(
    category: str, op: Op, key: str, attrs: dict[str, list[str]], source: Source
) -> PersonRecord:
    present = (
        None if op == Op.ADD else frozenset(PERSON_FIELDS[a] for a in attrs if a in PERSON_FIELDS)
    )
    title = _first(attrs, "personalTitle")
    record = PersonRecord(
        key=key,
        profile=category,
        source=source,
        op=op,
        first_name=_first(attrs, "givenName"),
        last_name=_first(attrs, "sn"),
        title={"M": "M.", "M.": "M.", "MME": "Mme", "MLLE": "Mme"}.get(title.upper(), ""),
        birth_date=_date(_first(attrs, "ENTPersonDateNaissance"), source),
        email=_first(attrs, "mail"),
        ine=_first(attrs, "ENTEleveINE").upper(),
        phone=_first(attrs, "homePhone") or _first(attrs, "telephoneNumber"),
        mobile=_first(attrs, "mobile") or _first(attrs, "ENTPersonMobileSMS"),
        address=_address(attrs),
        present=present,
    )
    if op == Op.ADD and not (record.first_name and record.last_name):
        raise FeedError(_("This person has no name (sn and givenName are required)."), source)
    if category == "pupil":
        record.profile = Profile.PUPIL
        record.memberships = _pupil_memberships(attrs, source)
        record.guardians = _guardian_links(attrs, source)
    elif category == "staff":
        record.profile, record.memberships, record.assignments = _staff(attrs, source)
    else:
        record.profile = Profile.GUARDIAN
        record.children = list(attrs.get("ENTAuxPersRelEleveEleve", []))
    if op == Op.ADD and not record.memberships and category != "guardian":
        raise FeedError(
            _("This person is attached to no structure (ENTPersonStructRattach)."), source
        )
    return record


def _record(request: _Request, source: Source) -> Record | None:
    """The record of one request (None for a request that asks nothing of Préau)."""
    category = _category(request, source)
    attrs = request.attrs
    key = request.identifier or (
        _first(attrs, "ENTPersonJointure") or _first(attrs, "ENTStructureJointure")
    )
    if not key:
        raise FeedError(_("This request has no join key (identifier/id)."), source)
    if request.op == Op.DELETE:
        if category in {"subject", "level"}:
            return None  # subjects and MEFs stay: old classes and assignments name them
        kind = "structure" if category == "structure" else "person"
        return DeleteRecord(kind=kind, key=key, source=source)
    if category == "structure":
        return _structure(key, attrs, source)
    if category == "subject":
        code = _first(attrs, "ENTMatJointure") or key
        return SubjectRecord(
            code=code, label=_first(attrs, "ENTLibelleMatiere") or code, source=source
        )
    if category == "level":
        code = _first(attrs, "ENTMefJointure") or key
        return LevelRecord(code=code, label=_first(attrs, "ENTLibelleMef") or code, source=source)
    return _person(category, Op(request.op), key, attrs, source)


def parse(
    paths: Sequence[Path], *, errors: list[FeedError], progress: ParseProgress | None = None
) -> Iterator[Record]:
    """Stream the records of an AAF set. Structural problems raise FeedError; a bad request is
    appended to `errors` (naming its file and line) and skipped, so every problem is reported."""
    paths = ordered(paths)
    if progress is not None:
        progress.total = sum(p.stat().st_size for p in paths)
    for path in paths:
        for request in _requests(path, progress):
            source = Source(path.name, request.line)
            try:
                record = _record(request, source)
            except FeedError as exc:
                errors.append(exc)
                continue
            if record is not None:
                yield record
