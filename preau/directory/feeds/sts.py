"""STS-Web export of one school (`sts_emp_<UAI>_<YEAR>.xml`) → feed records (pure Python).

Reads root `STS_EDT` (PARAMETRES/UAJ is the `UAJ` element's CODE attribute or its text):

- `NOMENCLATURES/MATIERES/MATIERE[@CODE]` → `SubjectRecord` (the code the services reference;
  label LIBELLE_EDITION, else LIBELLE_LONG, else LIBELLE_COURT, else the code), and
  `NOMENCLATURES/MEFS/MEF[@CODE]` → `LevelRecord` (LIBELLE_EDITION, LIBELLE_LONG, FORMATION). The
  NOMENCLATURES may sit under the root or under DONNEES.
- `STRUCTURE/DIVISIONS/DIVISION[@CODE]` (label LIBELLE_LONG, else LIBELLE_COURT, else the code)
  and `STRUCTURE/GROUPES/GROUPE[@CODE]` (with DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE[@CODE]
  → group_classes) → one `StructureRecord`, key = uai = the school being imported.
- `INDIVIDUS/INDIVIDU[@ID][@TYPE]` → one `PersonRecord` each, key "STS-<uai>-<ID>". Last name
  NOM_USAGE, else NOM_PATRONYMIQUE; first name PRENOM; birth date DATE_NAISSANCE (yyyy-mm-dd or
  dd/mm/yyyy); title from CIVILITE, else SEXE (1 → M., 2 or 3 → Mme).

Each `SERVICE[@CODE_MATIERE]/ENSEIGNANTS/ENSEIGNANT[@ID]` of a division or a group becomes an
`AssignmentRecord(school=uai, class_code=<division> or group_code=<group>, subject_code=...)` on
that teacher's record (a subject taught in several modes, CODE_MOD_COURS, gives one assignment).
An INDIVIDU's PROFS_PRINC/PROF_PRINC/CODE_STRUCTURE makes them main teacher of that division:
`is_main` is set on each of their assignments in it, or, when they teach nothing there, on an
assignment with no subject (subject_code "").

Profiles: whoever has an assignment or the FONCTION ENS is a "teacher" (one teacher membership;
plus a "staff" membership when their FONCTION is also a staff one). Anyone else is "staff" with one
function mapped from FONCTION: DIR → DIR; DOC → DOC; CPE, EDU, AED, SUR → EVS; ADF, TEC, LAB,
OUV → ETA; COL → COL. Someone with no known function and nothing to teach is reported and skipped.
STS-Web gives no e-mail, phone or address. No member is made school administrator.

Errors and memory behave as in `siecle.py`, whose streaming reader this module uses: whole-file
problems raise `FeedError`; per-record problems and references to ids the file does not define
(an ENSEIGNANT with no INDIVIDU, an unknown subject, division or main-teacher division) are
appended to `errors` and skipped. Every record is held until the end of the file (a school's
staff and timetable structure: a few hundred records), since services come after individuals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from .records import (
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
from .siecle import XmlItem, label_of, parse_date, read_export, text, title_of, total_size

ROOT = "STS_EDT"

_FORMATS: dict[str, tuple[tuple[str, ...], ...]] = {
    ROOT: (
        ("NOMENCLATURES", "MATIERES", "MATIERE"),
        ("NOMENCLATURES", "MEFS", "MEF"),
        ("INDIVIDUS", "INDIVIDU"),
        ("STRUCTURE", "DIVISIONS", "DIVISION"),
        ("STRUCTURE", "GROUPES", "GROUPE"),
    )
}

TEACHING = "ENS"
# STS-Web FONCTION → directory Function value (preau.directory.models.Function).
FUNCTIONS = {
    "DIR": "DIR",
    "DOC": "DOC",
    "CPE": "EVS",
    "EDU": "EVS",
    "AED": "EVS",
    "SUR": "EVS",
    "ADF": "ETA",
    "TEC": "ETA",
    "LAB": "ETA",
    "OUV": "ETA",
    "COL": "COL",
}

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def parse(
    paths: Sequence[Path],
    *,
    uai: str,
    errors: list[FeedError],
    progress: ParseProgress | None = None,
) -> Iterator[Record]:
    """Read the STS-Web export of school `uai`; yield subjects, levels, the structure, people."""
    if progress is not None:
        progress.total = total_size(paths)
    school = _StsSchool(uai=uai.strip().upper(), errors=errors)
    for path in paths:
        school.read(path, progress)
    yield from school.records()


@dataclass
class _Individual:
    record: PersonRecord
    function: str  # the FONCTION code, upper-case
    main_of: list[tuple[str, Source]]  # (division code, where the PROF_PRINC is)


@dataclass
class _Service:
    teacher_id: str
    subject_code: str
    class_code: str
    group_code: str
    source: Source


@dataclass
class _StsSchool:
    uai: str
    errors: list[FeedError]
    file: str = ""
    first_structure_line: int | None = None
    subjects: dict[str, SubjectRecord] = field(default_factory=dict)
    levels: dict[str, LevelRecord] = field(default_factory=dict)
    people: dict[str, _Individual] = field(default_factory=dict)  # INDIVIDU ID →
    absent: set[str] = field(default_factory=set)  # INDIVIDU IDs skipped with an error
    classes: dict[str, str] = field(default_factory=dict)  # code → label
    groups: dict[str, str] = field(default_factory=dict)
    group_classes: dict[str, list[tuple[str, Source]]] = field(default_factory=dict)
    class_levels: dict[str, str] = field(default_factory=dict)  # class code → MEF code
    services: list[_Service] = field(default_factory=list)

    # Reading ------------------------------------------------------------------------------------

    def read(self, path: Path, progress: ParseProgress | None) -> None:
        handlers: dict[str, Callable[[XmlItem], None]] = {
            "MATIERE": self._subject,
            "MEF": self._level,
            "INDIVIDU": self._individual,
            "DIVISION": self._division,
            "GROUPE": self._group,
        }
        items = read_export(
            path, formats=_FORMATS, format_name="STS-Web", uai=self.uai, progress=progress
        )
        for item in items:
            if item.is_root:
                self._claim(item)
            else:
                handlers[item.tag](item)

    def _claim(self, root: XmlItem) -> None:
        if self.file:
            raise FeedError(
                _("%(file)s and %(other)s are both STS-Web exports; give only one of them.")
                % {"file": root.file, "other": self.file},
                root.source(),
            )
        self.file = root.file

    def _error(self, message: str, source: Source) -> None:
        self.errors.append(FeedError(message, source))

    def _subject(self, item: XmlItem) -> None:
        code = item.attr("CODE")
        if not code:
            self._error(_("A subject (MATIERE) has no CODE; skipped."), item.source())
            return
        label = label_of(item.elem, code, "LIBELLE_EDITION", "LIBELLE_LONG", "LIBELLE_COURT")
        self.subjects.setdefault(
            code, SubjectRecord(code, label, item.source(f"MATIERE[@CODE={code}]"))
        )

    def _level(self, item: XmlItem) -> None:
        code = item.attr("CODE")
        if not code:
            self._error(_("A MEF has no CODE; skipped."), item.source())
            return
        label = label_of(item.elem, code, "LIBELLE_EDITION", "LIBELLE_LONG", "FORMATION")
        self.levels.setdefault(code, LevelRecord(code, label, item.source(f"MEF[@CODE={code}]")))

    def _individual(self, item: XmlItem) -> None:
        e = item.elem
        iid = item.attr("ID")
        if not iid:
            self._error(_("A person (INDIVIDU) has no ID; skipped."), item.source())
            return
        source = item.source(f"INDIVIDU[@ID={iid}]")
        if iid in self.people or iid in self.absent:
            self._error(
                _("Person %(id)s appears twice; the second one is skipped.") % {"id": iid}, source
            )
            return
        last_name = text(e, "NOM_USAGE") or text(e, "NOM_PATRONYMIQUE")
        first_name, birth = text(e, "PRENOM"), text(e, "DATE_NAISSANCE")
        birth_date = parse_date(birth, _DATE_FORMATS) if birth else None
        problem = ""
        if not last_name or not first_name:
            problem = _(
                "Person %(id)s has no last name (NOM_USAGE, NOM_PATRONYMIQUE) or first name "
                "(PRENOM); skipped."
            )
        elif birth and birth_date is None:
            problem = _("Person %(id)s: the birth date %(date)s is not a date; skipped.")
        if problem:
            self.absent.add(iid)
            self._error(problem % {"id": iid, "date": birth}, source)
            return
        record = PersonRecord(
            key=f"STS-{self.uai}-{iid}",
            profile="",  # decided once the services are known
            source=source,
            first_name=first_name,
            last_name=last_name,
            title=title_of(text(e, "CIVILITE")) or title_of(text(e, "SEXE")),
            birth_date=birth_date,
        )
        main_of = [
            (text(pp, "CODE_STRUCTURE"), item.source(f"INDIVIDU[@ID={iid}]/PROF_PRINC", pp))
            for pp in e.iterfind("PROFS_PRINC/PROF_PRINC")
        ]
        self.people[iid] = _Individual(record, text(e, "FONCTION").upper(), main_of)

    def _division(self, item: XmlItem) -> None:
        code = self._structure_code(item, self.classes)
        if code:
            self.classes[code] = label_of(item.elem, code, "LIBELLE_LONG", "LIBELLE_COURT")
            mef = item.elem.find("MEFS_APPARTENANCE/MEF_APPARTENANCE")
            if mef is not None and (mef.get("CODE") or "").strip():
                self.class_levels[code] = (mef.get("CODE") or "").strip()
            self._services(item, f"DIVISION[@CODE={code}]", class_code=code)

    def _group(self, item: XmlItem) -> None:
        code = self._structure_code(item, self.groups)
        if not code:
            return
        where = f"GROUPE[@CODE={code}]"
        self.groups[code] = label_of(item.elem, code, "LIBELLE_LONG", "LIBELLE_COURT")
        self.group_classes[code] = [
            ((d.get("CODE") or "").strip(), item.source(f"{where}/DIVISION_APPARTENANCE", d))
            for d in item.elem.iterfind("DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE")
        ]
        self._services(item, where, group_code=code)

    def _structure_code(self, item: XmlItem, seen: dict[str, str]) -> str:
        """The CODE of a DIVISION or GROUPE, or "" (reported) when it has none or is a repeat."""
        if self.first_structure_line is None:
            self.first_structure_line = item.line
        code = item.attr("CODE")
        if not code:
            self._error(
                _("A %(element)s has no CODE; skipped.") % {"element": item.tag}, item.source()
            )
        elif code in seen:
            self._error(
                _("%(element)s %(code)s appears twice; the second one is skipped.")
                % {"element": item.tag, "code": code},
                item.source(f"{item.tag}[@CODE={code}]"),
            )
            code = ""
        return code

    def _services(
        self, item: XmlItem, where: str, *, class_code: str = "", group_code: str = ""
    ) -> None:
        for service in item.elem.iterfind("SERVICES/SERVICE"):
            subject = (service.get("CODE_MATIERE") or "").strip()
            for teacher in service.iterfind("ENSEIGNANTS/ENSEIGNANT"):
                self.services.append(
                    _Service(
                        teacher_id=(teacher.get("ID") or "").strip(),
                        subject_code=subject,
                        class_code=class_code,
                        group_code=group_code,
                        source=item.source(
                            f"{where}/SERVICE[@CODE_MATIERE={subject}]/ENSEIGNANT", teacher
                        ),
                    )
                )

    # Resolving, once the file is read -----------------------------------------------------------

    def records(self) -> Iterator[Record]:
        self._check_group_classes()
        for service in self.services:
            self._assign(service)
        for person in self.people.values():
            self._mark_main(person)
        yield from self.subjects.values()
        yield from self.levels.values()
        if self.file:
            yield StructureRecord(
                key=self.uai,
                uai=self.uai,
                source=Source(self.file, self.first_structure_line, "STRUCTURE"),
                classes=list(self.classes.items()),
                groups=list(self.groups.items()),
                group_classes={
                    group: [code for code, _source in refs]
                    for group, refs in self.group_classes.items()
                },
                class_levels=dict(self.class_levels),
            )
        for person in self.people.values():
            if self._set_profile(person):
                yield person.record

    def _check_group_classes(self) -> None:
        for group, refs in self.group_classes.items():
            known = []
            for code, source in refs:
                if code in self.classes:
                    known.append((code, source))
                else:
                    self._error(
                        _("Group %(group)s draws on division %(code)s, which is not in DIVISIONS.")
                        % {"group": group, "code": code},
                        source,
                    )
            self.group_classes[group] = known

    def _assign(self, service: _Service) -> None:
        person = self.people.get(service.teacher_id)
        if person is None:
            if service.teacher_id not in self.absent:
                self._error(
                    _("The teacher %(id)s of this service is not in INDIVIDUS; skipped.")
                    % {"id": service.teacher_id or "?"},
                    service.source,
                )
            return
        if service.subject_code not in self.subjects:
            self._error(
                _("The subject %(code)s of this service is not in MATIERES; skipped.")
                % {"code": service.subject_code or "?"},
                service.source,
            )
            return
        assignment = AssignmentRecord(
            school=self.uai,
            class_code=service.class_code,
            group_code=service.group_code,
            subject_code=service.subject_code,
        )
        if assignment not in person.record.assignments:
            person.record.assignments.append(assignment)

    def _mark_main(self, person: _Individual) -> None:
        for code, source in person.main_of:
            if code not in self.classes:
                self._error(
                    _("%(name)s is main teacher of %(code)s, which is not in DIVISIONS; skipped.")
                    % {"name": person.record.last_name, "code": code or "?"},
                    source,
                )
                continue
            mine = [a for a in person.record.assignments if a.class_code == code]
            if not mine:
                mine = [AssignmentRecord(school=self.uai, class_code=code)]
                person.record.assignments.extend(mine)
            for assignment in mine:
                assignment.is_main = True

    def _set_profile(self, person: _Individual) -> bool:
        """Give the person their profile and memberships; False (reported) when they have none."""
        record, function = person.record, FUNCTIONS.get(person.function)
        staff = MembershipRecord(school=self.uai, profile="staff", functions=[function or ""])
        if record.assignments or person.function == TEACHING:
            record.profile = "teacher"
            record.memberships = [MembershipRecord(school=self.uai, profile="teacher")]
            if function:
                record.memberships.append(staff)
            return True
        if function:
            record.profile = "staff"
            record.memberships = [staff]
            return True
        self._error(
            _(
                "%(name)s has no known function (FONCTION %(code)s) and teaches nothing here; "
                "skipped."
            )
            % {"name": f"{record.first_name} {record.last_name}", "code": person.function or "?"},
            record.source,
        )
        return False
