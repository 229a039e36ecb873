"""SIECLE exports of one school → feed records (pure Python, no database).

Reads the files SIECLE (the BEE base) exports for one school. Each file is recognised by its root
element, whatever its name and wherever it is in `paths`:

- `BEE_NOMENCLATURES` (Nomenclature.xml): `DONNEES/MEFS/MEF[@CODE_MEF]` → `LevelRecord`,
  `DONNEES/MATIERES/MATIERE[@CODE_MATIERE]` → `SubjectRecord`. The label is LIBELLE_EDITION (mixed
  case, accented), else LIBELLE_LONG, else LIBELLE_COURT, else the code.
- `BEE_ELEVES` (ElevesSansAdresses.xml or ElevesAvecAdresses.xml): `DONNEES/ELEVES/ELEVE[@ELEVE_ID]`
  and `DONNEES/STRUCTURES/STRUCTURES_ELEVE[@ELEVE_ID]/STRUCTURE` → one `PersonRecord` (profile
  "pupil") per pupil still in the school, with one `MembershipRecord` (class_code: the division,
  TYPE_STRUCTURE D; group_codes: the groups, G; level_code: CODE_MEF). A pupil with a DATE_SORTIE
  has left: they are skipped silently, and so are their structures and guardian links. Also one
  `StructureRecord` (key = uai) listing the divisions and groups the pupils are in; SIECLE gives
  no labels, so each label is "" (unknown), and no group_classes (STS-Web gives both).
- `BEE_RESPONSABLES` (ResponsablesAvecAdresses.xml): `DONNEES/PERSONNES/PERSONNE[@PERSONNE_ID]`,
  `DONNEES/ADRESSES/ADRESSE[@ADRESSE_ID]` (or an ADRESSE inside the PERSONNE) and
  `DONNEES/RESPONSABLES/RESPONSABLE_ELEVE` → one `PersonRecord` (profile "guardian") per person
  linked to at least one pupil in the school. The links go on the pupils' records (`guardians`);
  the guardians' `children` stays empty. RESP_LEGAL 1 or 2 → level 1 (legal representative),
  contact_priority 1 or 2; RESP_LEGAL 0 (or absent) → level 2 (person in charge),
  contact_priority 3, 4... in file order; kinship = CODE_PARENTE as given.

Keys: pupil "SIECLE-<uai>-E<ELEVE_ID>" (ine = ID_NATIONAL), guardian "SIECLE-<uai>-R<PERSONNE_ID>".
Memberships and the structure name the `uai` being imported; every file's PARAMETRES/UAJ must be
that school. Records come out in this order: subjects, levels, structure, pupils, guardians.

Errors: a problem with a whole file (unreadable, malformed or truncated XML, bytes that do not
match the declared encoding, a root element that is not a SIECLE export, another school's UAJ, two
files of the same kind, guardians without the pupils' file) raises `FeedError` before any record
is yielded. A problem with one record (no key, no name, a bad date, a reference to an id the files
do not define) is appended to `errors` and that record or link is skipped.

Memory: each file is read as a stream (expat through ElementTree's pull parser, fed one line at a
time so that every record knows its line; each element is dropped once read), but the records are
held until every file has been read, because a pupil's structures come after all the pupils in
BEE_ELEVES and their guardians come in another file. For one school that is a few thousand small
records.

The streaming reader at the end of this module (`read_export` and its helpers) is shared with the
STS-Web parser (`sts.py`).
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from pyexpat import ErrorString

from django.utils.translation import gettext as _

from .records import (
    WITHOUT_LINKS,
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

NOMENCLATURES = "BEE_NOMENCLATURES"
PUPILS = "BEE_ELEVES"
GUARDIANS = "BEE_RESPONSABLES"

_FORMATS: dict[str, tuple[tuple[str, ...], ...]] = {
    NOMENCLATURES: (("DONNEES", "MEFS", "MEF"), ("DONNEES", "MATIERES", "MATIERE")),
    PUPILS: (("DONNEES", "ELEVES", "ELEVE"), ("DONNEES", "STRUCTURES", "STRUCTURES_ELEVE")),
    GUARDIANS: (
        ("DONNEES", "PERSONNES", "PERSONNE"),
        ("DONNEES", "ADRESSES", "ADRESSE"),
        ("DONNEES", "RESPONSABLES", "RESPONSABLE_ELEVE"),
    ),
}

# RESP_LEGAL → (GuardianLinkRecord.level, contact_priority); "0" and "" count from 3 up.
_LEGAL_LEVELS = {"1": (1, 1), "2": (1, 2)}
_IN_CHARGE = ("0", "")


def parse(
    paths: Sequence[Path],
    *,
    uai: str,
    errors: list[FeedError],
    progress: ParseProgress | None = None,
) -> Iterator[Record]:
    """Read the SIECLE files of school `uai` and yield its records (see the module docstring)."""
    if progress is not None:
        progress.total = total_size(paths)
    school = _SiecleSchool(uai=uai.strip().upper(), errors=errors)
    for path in paths:
        school.read(path, progress)
    yield from school.records()


@dataclass
class _Placement:
    """One STRUCTURES_ELEVE: the pupil's divisions and groups, resolved once every file is read."""

    eleve_id: str
    source: Source
    structures: list[tuple[str, str, Source]]  # (TYPE_STRUCTURE, CODE_STRUCTURE, source)


@dataclass
class _Guardian:
    record: PersonRecord
    address_id: str = ""
    linked: bool = False


@dataclass
class _Link:
    eleve_id: str
    personne_id: str
    resp_legal: str
    kinship: str
    source: Source


@dataclass
class _SiecleSchool:
    """Everything read so far for one school, keyed by the files' own ids."""

    uai: str
    errors: list[FeedError]
    files: dict[str, str] = field(default_factory=dict)  # root element → file name
    subjects: dict[str, SubjectRecord] = field(default_factory=dict)
    levels: dict[str, LevelRecord] = field(default_factory=dict)
    pupils: dict[str, PersonRecord] = field(default_factory=dict)  # ELEVE_ID →
    absent_pupils: set[str] = field(default_factory=set)  # left, or skipped with an error
    placements: list[_Placement] = field(default_factory=list)
    guardians: dict[str, _Guardian] = field(default_factory=dict)  # PERSONNE_ID →
    absent_guardians: set[str] = field(default_factory=set)  # skipped with an error
    addresses: dict[str, str] = field(default_factory=dict)  # ADRESSE_ID → one line
    links: list[_Link] = field(default_factory=list)

    # Reading ------------------------------------------------------------------------------------

    def read(self, path: Path, progress: ParseProgress | None) -> None:
        handlers: dict[str, Callable[[XmlItem], None]] = {
            "MEF": self._level,
            "MATIERE": self._subject,
            "ELEVE": self._pupil,
            "STRUCTURES_ELEVE": self._placement,
            "PERSONNE": self._guardian,
            "ADRESSE": self._address,
            "RESPONSABLE_ELEVE": self._link,
        }
        items = read_export(
            path, formats=_FORMATS, format_name="SIECLE", uai=self.uai, progress=progress
        )
        for item in items:
            if item.is_root:
                self._claim(item)
            else:
                handlers[item.tag](item)

    def _claim(self, root: XmlItem) -> None:
        other = self.files.get(root.tag)
        if other is not None:
            raise FeedError(
                _("%(file)s and %(other)s are both %(kind)s exports; give only one of them.")
                % {"file": root.file, "other": other, "kind": root.tag},
                root.source(),
            )
        self.files[root.tag] = root.file

    def _error(self, message: str, source: Source) -> None:
        self.errors.append(FeedError(message, source))

    def _level(self, item: XmlItem) -> None:
        code = item.attr("CODE_MEF")
        if not code:
            self._error(_("A MEF has no CODE_MEF; skipped."), item.source())
            return
        label = label_of(item.elem, code, "LIBELLE_EDITION", "LIBELLE_LONG", "FORMATION")
        self.levels.setdefault(
            code, LevelRecord(code, label, item.source(f"MEF[@CODE_MEF={code}]"))
        )

    def _subject(self, item: XmlItem) -> None:
        code = item.attr("CODE_MATIERE")
        if not code:
            self._error(_("A subject (MATIERE) has no CODE_MATIERE; skipped."), item.source())
            return
        label = label_of(item.elem, code, "LIBELLE_EDITION", "LIBELLE_LONG", "LIBELLE_COURT")
        source = item.source(f"MATIERE[@CODE_MATIERE={code}]")
        self.subjects.setdefault(code, SubjectRecord(code, label, source))

    def _pupil(self, item: XmlItem) -> None:
        e = item.elem
        eleve_id = item.attr("ELEVE_ID")
        if not eleve_id:
            self._error(
                _(
                    "A pupil (ELEVE) has no ELEVE_ID, the key that links them to their classes "
                    "and guardians; skipped."
                ),
                item.source(),
            )
            return
        source = item.source(f"ELEVE[@ELEVE_ID={eleve_id}]")
        if eleve_id in self.pupils or eleve_id in self.absent_pupils:
            self._error(
                _("Pupil %(id)s appears twice; the second one is skipped.") % {"id": eleve_id},
                source,
            )
            return
        if text(e, "DATE_SORTIE"):
            self.absent_pupils.add(eleve_id)  # left the school: not an error
            return
        last_name, first_name = text(e, "NOM_USAGE") or text(e, "NOM_DE_FAMILLE"), text(e, "PRENOM")
        birth = text(e, "DATE_NAISS")
        birth_date = parse_date(birth) if birth else None
        problem = ""
        if not last_name or not first_name:
            problem = _(
                "Pupil %(id)s has no last name (NOM_DE_FAMILLE) or first name (PRENOM); skipped."
            )
        elif birth and birth_date is None:
            problem = _("Pupil %(id)s: the birth date %(date)s is not a dd/mm/yyyy date; skipped.")
        if problem:
            self.absent_pupils.add(eleve_id)
            self._error(problem % {"id": eleve_id, "date": birth}, source)
            return
        self.pupils[eleve_id] = PersonRecord(
            key=f"SIECLE-{self.uai}-E{eleve_id}",
            profile="pupil",
            source=source,
            first_name=first_name,
            last_name=last_name,
            title=title_of(text(e, "CODE_SEXE")),
            birth_date=birth_date,
            ine=text(e, "ID_NATIONAL"),
            memberships=[
                MembershipRecord(school=self.uai, profile="pupil", level_code=text(e, "CODE_MEF"))
            ],
        )

    def _placement(self, item: XmlItem) -> None:
        eleve_id = item.attr("ELEVE_ID")
        if not eleve_id:
            self._error(
                _("A pupil's structures (STRUCTURES_ELEVE) have no ELEVE_ID; skipped."),
                item.source(),
            )
            return
        where = f"STRUCTURES_ELEVE[@ELEVE_ID={eleve_id}]"
        structures = [
            (
                text(s, "TYPE_STRUCTURE").upper(),
                text(s, "CODE_STRUCTURE"),
                item.source(f"{where}/STRUCTURE", s),
            )
            for s in item.elem.iterfind("STRUCTURE")
        ]
        self.placements.append(_Placement(eleve_id, item.source(where), structures))

    def _guardian(self, item: XmlItem) -> None:
        e = item.elem
        personne_id = item.attr("PERSONNE_ID")
        if not personne_id:
            self._error(_("A person (PERSONNE) has no PERSONNE_ID; skipped."), item.source())
            return
        source = item.source(f"PERSONNE[@PERSONNE_ID={personne_id}]")
        if personne_id in self.guardians or personne_id in self.absent_guardians:
            self._error(
                _("Person %(id)s appears twice; the second one is skipped.") % {"id": personne_id},
                source,
            )
            return
        last_name, first_name = text(e, "NOM_USAGE") or text(e, "NOM_DE_FAMILLE"), text(e, "PRENOM")
        if not last_name or not first_name:
            self.absent_guardians.add(personne_id)
            self._error(
                _(
                    "Person %(id)s has no last name (NOM_DE_FAMILLE) or first name (PRENOM); "
                    "skipped."
                )
                % {"id": personne_id},
                source,
            )
            return
        inline = e.find("ADRESSE")
        record = PersonRecord(
            key=f"SIECLE-{self.uai}-R{personne_id}",
            profile="guardian",
            source=source,
            first_name=first_name,
            last_name=last_name,
            title=title_of(text(e, "LC_CIVILITE") or text(e, "CODE_CIVILITE")),
            email=text(e, "MEL"),
            phone=text(e, "TEL_PERSONNEL"),
            mobile=text(e, "TEL_PORTABLE"),
            address=address_of(inline) if inline is not None else "",
            memberships=[MembershipRecord(school=self.uai, profile="guardian")],
        )
        self.guardians[personne_id] = _Guardian(record, address_id=text(e, "ADRESSE_ID"))

    def _address(self, item: XmlItem) -> None:
        adresse_id = item.attr("ADRESSE_ID")
        if adresse_id:
            self.addresses[adresse_id] = address_of(item.elem)

    def _link(self, item: XmlItem) -> None:
        e = item.elem
        eleve_id, personne_id = text(e, "ELEVE_ID"), text(e, "PERSONNE_ID")
        if not eleve_id or not personne_id:
            self._error(
                _("A guardian link (RESPONSABLE_ELEVE) has no ELEVE_ID or PERSONNE_ID; skipped."),
                item.source(),
            )
            return
        source = item.source(f"RESPONSABLE_ELEVE[ELEVE_ID={eleve_id}][PERSONNE_ID={personne_id}]")
        link = _Link(eleve_id, personne_id, text(e, "RESP_LEGAL"), text(e, "CODE_PARENTE"), source)
        self.links.append(link)

    # Resolving, once every file is read ---------------------------------------------------------

    def records(self) -> Iterator[Record]:
        if GUARDIANS in self.files and PUPILS not in self.files:
            raise FeedError(
                _(
                    "%(file)s lists guardians, but no pupils file (BEE_ELEVES, for example "
                    "ElevesSansAdresses.xml) was given with it."
                )
                % {"file": self.files[GUARDIANS]},
                Source(file=self.files[GUARDIANS]),
            )
        structure = self._place_pupils() if PUPILS in self.files else None
        self._link_guardians()
        yield from self.subjects.values()
        yield from self.levels.values()
        if structure is not None:
            yield structure
        if GUARDIANS not in self.files:
            # Without the guardians' file, the pupils' links are not this import's to change.
            for pupil in self.pupils.values():
                pupil.present = WITHOUT_LINKS
        # Pupils first: whether a guardian is imported depends on their links' levels.
        yield from self.pupils.values()
        yield from (g.record for g in self.guardians.values() if g.linked)

    def _place_pupils(self) -> StructureRecord:
        classes: set[str] = set()
        groups: set[str] = set()
        for placement in self.placements:
            pupil = self.pupils.get(placement.eleve_id)
            if pupil is None:
                if placement.eleve_id not in self.absent_pupils:
                    self._error(
                        _("Structures are given for pupil %(id)s, who is not in ELEVES; skipped.")
                        % {"id": placement.eleve_id},
                        placement.source,
                    )
                continue
            membership = pupil.memberships[0]
            for kind, code, source in placement.structures:
                if self._place(membership, kind, code, source):
                    (classes if kind == "D" else groups).add(code)
        return StructureRecord(
            key=self.uai,
            uai=self.uai,
            source=Source(file=self.files[PUPILS], element="STRUCTURES"),
            classes=[(code, "") for code in sorted(classes)],  # "": SIECLE has no labels
            groups=[(code, "") for code in sorted(groups)],
        )

    def _place(self, membership: MembershipRecord, kind: str, code: str, source: Source) -> bool:
        """Put the pupil in one division (D) or group (G); False when the structure is skipped."""
        if not code or kind not in ("D", "G"):
            self._error(
                _(
                    "A STRUCTURE needs a CODE_STRUCTURE and a TYPE_STRUCTURE of D (division) or "
                    "G (group); got %(code)r, %(kind)r; skipped."
                )
                % {"code": code, "kind": kind},
                source,
            )
            return False
        if kind == "G":
            if code not in membership.group_codes:
                membership.group_codes.append(code)
            return True
        if membership.class_code and membership.class_code != code:
            self._error(
                _("The pupil is already in division %(first)s; division %(code)s is skipped.")
                % {"first": membership.class_code, "code": code},
                source,
            )
            return False
        membership.class_code = code
        return True

    def _link_guardians(self) -> None:
        for link in self.links:
            pupil = self.pupils.get(link.eleve_id)
            guardian = self.guardians.get(link.personne_id)
            if pupil is None or guardian is None:
                self._unknown_link(link, pupil_known=pupil is not None)
                continue
            if link.resp_legal in _LEGAL_LEVELS:
                level, priority = _LEGAL_LEVELS[link.resp_legal]
            elif link.resp_legal in _IN_CHARGE:
                level, priority = 2, 3 + sum(g.level == 2 for g in pupil.guardians)
            else:
                self._error(
                    _("RESP_LEGAL must be 0, 1 or 2, not %(value)s; link skipped.")
                    % {"value": link.resp_legal},
                    link.source,
                )
                continue
            if any(g.guardian_key == guardian.record.key for g in pupil.guardians):
                self._error(_("This guardian link appears twice; skipped."), link.source)
                continue
            pupil.guardians.append(
                GuardianLinkRecord(guardian.record.key, level, link.kinship, priority)
            )
            guardian.linked = True
        for pupil in self.pupils.values():
            pupil.guardians.sort(key=lambda g: g.contact_priority)
        for guardian in self.guardians.values():
            if guardian.linked and guardian.address_id:
                self._resolve_address(guardian)

    def _unknown_link(self, link: _Link, *, pupil_known: bool) -> None:
        if not pupil_known:
            if link.eleve_id not in self.absent_pupils:
                self._error(
                    _("Guardian link to pupil %(id)s, who is not in the pupils file; skipped.")
                    % {"id": link.eleve_id},
                    link.source,
                )
        elif link.personne_id not in self.absent_guardians:
            self._error(
                _("Guardian link to person %(id)s, who is not in PERSONNES; skipped.")
                % {"id": link.personne_id},
                link.source,
            )

    def _resolve_address(self, guardian: _Guardian) -> None:
        address = self.addresses.get(guardian.address_id)
        if address is None:
            self._error(
                _("Address %(id)s is not in ADRESSES; the guardian is kept without an address.")
                % {"id": guardian.address_id},
                guardian.record.source,
            )
        else:
            guardian.record.address = address


# Field helpers, shared with sts.py -------------------------------------------------------------


def text(elem: ET.Element, path: str) -> str:
    """The stripped text of the first sub-element at `path`, or ""."""
    found = elem.find(path)
    return (found.text or "").strip() if found is not None else ""


def label_of(elem: ET.Element, default: str, *tags: str) -> str:
    """The first non-empty text among `tags`, else `default`."""
    return next((value for tag in tags if (value := text(elem, tag))), default)


def parse_date(value: str, formats: Sequence[str] = ("%d/%m/%Y",)) -> dt.date | None:
    """The date in `value` (dd/mm/yyyy unless told otherwise), or None when it is not one."""
    for fmt in formats:
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


_TITLES = {"1": "M.", "M": "M.", "2": "Mme", "3": "Mme", "MME": "Mme", "MLLE": "Mme"}


def title_of(code: str) -> str:
    """The title (M., Mme or nothing) from a sex or civility code (1, 2, 3) or label (MME...)."""
    return _TITLES.get(code.strip().rstrip(".").upper(), "")


def address_of(elem: ET.Element) -> str:
    """One line from an ADRESSE: its lines, then postcode and town, then a country not France."""
    lines = [text(elem, f"LIGNE{n}_ADRESSE") for n in range(1, 5)]
    town = " ".join(filter(None, (text(elem, "CODE_POSTAL"), text(elem, "LIBELLE_POSTAL"))))
    country = text(elem, "LL_PAYS")
    if country.upper() == "FRANCE":
        country = ""
    return ", ".join(filter(None, [*lines, town, country]))


# Reading an export as a stream, shared with sts.py ---------------------------------------------

_CHUNK = 64 * 1024  # at most this many bytes are fed at once, even on a file without newlines
_DECLARATION = re.compile(
    rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']+)["']"""
)


@dataclass
class XmlItem:
    """One complete element of interest in an export, with the line of its start tag.

    The first item of a file is its root element, at its start tag (`is_root`, no children yet).
    """

    file: str
    elem: ET.Element
    line: int
    is_root: bool = False
    sublines: dict[int, int] = field(default_factory=dict)  # id(sub-element) → its line

    @property
    def tag(self) -> str:
        return str(self.elem.tag)

    def attr(self, name: str) -> str:
        return (self.elem.get(name) or "").strip()

    def source(self, element: str = "", sub: ET.Element | None = None) -> Source:
        """Where this item (or one of its sub-elements) is, named `element` (default: its tag)."""
        line = self.sublines.get(id(sub), self.line) if sub is not None else self.line
        return Source(file=self.file, line=line, element=element or self.tag)


def total_size(paths: Sequence[Path]) -> int:
    try:
        return sum(path.stat().st_size for path in paths)
    except OSError as exc:
        raise _unreadable(Path(exc.filename or ""), exc) from None


def read_export(
    path: Path,
    *,
    formats: Mapping[str, Collection[tuple[str, ...]]],
    format_name: str,
    uai: str,
    progress: ParseProgress | None,
) -> Iterator[XmlItem]:
    """Stream the items of one export file: first its root, then each element whose path ends
    with one of `formats[root]`. Checks that the root is one of `formats` and that
    PARAMETRES/UAJ is `uai`; raises `FeedError` for every problem with the file as a whole."""
    checked = False
    for item in _XmlStream(path, formats, format_name, progress):
        if item.tag == "PARAMETRES" and not item.is_root:
            _check_school(item, uai)
            checked = True
        else:
            yield item
    if not checked:
        raise FeedError(
            _("%(file)s does not say which school it comes from (no PARAMETRES/UAJ).")
            % {"file": path.name},
            Source(file=path.name, element="PARAMETRES/UAJ"),
        )


def _check_school(item: XmlItem, uai: str) -> None:
    uaj = item.elem.find("UAJ")
    found = ""
    if uaj is not None:
        found = (uaj.get("CODE") or uaj.text or "").strip().upper()
    if found != uai:
        raise FeedError(
            _(
                "%(file)s is the export of school %(found)s, not of %(uai)s, the school being "
                "imported."
            )
            % {"file": item.file, "found": found or "?", "uai": uai},
            item.source("PARAMETRES/UAJ", uaj),
        )


def _unreadable(path: Path, exc: OSError) -> FeedError:
    return FeedError(
        _("%(file)s cannot be read: %(reason)s") % {"file": path.name, "reason": exc.strerror},
        Source(file=path.name),
    )


class _XmlStream:
    """Feeds a file to ElementTree's pull parser one line at a time, counting lines and bytes.

    Elements outside the items are dropped as soon as they end, and each item is detached from
    its parent once yielded, so memory stays bounded by the largest item.
    """

    def __init__(
        self,
        path: Path,
        formats: Mapping[str, Collection[tuple[str, ...]]],
        format_name: str,
        progress: ParseProgress | None,
    ) -> None:
        self.path, self.file = path, path.name
        self.formats, self.format_name, self.progress = formats, format_name, progress
        self.parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
        self.stack: list[ET.Element] = []
        self.suffixes: Collection[tuple[str, ...]] = ()
        self.item_tags: set[str] = set()  # the last tag of each suffix, a cheap first test
        self.item: XmlItem | None = None
        self.item_depth = 0
        self.line = 1
        self.decoder: codecs.IncrementalDecoder | None = None
        self.encoding = ""

    def __iter__(self) -> Iterator[XmlItem]:
        try:
            with self.path.open("rb") as f:
                for chunk in iter(partial(f.readline, _CHUNK), b""):
                    if self.line == 1 and not self.encoding:
                        self._start_decoder(chunk)
                    self._check_bytes(chunk)
                    yield from self._feed(chunk)
                    self.line += chunk.count(b"\n")
                    if self.progress is not None:
                        self.progress.done += len(chunk)
        except OSError as exc:
            raise _unreadable(self.path, exc) from None
        self._check_bytes(b"", final=True)
        yield from self._feed(None)

    def _start_decoder(self, first_line: bytes) -> None:
        """Note the declared encoding; for UTF-8 (declared or by default), check every byte."""
        if first_line.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.encoding = "utf-16"  # expat checks it itself
            return
        match = _DECLARATION.match(first_line)
        declared = match.group(1).decode("ascii", "replace") if match else "UTF-8"
        try:
            self.encoding = codecs.lookup(declared).name
        except LookupError:
            raise FeedError(
                _("%(file)s declares an encoding this reader does not know: %(encoding)s.")
                % {"file": self.file, "encoding": declared},
                Source(file=self.file, line=1, element="?xml"),
            ) from None
        if self.encoding == "utf-8":
            self.decoder = codecs.getincrementaldecoder("utf-8")()

    def _check_bytes(self, chunk: bytes, *, final: bool = False) -> None:
        if not self.stack and b"<!DOCTYPE" in chunk:
            raise FeedError(
                _("%(file)s has a DOCTYPE declaration, which %(format)s exports never have.")
                % {"file": self.file, "format": self.format_name},
                Source(file=self.file, line=self.line, element="!DOCTYPE"),
            )
        if self.decoder is None:
            return
        try:
            self.decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            bad = exc.object[exc.start : exc.start + 1].hex()
            raise FeedError(
                _(
                    "%(file)s is declared as UTF-8 (or declares no encoding), but line %(line)s "
                    "holds byte 0x%(byte)s, which is not UTF-8: the file is probably in "
                    "ISO-8859-15 or Windows-1252. Export it again, or fix the encoding in its "
                    "first line."
                )
                % {"file": self.file, "line": self.line, "byte": bad},
                Source(file=self.file, line=self.line, element=self._where()),
            ) from None

    def _feed(self, chunk: bytes | None) -> Iterator[XmlItem]:
        try:
            if chunk is None:
                self.parser.close()
            else:
                self.parser.feed(chunk)
            # The pull parser hands a syntax error found by feed() back through read_events().
            events = list(self.parser.read_events())
        except ET.ParseError as exc:
            line, column = exc.position
            if chunk is None:
                raise self._truncated(line) from None
            raise FeedError(
                _(
                    "%(file)s is not well-formed XML (line %(line)s, column %(column)s: "
                    "%(reason)s). The file may be truncated or damaged; export it again."
                )
                % {"file": self.file, "line": line, "column": column + 1, "reason": _reason(exc)},
                Source(file=self.file, line=line, element=self._where()),
            ) from None
        for entry in events:
            event, elem = entry[0], entry[-1]
            if not isinstance(elem, ET.Element):
                continue  # only start and end events are asked for: never happens
            found = self._start(elem) if event == "start" else self._end(elem)
            if found is not None:
                yield found

    def _truncated(self, line: int) -> FeedError:
        if not self.stack:
            message = _("%(file)s is empty: it holds no XML element.")
        else:
            message = _(
                "%(file)s ends at line %(line)s inside <%(element)s>, before its elements are "
                "closed: the file is truncated. Export it again."
            )
        return FeedError(
            message
            % {
                "file": self.file,
                "line": line,
                "element": self.stack[-1].tag if self.stack else "",
            },
            Source(file=self.file, line=line, element=self._where()),
        )

    def _start(self, elem: ET.Element) -> XmlItem | None:
        self.stack.append(elem)
        if len(self.stack) == 1:
            self._check_root(elem)
            return XmlItem(self.file, elem, self.line, is_root=True)
        if self.item is not None:
            self.item.sublines[id(elem)] = self.line
            return None
        if elem.tag not in self.item_tags:
            return None
        path = tuple(str(e.tag) for e in self.stack)
        if any(path[-len(suffix) :] == suffix for suffix in self.suffixes):
            self.item = XmlItem(self.file, elem, self.line)
            self.item_depth = len(self.stack)
        return None

    def _end(self, elem: ET.Element) -> XmlItem | None:
        depth = len(self.stack)
        self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        found = None
        if self.item is not None and depth == self.item_depth:
            found, self.item = self.item, None
        if self.item is None and parent is not None:
            parent.remove(elem)  # its earlier siblings are gone already: this is cheap
        return found

    def _check_root(self, root: ET.Element) -> None:
        tag = str(root.tag)
        if tag not in self.formats:
            raise FeedError(
                _(
                    "%(file)s is not a %(format)s export: its root element is <%(root)s>, "
                    "expected %(expected)s."
                )
                % {
                    "file": self.file,
                    "format": self.format_name,
                    "root": tag,
                    "expected": ", ".join(f"<{name}>" for name in self.formats),
                },
                Source(file=self.file, line=self.line, element=tag),
            )
        self.suffixes = (*self.formats[tag], (tag, "PARAMETRES"))
        self.item_tags = {suffix[-1] for suffix in self.suffixes}

    def _where(self) -> str:
        return "/".join(str(e.tag) for e in self.stack)


def _reason(exc: ET.ParseError) -> str:
    try:
        return str(ErrorString(exc.code))
    except (TypeError, ValueError):
        return str(exc)
