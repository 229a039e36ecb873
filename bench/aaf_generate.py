"""Write a synthetic, complete AAF set (`ficAlimMENESR` XML) for N people.

    .venv/bin/python bench/aaf_generate.py var/bench/aaf/set --people 100000 --seed 1

The set has the six file types of an académie's complete extraction,
`ENT_<code>_Complet_<YYYYMMDD>_<Type>_<NNNN>.xml`, the big types split in pages of
`--page-size` requests. Page k of the type of rank t (EtabEducNat 0, MatiereEducNat 1,
MefEducNat 2, PersEducNat 3, Eleve 4, PersRelEleve 5) is written in UTF-8 when t + k is even and
in ISO-8859-15 otherwise; its declaration says which, and every string in it is encodable there.

Shape, for N people: about 57 % pupils, 38 % guardians, 5 % staff; one school per ~833 people
(120 for 100,000), 5 in 6 of them collèges (6e to 3e), the others lycées (2nde, 1re, Tle), with
~26 pupils per class (6A…3D, 2ND1…, 1G1…, TG1…), teaching groups (LV2, Latin, spécialités),
subjects and MEFs. Each pupil is in one class and 0 to 2 groups of their level and has 1 or 2
level-1 guardians, sometimes a level-2 one. Brothers and sisters share their guardians; one in
seven is in another school than the eldest, so some guardians have children in two schools.
Teachers have class x subject and group x subject services (4 to 5 on average), a main teacher
per class, and some teach in two schools; the other staff have the functions DIR, EDU, ADF, DOC.
UAIs are valid (7 digits + check letter), join keys unique.

The same `--seed` gives the same bytes. The files are written as they are generated: only the
school layout and a few integers per pupil are held in memory, never a document.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
import time
import unicodedata
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import aaf_names as names

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
FILE_TYPES = ("EtabEducNat", "MatiereEducNat", "MefEducNat", "PersEducNat", "Eleve", "PersRelEleve")
ENCODINGS = ("UTF-8", "ISO-8859-15")
VERSION_COMMENT = '<!-- versionAF="AAF-VE1301" -->'

SHARE_PUPILS = 0.57
SHARE_GUARDIANS = 0.38
PEOPLE_PER_SCHOOL = 100_000 / 120
LYCEE_EVERY = 6  # one school in six is a lycée
PUPILS_PER_CLASS = 26
SIBLING_SAME_SCHOOL = 0.85
LEVEL2_SHARE = 0.05  # of guardians: persons in charge (level 2)
TWO_SCHOOL_TEACHERS = 0.04
# Children per family among pupils: a family's guardians are shared by its children.
FAMILY_SIZES = (1, 2, 3, 4, 5)
FAMILY_WEIGHTS = (25, 35, 25, 10, 5)

# Join keys: one range per kind, all distinct.
STRUCTURE_KEYS = 10_000_000
PUPIL_KEYS = 20_000_000
STAFF_KEYS = 30_000_000
GUARDIAN_KEYS = 40_000_000


def uai(digits: str) -> str:
    return digits + UAI_LETTERS[int(digits) % 23]


# --- nomenclatures --------------------------------------------------------------------------

# Teaching disciplines (ENTPersonFonctions): key -> (code, label).
DISCIPLINES = {
    "LET": ("L0202", "LETTRES MODERNES"),
    "MATH": ("L1300", "MATHEMATIQUES"),
    "HG": ("L1000", "HISTOIRE GEOGRAPHIE"),
    "ANG": ("L0422", "ANGLAIS"),
    "ESP": ("L0426", "ESPAGNOL"),
    "ALL": ("L0421", "ALLEMAND"),
    "SVT": ("L1600", "SCIENCES DE LA VIE ET DE LA TERRE"),
    "PC": ("L1500", "PHYSIQUE CHIMIE"),
    "TECH": ("L1400", "TECHNOLOGIE"),
    "EPS": ("L1900", "EDUCATION PHYSIQUE ET SPORTIVE"),
    "SES": ("L1100", "SCIENCES ECONOMIQUES ET SOCIALES"),
    "PHILO": ("L0100", "PHILOSOPHIE"),
}


@dataclass(frozen=True)
class SubjectDef:
    code: str
    label: str
    discipline: str
    short: str  # for group labels


SUBJECTS = {
    "FR": SubjectDef("020100", "FRANCAIS", "LET", "Français"),
    "LAT": SubjectDef("022200", "LATIN", "LET", "Latin"),
    "MATH": SubjectDef("061300", "MATHEMATIQUES", "MATH", "Mathématiques"),
    "HG": SubjectDef("040600", "HISTOIRE-GEOGRAPHIE", "HG", "Histoire-géographie"),
    "HGGSP": SubjectDef("044900", "HIST.GEO.GEOPOL.SC.POL.", "HG", "HGGSP"),
    "ANG": SubjectDef("030201", "ANGLAIS LV1", "ANG", "Anglais"),
    "ESP": SubjectDef("030602", "ESPAGNOL LV2", "ESP", "Espagnol LV2"),
    "ALL": SubjectDef("030102", "ALLEMAND LV2", "ALL", "Allemand LV2"),
    "SVT": SubjectDef("062900", "SCIENCES VIE & TERRE", "SVT", "SVT"),
    "PC": SubjectDef("062600", "PHYSIQUE-CHIMIE", "PC", "Physique-chimie"),
    "TECH": SubjectDef("070800", "TECHNOLOGIE", "TECH", "Technologie"),
    "EPS": SubjectDef("100100", "ED.PHYSIQUE & SPORT.", "EPS", "EPS"),
    "SES": SubjectDef("050300", "SCIENCES ECONO.& SOCIALES", "SES", "SES"),
    "PHILO": SubjectDef("013000", "PHILOSOPHIE", "PHILO", "Philosophie"),
}


@dataclass(frozen=True)
class LevelDef:
    key: str
    mef: str
    mef_label: str
    formation: str
    stream: str
    age: int  # the age pupils of this level reach in the calendar year the school year starts
    class_subjects: tuple[str, ...]
    lv2: bool = False
    latin: bool = False
    specialities: tuple[str, ...] = ()


COLLEGE_CORE = ("FR", "MATH", "HG", "ANG", "SVT", "PC", "TECH", "EPS")
LEVELS = {
    "6": LevelDef(
        "6",
        "10010012110",
        "6EME",
        "6EME",
        "COLLEGE",
        11,
        tuple(s for s in COLLEGE_CORE if s != "PC"),
    ),
    "5": LevelDef("5", "10110001110", "5EME", "5EME", "COLLEGE", 12, COLLEGE_CORE, True, True),
    "4": LevelDef("4", "10210001110", "4EME", "4EME", "COLLEGE", 13, COLLEGE_CORE, True, True),
    "3": LevelDef("3", "10310019110", "3EME", "3EME", "COLLEGE", 14, COLLEGE_CORE, True, True),
    "2": LevelDef(
        "2",
        "20010018110",
        "2NDE GENERALE ET TECHNOLOGIQUE",
        "2NDE GENERALE ET TECHNOLOGIQUE",
        "GENERALE ET TECHNOLOGIQUE",
        15,
        ("FR", "MATH", "HG", "ANG", "SVT", "PC", "SES", "EPS"),
        lv2=True,
    ),
    "1": LevelDef(
        "1",
        "20111001110",
        "1ERE GENERALE",
        "1ERE GENERALE",
        "GENERALE",
        16,
        ("FR", "HG", "ANG", "EPS"),
        specialities=("MATH", "PC", "SES", "HGGSP"),
    ),
    "T": LevelDef(
        "T",
        "20211001110",
        "TERMINALE GENERALE",
        "TERMINALE GENERALE",
        "GENERALE",
        17,
        ("PHILO", "HG", "ANG", "EPS"),
        specialities=("MATH", "PC", "SES", "HGGSP"),
    ),
}
COLLEGE_LEVELS = ("6", "5", "4", "3")
LYCEE_LEVELS = ("2", "1", "T")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LEVEL_NAMES = {"2": "Seconde", "1": "Première", "T": "Terminale"}
LEVEL_SHORT = {"6": "6e", "5": "5e", "4": "4e", "3": "3e", "2": "2de", "1": "1re", "T": "Tle"}

REGIMES = ("DP DAN", "EXTERNE LIBRE", "INTERNE")
REGIME_WEIGHTS = (70, 27, 3)
MAIL_DOMAINS = ("example.org", "example.net", "example.com")  # reserved for examples
STAFF_FUNCTIONS = {
    "DIR": "DIRECTION",
    "EDU": "EDUCATION",
    "ADF": "PERSONNELS ADMINISTRATIFS",
    "DOC": "DOCUMENTATION",
}


# --- the layout of the académie ---------------------------------------------------------------


@dataclass
class ClassDef:
    code: str
    label: str
    level: str


@dataclass
class GroupDef:
    code: str
    label: str
    level: str
    subject: str  # SUBJECTS key


@dataclass
class Service:
    school: int
    is_group: bool
    code: str
    subject: str  # SUBJECTS key


@dataclass
class Teacher:
    school: int
    discipline: str
    services: list[Service] = field(default_factory=list)
    main_classes: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class SchoolDef:
    index: int
    key: str
    uai: str
    kind: str  # COLLEGE or LYCEE
    name: str
    postcode: str
    town: str
    street: str
    phone: str
    pupils: int = 0
    classes: list[ClassDef] = field(default_factory=list)
    groups: list[GroupDef] = field(default_factory=list)
    # level -> LV2 subject or speciality -> its groups; level -> Latin group
    level_groups: dict[str, dict[str, list[GroupDef]]] = field(default_factory=dict)
    staff: list[tuple[str, ...]] = field(default_factory=list)  # function codes per non-teacher
    teachers: list[Teacher] = field(default_factory=list)

    @property
    def levels(self) -> tuple[str, ...]:
        return COLLEGE_LEVELS if self.kind == "COLLEGE" else LYCEE_LEVELS


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder): the parts add up."""
    whole = sum(weights)
    if whole <= 0 or total <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def build_schools(
    rng: random.Random, people: int, pupils: int, schools: int = 0
) -> list[SchoolDef]:
    """The schools (`schools` of them, or one per ~833 people and at least 2)."""
    count = schools or max(2, round(people / PEOPLE_PER_SCHOOL))
    departments = ("069", "069", "069", "001", "042")
    serials: dict[str, list[int]] = {
        d: rng.sample(range(1000, 10000), count) for d in dict.fromkeys(departments)
    }
    patrons = list(names.PATRONS)
    rng.shuffle(patrons)
    schools: list[SchoolDef] = []
    weights: list[float] = []
    for i in range(count):
        kind = "LYCEE" if i % LYCEE_EVERY == LYCEE_EVERY - 1 else "COLLEGE"
        dept = departments[i % len(departments)]
        digits = f"{dept}{serials[dept].pop():04d}"
        towns = [t for t in names.TOWNS if t[0].startswith(dept[1:])] or list(names.TOWNS)
        postcode, town = rng.choice(towns)
        patron = patrons[i % len(patrons)]
        label = "Collège" if kind == "COLLEGE" else "Lycée"
        name = f"{label} {patron}" + (f" ({town})" if i >= len(patrons) else "")
        schools.append(
            SchoolDef(
                index=i,
                key=str(STRUCTURE_KEYS + 1 + i),
                uai=uai(digits),
                kind=kind,
                name=name,
                postcode=postcode,
                town=town,
                street=f"{rng.randint(1, 120)} {rng.choice(names.STREETS)}",
                phone=f"04{rng.randint(70000000, 79999999)}",
            )
        )
        base = 1.0 if kind == "COLLEGE" else 1.8
        weights.append(base * rng.uniform(0.7, 1.3))
    for school, n in zip(schools, apportion(pupils, weights), strict=True):
        school.pupils = n
        _layout(school)
    return schools


def _layout(school: SchoolDef) -> None:
    """Classes and teaching groups for the school's pupils."""
    per_level = apportion(school.pupils, [1.0] * len(school.levels))
    for level, n in zip(school.levels, per_level, strict=True):
        spec = LEVELS[level]
        count = max(1, round(n / PUPILS_PER_CLASS))
        for j in range(count):
            if school.kind == "COLLEGE":
                letter = LETTERS[j % 26] + (str(j // 26) if j >= 26 else "")
                school.classes.append(ClassDef(f"{level}{letter}", f"{level}e {letter}", level))
            elif level == "2":
                school.classes.append(ClassDef(f"2ND{j + 1}", f"Seconde {j + 1}", level))
            else:
                school.classes.append(
                    ClassDef(f"{level}G{j + 1}", f"{LEVEL_NAMES[level]} G{j + 1}", level)
                )
        by_subject: dict[str, list[GroupDef]] = {}
        short = LEVEL_SHORT[level]
        if spec.lv2:
            for lang, share in (("ESP", 0.65), ("ALL", 0.35)):
                k = max(1, math.ceil(share * n / 28))
                by_subject[lang] = [
                    GroupDef(
                        f"{lang}{level}-{g + 1}",
                        f"{SUBJECTS[lang].short} {short} gr. {g + 1}",
                        level,
                        lang,
                    )
                    for g in range(k)
                ]
        if spec.latin and n >= 50:
            by_subject["LAT"] = [GroupDef(f"LAT{level}", f"Latin {short}", level, "LAT")]
        for spe in spec.specialities:
            k = max(1, math.ceil(0.5 * n / 28))
            by_subject[spe] = [
                GroupDef(
                    f"SPE{spe}{level}-{g + 1}",
                    f"Spécialité {SUBJECTS[spe].short} {short} gr. {g + 1}",
                    level,
                    spe,
                )
                for g in range(k)
            ]
        school.level_groups[level] = by_subject
        for groups in by_subject.values():
            school.groups.extend(groups)


def services_of(school: SchoolDef) -> list[Service]:
    out = []
    for klass in school.classes:
        for subject in LEVELS[klass.level].class_subjects:
            out.append(Service(school.index, False, klass.code, subject))
    for group in school.groups:
        out.append(Service(school.index, True, group.code, group.subject))
    return out


def build_staff(rng: random.Random, schools: list[SchoolDef], staff_total: int) -> None:
    """Non-teaching staff per school, then teachers in proportion to the services to teach."""
    for school in schools:
        p = school.pupils
        functions: list[tuple[str, ...]] = [("DIR",), ("DIR",)]
        functions += [("EDU",)] * (1 + p // 250)
        functions += [("ADF",)] * (1 + p // 300)
        functions += [("DOC",)]
        school.staff = functions
    non_teaching = sum(len(s.staff) for s in schools)
    teachers_total = staff_total - non_teaching
    if teachers_total < len(schools):
        # A very small set: one teacher per school, one head per school.
        for school in schools:
            school.staff = [("DIR",)]
        teachers_total = max(len(schools), staff_total - len(schools))
    all_services = [services_of(s) for s in schools]
    per_school = apportion(teachers_total, [len(v) for v in all_services])
    for school, services, count in zip(schools, all_services, per_school, strict=True):
        _deal(school, services, max(1, count))
    _merge_small(schools)
    _share_teachers(rng, schools)
    teaching_in: dict[int, list[Teacher]] = {}
    for school in schools:
        for teacher in school.teachers:
            for where in dict.fromkeys(s.school for s in teacher.services):
                teaching_in.setdefault(where, []).append(teacher)
    for school in schools:
        _main_teachers(school, teaching_in.get(school.index, []))


def _deal(school: SchoolDef, services: list[Service], count: int) -> None:
    by_discipline: dict[str, list[Service]] = {}
    for s in services:
        by_discipline.setdefault(SUBJECTS[s.subject].discipline, []).append(s)
    disciplines = list(by_discipline)
    if count >= len(disciplines):
        extra = apportion(count - len(disciplines), [len(by_discipline[d]) for d in disciplines])
        teachers_per = [1 + e for e in extra]
    else:
        teachers_per = [1 if i < count else 0 for i in range(len(disciplines))]
    for discipline, k in zip(disciplines, teachers_per, strict=True):
        pool = by_discipline[discipline]
        if k == 0:
            # Fewer teachers than disciplines: the least busy teacher takes these too.
            target = min(school.teachers, key=lambda t: len(t.services))
            target.services.extend(pool)
            continue
        start = 0
        for part in apportion(len(pool), [1.0] * k):
            school.teachers.append(Teacher(school.index, discipline, pool[start : start + part]))
            start += part


def _merge_small(schools: list[SchoolDef]) -> None:
    """Teachers with fewer than 3 services (German in a small collège) take over those of a
    colleague of the same discipline in another school, who becomes a life-school assistant."""
    waiting: dict[str, Teacher] = {}
    for school in schools:
        for teacher in list(school.teachers):
            if len(teacher.services) >= 3:
                continue
            other = waiting.get(teacher.discipline)
            if other is None or other.school == teacher.school:
                waiting[teacher.discipline] = teacher
                continue
            other.services.extend(teacher.services)
            school.teachers.remove(teacher)
            school.staff.append(("EDU",))
            if len(other.services) >= 3:
                del waiting[teacher.discipline]


def _share_teachers(rng: random.Random, schools: list[SchoolDef]) -> None:
    """Some teachers take one service in a second school, from a colleague of their discipline."""
    if len(schools) < 2:
        return
    for school in schools:
        for teacher in school.teachers:
            if rng.random() >= TWO_SCHOOL_TEACHERS or len(teacher.services) > 5:
                continue
            other = schools[(school.index + 1 + rng.randrange(len(schools) - 1)) % len(schools)]
            colleagues = [
                t
                for t in other.teachers
                if t.discipline == teacher.discipline and len(t.services) >= 4
            ]
            if not colleagues:
                continue
            donor = max(colleagues, key=lambda t: len(t.services))
            teacher.services.append(donor.services.pop())


def _main_teachers(school: SchoolDef, teachers: list[Teacher]) -> None:
    """One main teacher per class, among those teaching it a subject, one class each if we can."""
    teaching: dict[str, list[Teacher]] = {}
    for s in teachers:
        for service in s.services:
            if service.school == school.index and not service.is_group:
                teaching.setdefault(service.code, []).append(s)
    busy: set[int] = set()
    for klass in school.classes:
        team = teaching.get(klass.code, [])
        if not team:
            continue
        free = [t for t in team if id(t) not in busy] or team
        chosen = free[0]
        busy.add(id(chosen))
        chosen.main_classes.append((school.index, klass.code))


# --- XML --------------------------------------------------------------------------------------


def esc(value: str) -> str:
    if "&" in value or "<" in value or ">" in value:
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def request(category: tuple[str, str], key: str, attrs: list[tuple[str, Any]]) -> str:
    parts = [
        '  <addRequest>\n    <operationalAttributes><attr name="',
        category[0],
        '"><value>',
        category[1],
        "</value></attr></operationalAttributes>\n    <identifier><id>",
        key,
        "</id></identifier>\n    <attributes>\n",
    ]
    for name, given in attrs:
        if not given:
            continue
        values = (given,) if isinstance(given, str) else given
        parts.append(f'      <attr name="{name}">')
        parts.extend(f"<value>{esc(v)}</value>" for v in values)
        parts.append("</attr>\n")
    parts.append("    </attributes>\n  </addRequest>\n")
    return "".join(parts)


class PagedWriter:
    """The pages of one file type: a new file every `page_size` requests, encodings alternating."""

    def __init__(self, folder: Path, prefix: str, kind: str, page_size: int) -> None:
        self.folder = folder
        self.prefix = prefix
        self.kind = kind
        self.rank = FILE_TYPES.index(kind)
        self.page_size = page_size
        self.page = -1
        self.count = 0
        self.out: IO[str] | None = None
        self.paths: list[Path] = []
        self._open()

    def _open(self) -> None:
        self._close()
        self.page += 1
        self.count = 0
        encoding = ENCODINGS[(self.rank + self.page) % 2]
        path = self.folder / f"{self.prefix}_{self.kind}_{self.page:04d}.xml"
        self.paths.append(path)
        self.out = path.open("w", encoding=encoding, errors="strict", newline="\n")
        self.out.write(f'<?xml version="1.0" encoding="{encoding}"?>\n{VERSION_COMMENT}\n')
        self.out.write("<ficAlimMENESR>\n")

    def add(self, text: str) -> None:
        if self.count >= self.page_size:
            self._open()
        assert self.out is not None
        self.out.write(text)
        self.count += 1

    def _close(self) -> None:
        if self.out is not None:
            self.out.write("</ficAlimMENESR>\n")
            self.out.close()
            self.out = None

    def close(self) -> list[Path]:
        self._close()
        return self.paths


# --- people -----------------------------------------------------------------------------------


def ascii_fold(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return "".join(c if c.isalnum() else "-" for c in plain).strip("-")


def birth(rng: random.Random, year: int) -> str:
    day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    return day.strftime("%d/%m/%Y")


def mobile(rng: random.Random) -> str:
    return f"0{rng.choice('67')}{rng.randint(10000000, 99999999)}"


class Slots:
    """Places in classes, taken by pupils: at random, or in a given school (brothers, sisters)."""

    def __init__(self, rng: random.Random, schools: list[SchoolDef]) -> None:
        self.school = array("I")
        self.klass = array("I")
        self.by_school: list[array[int]] = []
        for school in schools:
            start = len(self.school)
            per_level = apportion(school.pupils, [1.0] * len(school.levels))
            for level, n in zip(school.levels, per_level, strict=True):
                indices = [i for i, c in enumerate(school.classes) if c.level == level]
                for j in range(n):
                    self.school.append(school.index)
                    self.klass.append(indices[j % len(indices)])
            own = array("I", range(start, len(self.school)))
            rng.shuffle(own)  # type: ignore[arg-type]
            self.by_school.append(own)
        self.order = array("I", range(len(self.school)))
        rng.shuffle(self.order)  # type: ignore[arg-type]
        self.taken = bytearray(len(self.school))
        self.cursor = 0
        self.school_cursor = [0] * len(schools)

    def anywhere(self) -> int:
        while self.taken[self.order[self.cursor]]:
            self.cursor += 1
        slot = self.order[self.cursor]
        self.taken[slot] = 1
        return slot

    def near(self, school: int) -> int:
        own = self.by_school[school]
        i = self.school_cursor[school]
        while i < len(own) and self.taken[own[i]]:
            i += 1
        self.school_cursor[school] = i
        if i == len(own):
            return self.anywhere()
        self.taken[own[i]] = 1
        return own[i]


def plan_families(rng: random.Random, pupils: int, guardians: int) -> tuple[bytes, bytes, bytes]:
    """Children per family, level-1 guardians per family (1 or 2), level-2 person or not."""
    sizes = bytearray()
    left = pupils
    while left > 0:
        size = min(left, rng.choices(FAMILY_SIZES, FAMILY_WEIGHTS)[0])
        sizes.append(size)
        left -= size
    families = len(sizes)
    level2 = min(families, round(guardians * LEVEL2_SHARE)) if families else 0
    level1 = guardians - level2
    couples = max(0, min(families, level1 - families))
    two = bytearray(families)
    for f in rng.sample(range(families), couples):
        two[f] = 1
    extra = bytearray(families)
    for f in rng.sample(range(families), level2):
        extra[f] = 1
    return bytes(sizes), bytes(two), bytes(extra)


@dataclass
class Stats:
    people: int = 0
    pupils: int = 0
    guardians: int = 0
    guardians_level2: int = 0
    guardians_two_schools: int = 0
    staff: int = 0
    teachers: int = 0
    teachers_two_schools: int = 0
    schools: int = 0
    colleges: int = 0
    lycees: int = 0
    classes: int = 0
    groups: int = 0
    subjects: int = 0
    levels: int = 0
    services: int = 0
    services_min: int = 0
    services_max: int = 0
    group_memberships: int = 0
    guardian_links: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    paths: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "paths"}


def write_structures(w: PagedWriter, schools: list[SchoolDef]) -> None:
    for s in schools:
        w.add(
            request(
                ("categorieStructure", "Etablissement"),
                s.key,
                [
                    ("ENTStructureJointure", s.key),
                    ("ENTStructureUAI", s.uai),
                    ("ENTStructureSIREN", f"1969{int(s.key) % 10**10:010d}"),
                    ("ENTStructureNomCourant", s.name),
                    ("ENTStructureTypeStruct", s.kind),
                    ("ENTEtablissementContrat", "PU"),
                    ("ENTEtablissementMinistereTutelle", "MINISTERE DE L'EDUCATION NATIONALE"),
                    ("ENTEtablissementBassin", f"BASSIN {s.town.upper()}"),
                    ("ENTServAcAcademie", "LYON"),
                    ("ENTStructureClasses", [f"{c.code}${c.label}" for c in s.classes]),
                    ("ENTStructureGroupes", [f"{g.code}${g.label}" for g in s.groups]),
                    ("street", s.street),
                    ("postalCode", s.postcode),
                    ("l", s.town),
                    ("telephoneNumber", s.phone),
                ],
            )
        )


def write_subjects(w: PagedWriter) -> None:
    for subject in SUBJECTS.values():
        w.add(
            request(
                ("categorieMatiere", "Matiere"),
                subject.code,
                [("ENTMatJointure", subject.code), ("ENTLibelleMatiere", subject.label)],
            )
        )


def write_levels(w: PagedWriter) -> None:
    for level in LEVELS.values():
        w.add(
            request(
                ("categorieMef", "Mef"),
                level.mef,
                [
                    ("ENTMefJointure", level.mef),
                    ("ENTLibelleMef", level.mef_label),
                    ("ENTMEFRattach", level.mef),
                    ("ENTMEFSTAT11", level.mef),
                ],
            )
        )


class People:
    """Draws names and contact details; keeps e-mail addresses unique."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.mails: dict[str, int] = {}

    def adult(self, woman: bool | None = None) -> tuple[str, str, str]:
        rng = self.rng
        if woman is None:
            woman = rng.random() < 0.55
        first = rng.choice(names.WOMEN if woman else names.MEN)
        return first, rng.choice(names.SURNAMES), "Mme" if woman else "M."

    def mail(self, first: str, last: str, domain: str) -> str:
        stem = f"{ascii_fold(first)}.{ascii_fold(last)}"
        n = self.mails.get(stem, 0) + 1
        self.mails[stem] = n
        return f"{stem}{n if n > 1 else ''}@{domain}"


def write_staff(
    w: PagedWriter, rng: random.Random, people: People, schools: list[SchoolDef], year: int
) -> tuple[int, int, int, list[int]]:
    key = STAFF_KEYS
    teachers = two_schools = 0
    loads: list[int] = []
    for school in schools:
        for codes in school.staff:
            key += 1
            first, last, title = people.adult()
            w.add(
                request(
                    ("categoriePersonne", "PersEducNat"),
                    str(key),
                    [
                        ("ENTPersonJointure", str(key)),
                        ("sn", last),
                        ("givenName", first),
                        ("personalTitle", title),
                        ("ENTPersonDateNaissance", birth(rng, year - rng.randint(26, 62))),
                        ("mail", people.mail(first, last, "ac-lyon.fr")),
                        ("ENTPersonStructRattach", school.key),
                        ("PersEducNatPresenceDevantEleves", "N"),
                        (
                            "ENTPersonFonctions",
                            [f"{school.key}${c}${STAFF_FUNCTIONS[c]}$-$-" for c in codes],
                        ),
                    ],
                )
            )
        for teacher in school.teachers:
            key += 1
            teachers += 1
            loads.append(len(teacher.services))
            first, last, title = people.adult()
            places = list(dict.fromkeys([school.index] + [s.school for s in teacher.services]))
            if len(places) > 1:
                two_schools += 1
            code, label = DISCIPLINES[teacher.discipline]
            keys = {s.index: s.key for s in schools if s.index in places}
            classes = [
                f"{keys[s.school]}${s.code}${SUBJECTS[s.subject].code}"
                for s in teacher.services
                if not s.is_group
            ]
            groups = [
                f"{keys[s.school]}${s.code}${SUBJECTS[s.subject].code}"
                for s in teacher.services
                if s.is_group
            ]
            w.add(
                request(
                    ("categoriePersonne", "PersEducNat"),
                    str(key),
                    [
                        ("ENTPersonJointure", str(key)),
                        ("sn", last),
                        ("givenName", first),
                        ("personalTitle", title),
                        ("ENTPersonDateNaissance", birth(rng, year - rng.randint(24, 63))),
                        ("mail", people.mail(first, last, "ac-lyon.fr")),
                        ("ENTPersonStructRattach", school.key),
                        ("PersEducNatPresenceDevantEleves", "O"),
                        (
                            "ENTPersonFonctions",
                            [f"{keys[p]}$ENS$ENSEIGNEMENT${code}${label}" for p in places],
                        ),
                        ("ENTAuxEnsClassesMatieres", classes),
                        ("ENTAuxEnsGroupesMatieres", groups),
                        (
                            "ENTAuxEnsClassesPrincipal",
                            [f"{keys[s]}${c}" for s, c in teacher.main_classes],
                        ),
                        (
                            "ENTAuxEnsMEF",
                            sorted(
                                {
                                    LEVELS[_level_of(schools[s.school], s)].mef
                                    for s in teacher.services
                                }
                            ),
                        ),
                    ],
                )
            )
    return key - STAFF_KEYS, teachers, two_schools, loads


_LEVEL_CACHE: dict[tuple[int, str], str] = {}


def _level_of(school: SchoolDef, service: Service) -> str:
    k = (school.index, service.code)
    if k not in _LEVEL_CACHE:
        for item in (*school.classes, *school.groups):
            _LEVEL_CACHE[(school.index, item.code)] = item.level
    return _LEVEL_CACHE[k]


def _pupil_groups(rng: random.Random, school: SchoolDef, level: str) -> list[GroupDef]:
    spec = LEVELS[level]
    by_subject = school.level_groups.get(level, {})
    chosen: list[GroupDef] = []
    if spec.lv2 and by_subject:
        lang = "ESP" if rng.random() < 0.65 else "ALL"
        if lang in by_subject:
            chosen.append(rng.choice(by_subject[lang]))
        if "LAT" in by_subject and rng.random() < 0.2:
            chosen.append(by_subject["LAT"][0])
    elif spec.specialities:
        for spe in rng.sample(spec.specialities, 2):
            if spe in by_subject:
                chosen.append(rng.choice(by_subject[spe]))
    return chosen


Guardian = tuple[str, str, str, str, str, int]  # key, first name, last name, title, kinship, level


class FamilyWriter:
    """Pupils and their guardians, family by family, into the Eleve and PersRelEleve pages."""

    def __init__(
        self,
        writers: dict[str, PagedWriter],
        *,
        rng: random.Random,
        people: People,
        schools: list[SchoolDef],
        year: int,
        stats: Stats,
    ) -> None:
        self.pupils_out = writers["Eleve"]
        self.guardians_out = writers["PersRelEleve"]
        self.rng = rng
        self.people = people
        self.schools = schools
        self.year = year
        self.stats = stats
        self.slots = Slots(rng, schools)
        self.pupil_key = PUPIL_KEYS
        self.guardian_key = GUARDIAN_KEYS
        self.ine = 1_000_000_000 + rng.randrange(10**8)

    def write(self, plan: tuple[bytes, bytes, bytes]) -> None:
        sizes, two, extra = plan
        for f, size in enumerate(sizes):
            self.family(size, couple=bool(two[f]), level2=bool(extra[f]))

    def family(self, size: int, *, couple: bool, level2: bool) -> None:
        rng = self.rng
        surname = rng.choice(names.SURNAMES)
        key = self.guardian_key
        family: list[Guardian] = []
        if couple:
            mother_name = surname if rng.random() < 0.75 else rng.choice(names.SURNAMES)
            family.append((str(key + 1), rng.choice(names.WOMEN), mother_name, "Mme", "10", 1))
            family.append((str(key + 2), rng.choice(names.MEN), surname, "M.", "20", 1))
        else:
            woman = rng.random() < 0.7
            first = rng.choice(names.WOMEN if woman else names.MEN)
            title, kinship = ("Mme", "10") if woman else ("M.", "20")
            family.append((str(key + 1), first, surname, title, kinship, 1))
        if level2:
            first, last, title = self.people.adult()
            family.append((str(key + len(family) + 1), first, last, title, "90", 2))
        self.guardian_key += len(family)
        # guardian key $ kinship $ financial $ level $ contact $ payer
        links = [
            f"{g[0]}${g[4]}${1 if g[5] == 1 else 0}${g[5]}$1${1 if i == 0 else 0}"
            for i, g in enumerate(family)
        ]
        children: list[str] = []
        places: list[int] = []
        for c in range(size):
            if c == 0 or rng.random() >= SIBLING_SAME_SCHOOL:
                slot = self.slots.anywhere()
            else:
                slot = self.slots.near(places[0])
            children.append(self.pupil(surname, slot, links))
            places.append(self.slots.school[slot])
        stats = self.stats
        stats.pupils += size
        stats.guardian_links += size * len(family)
        if len(set(places)) > 1:
            stats.guardians_two_schools += len(family)
        home = self.schools[places[0]]
        street = f"{rng.randint(1, 200)} {rng.choice(names.STREETS)}"
        for guardian in family:
            self.guardian(guardian, children, home, street)

    def pupil(self, surname: str, slot: int, links: list[str]) -> str:
        rng = self.rng
        school = self.schools[self.slots.school[slot]]
        klass = school.classes[self.slots.klass[slot]]
        spec = LEVELS[klass.level]
        groups = _pupil_groups(rng, school, klass.level)
        self.stats.group_memberships += len(groups)
        self.pupil_key += 1
        self.ine += 1
        key = str(self.pupil_key)
        girl = rng.random() < 0.5
        pool = names.GIRLS if girl else names.BOYS
        first = rng.choice(pool)
        others = [first] + ([rng.choice(pool)] if rng.random() < 0.6 else [])
        late = 1 if rng.random() < 0.08 else 0
        attrs: list[tuple[str, Any]] = [
            ("ENTPersonJointure", key),
            ("sn", surname),
            ("givenName", first),
            ("ENTPersonAutresPrenoms", others),
            ("personalTitle", "MME" if girl else "M"),
            ("ENTPersonDateNaissance", birth(rng, self.year - spec.age - late)),
            ("ENTEleveINE", f"{self.ine:010d}{UAI_LETTERS[self.ine % 23]}"),
            ("ENTPersonStructRattach", school.key),
            ("ENTEleveStructRattachId", school.key),
            ("ENTEleveMEF", spec.mef),
            ("ENTEleveLibelleMEF", spec.mef_label),
            ("ENTEleveNivFormation", spec.formation),
            ("ENTEleveFiliere", spec.stream),
            ("ENTEleveClasses", f"{school.key}${klass.code}"),
            ("ENTEleveGroupes", [f"{school.key}${g.code}" for g in groups]),
            ("ENTEleveCodeEnseignements", [SUBJECTS[g.subject].code for g in groups]),
            ("ENTEleveEnseignements", [SUBJECTS[g.subject].label for g in groups]),
            ("ENTEleveBoursier", "O" if rng.random() < 0.25 else "N"),
            ("ENTEleveRegime", rng.choices(REGIMES, REGIME_WEIGHTS)[0]),
            ("ENTEleveTransport", "O" if rng.random() < 0.2 else "N"),
            ("ENTEleveStatutEleve", "SCOLAIRE"),
            ("ENTElevePersRelEleve", links),
        ]
        self.pupils_out.add(request(("categoriePersonne", "Eleve"), key, attrs))
        return key

    def guardian(
        self, guardian: Guardian, children: list[str], home: SchoolDef, street: str
    ) -> None:
        rng = self.rng
        key, first, last, title, _kinship, level = guardian
        self.stats.guardians += 1
        self.stats.guardians_level2 += level == 2
        mail = (
            self.people.mail(first, last, rng.choice(MAIL_DOMAINS)) if rng.random() < 0.75 else ""
        )
        if level == 2:
            street = f"{rng.randint(1, 200)} {rng.choice(names.STREETS)}"
        attrs: list[tuple[str, Any]] = [
            ("ENTPersonJointure", key),
            ("sn", last),
            ("givenName", first),
            ("personalTitle", title),
            ("mail", mail),
            ("homePhone", f"04{rng.randint(70000000, 79999999)}" if rng.random() < 0.3 else ""),
            ("mobile", mobile(rng) if rng.random() < 0.9 else ""),
            ("ENTPersonAdresse", street),
            ("ENTPersonCodePostal", home.postcode),
            ("ENTPersonVille", home.town),
            ("ENTPersonPays", "FRANCE"),
            ("ENTAuxPersRelEleveEleve", children),
        ]
        self.guardians_out.add(request(("categoriePersonne", "PersRelEleve"), key, attrs))


def generate(
    folder: Path,
    *,
    people: int = 100_000,
    seed: int = 1,
    page_size: int = 20_000,
    date: str = "20260905",
    code: str = "",
    school_count: int = 0,
) -> Stats:
    """Write the set into `folder` (emptied of earlier AAF files first); return its figures.
    `school_count`: how many schools (0: one per ~833 people, at least 2)."""
    started = time.perf_counter()
    for strings in names.ALL_LISTS:
        for s in strings:
            s.encode("iso-8859-15")  # every name fits either encoding
    day = dt.datetime.strptime(date, "%Y%m%d").date()
    year = day.year if day.month >= 8 else day.year - 1
    code = code or uai("0690000")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("ENT_*.xml"):
        old.unlink()
    rng = random.Random(seed)
    pupils = round(people * SHARE_PUPILS)
    guardians = round(people * SHARE_GUARDIANS)
    staff = people - pupils - guardians
    schools = build_schools(rng, people, pupils, school_count)
    build_staff(rng, schools, staff)
    plan = plan_families(rng, pupils, guardians)
    prefix = f"ENT_{code}_Complet_{date}"
    stats = Stats()
    writers = {kind: PagedWriter(folder, prefix, kind, page_size) for kind in FILE_TYPES}
    people_names = People(rng)
    write_structures(writers["EtabEducNat"], schools)
    write_subjects(writers["MatiereEducNat"])
    write_levels(writers["MefEducNat"])
    stats.staff, stats.teachers, stats.teachers_two_schools, loads = write_staff(
        writers["PersEducNat"], rng, people_names, schools, year
    )
    FamilyWriter(
        writers, rng=rng, people=people_names, schools=schools, year=year, stats=stats
    ).write(plan)
    paths = [p for w in writers.values() for p in w.close()]
    stats.people = stats.pupils + stats.guardians + stats.staff
    stats.schools = len(schools)
    stats.colleges = sum(s.kind == "COLLEGE" for s in schools)
    stats.lycees = stats.schools - stats.colleges
    stats.classes = sum(len(s.classes) for s in schools)
    stats.groups = sum(len(s.groups) for s in schools)
    stats.subjects = len(SUBJECTS)
    stats.levels = len(LEVELS)
    stats.services = sum(loads)
    stats.services_min = min(loads, default=0)
    stats.services_max = max(loads, default=0)
    stats.files = len(paths)
    stats.bytes = sum(p.stat().st_size for p in paths)
    stats.paths = [str(p) for p in paths]
    stats.seconds = round(time.perf_counter() - started, 2)
    return stats


def iter_summary(stats: Stats) -> Iterator[str]:
    yield (
        f"{stats.people:,} people: {stats.pupils:,} pupils, {stats.guardians:,} guardians "
        f"({stats.guardians_level2:,} level 2, {stats.guardians_two_schools:,} with children in "
        f"two schools), {stats.staff:,} staff ({stats.teachers:,} teachers, "
        f"{stats.teachers_two_schools:,} in two schools)"
    )
    yield (
        f"{stats.schools} schools ({stats.colleges} collèges, {stats.lycees} lycées), "
        f"{stats.classes:,} classes, {stats.groups:,} groups, {stats.subjects} subjects, "
        f"{stats.levels} MEFs; {stats.services:,} teaching services "
        f"({stats.services_min} to {stats.services_max} a teacher, "
        f"{stats.services / max(stats.teachers, 1):.1f} on average); "
        f"{stats.guardian_links:,} guardian links, {stats.group_memberships:,} group places"
    )
    yield f"{stats.files} files, {stats.bytes:,} bytes, written in {stats.seconds} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "folder", type=Path, help="where to write the set (its AAF files are replaced)"
    )
    parser.add_argument("--people", type=int, default=100_000, help="how many people (100,000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--page-size", type=int, default=20_000, help="requests per page (20,000)")
    parser.add_argument("--date", default="20260905", help="extraction date, YYYYMMDD")
    parser.add_argument("--code", default="", help="académie code in the file names")
    parser.add_argument(
        "--schools", type=int, default=0, help="how many schools (0: one per ~833 people)"
    )
    args = parser.parse_args(argv)
    if args.people < 100:
        parser.error("--people: at least 100")
    if args.page_size < 1:
        parser.error("--page-size: at least 1")
    if args.schools < 0:
        parser.error("--schools: 0 or more")
    stats = generate(
        args.folder,
        people=args.people,
        seed=args.seed,
        page_size=args.page_size,
        date=args.date,
        code=args.code,
        school_count=args.schools,
    )
    for line in iter_summary(stats):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
