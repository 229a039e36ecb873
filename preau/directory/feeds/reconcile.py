"""Records → the directory's rows, for every feed format, in batches.

The `Reconciler` consumes the records a parser streams and writes schools, subjects, levels,
classes, groups, people, memberships, group members, teaching assignments and guardian links for
the current school year. It never decides whether its writes are kept: `run.py` runs it inside a
transaction and rolls it back for a preview, so the preview and the import are the same code.

Work is batched: people are handled `BATCH` at a time, with one query per table to read the
batch's existing rows and bulk writes for what changed, so a complete académie costs a few
queries per batch, not per person. Every change is reported to the `Report` (kind, action, key,
label, field → [old, new]) and every problem in the data to `errors`, naming its source.

Scope: the schools the set describes (its structure records, or the job's school) are the
*scope*. A complete set speaks for its `covered` profiles in the scope: whoever of them the set
does not mention loses their memberships there and, with none left anywhere, is pre-deleted
(blocked, told why, erased by the retention job after the tenant's grace period).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.core.actor import Actor
from preau.core.sanitize import fold
from preau.directory.feeds.records import (
    AssignmentRecord,
    DeleteRecord,
    FeedError,
    Field,
    GuardianLinkRecord,
    LevelRecord,
    MembershipRecord,
    Op,
    PersonRecord,
    Record,
    Source,
    StructureRecord,
    SubjectRecord,
)
from preau.directory.logins import login_stem
from preau.directory.models import (
    DuplicateCandidate,
    Group,
    GroupMember,
    GuardianLink,
    ImportChange,
    ImportJob,
    Level,
    Membership,
    Person,
    Profile,
    School,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
    validate_uai,
)
from preau.directory.permissions import Perm, policy

BATCH = 500
KEY_MAX = 64  # Person.external_id
RETENTION_DAYS_DEFAULT = 92  # about three months: arrêté of 30 November 2006
FAMILIES = {
    Profile.PUPIL: (Profile.PUPIL,),
    Profile.GUARDIAN: (Profile.GUARDIAN,),
    Profile.TEACHER: (Profile.TEACHER, Profile.STAFF),
    Profile.STAFF: (Profile.TEACHER, Profile.STAFF),
}
PERSON_FIELDS = {
    Field.NAMES: ("first_name", "last_name", "title"),
    Field.BIRTH_DATE: ("birth_date",),
    Field.EMAIL: ("email",),
    Field.INE: ("ine",),
    Field.CONTACT: ("phone", "mobile", "address"),
}
LIMITS = {"first_name": 100, "last_name": 100, "phone": 30, "mobile": 30, "address": 250}


def feed_block_reason() -> str:
    return _("Your account was closed by the directory feed: you no longer belong to a school.")


def retention_days(tenant: Any) -> int:
    try:
        return int((tenant.options or {}).get("retention_days", RETENTION_DAYS_DEFAULT))
    except (TypeError, ValueError):
        return RETENTION_DAYS_DEFAULT


@dataclass
class Report:
    """Counts per (kind, action) and the report lines, handed to `sink` as they come."""

    sink: Callable[[dict[str, Any]], None]
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    seen: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(
        self, kind: str, action: str, key: str, label: str, details: dict[str, Any] | None = None
    ) -> None:
        by_kind = self.counts[kind]
        by_kind[action] = by_kind.get(action, 0) + 1
        self.sink(
            {"kind": kind, "action": action, "key": key, "label": label, "details": details or {}}
        )

    @property
    def total(self) -> int:
        return sum(n for actions in self.counts.values() for n in actions.values())

    def summary(self) -> dict[str, Any]:
        return {
            "changes": {k: dict(v) for k, v in sorted(self.counts.items())},
            "seen": dict(self.seen),
            "total": self.total,
        }


class _Who(NamedTuple):
    pk: int
    external_id: str
    last_name: str
    first_name: str
    deletion_due_on: dt.date | None

    def __str__(self) -> str:  # as Person.sort_name
        return f"{self.last_name.upper()} {self.first_name}".strip()


def _value(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Reconciler:
    def __init__(
        self,
        *,
        actor: Actor,
        year: SchoolYear,
        source_name: str,
        complete: bool,
        covered: set[str],
        report: Report,
        errors: list[FeedError],
        job: ImportJob | None = None,
        school: School | None = None,
        on_batch: Callable[[], None] | None = None,
        create_missing: bool = False,
    ) -> None:
        self.actor = actor
        self.tenant = actor.tenant
        self.year = year
        self.source_name = source_name
        self.complete = complete
        self.covered = covered
        self.report = report
        self.errors = errors
        self.job = job
        self.on_batch = on_batch or (lambda: None)
        # CSV files name classes, groups and subjects no other file declares: create them.
        self.create_missing = create_missing
        self.level2 = bool((self.tenant.options or {}).get("import_guardian_level2", False))
        self.today = timezone.localdate()
        schools = list(School.objects.filter(tenant=self.tenant))
        self.schools_by_key = {s.external_id: s for s in schools if s.external_id}
        self.schools_by_uai = {s.uai: s for s in schools}
        self.schools_by_pk = {s.pk: s for s in schools}
        self.administered = {s.pk for s in schools if policy.can(actor, Perm.ADMINISTER_SCHOOL, s)}
        self.scope: dict[int, School] = {}
        if school is not None:
            self._check_administered(school, Source(""))
            self.scope[school.pk] = school
        self.subjects = {s.code: s for s in Subject.objects.filter(tenant=self.tenant)}
        self.levels = {lv.code: lv for lv in Level.objects.filter(tenant=self.tenant)}
        self.classes: dict[int, dict[str, SchoolClass]] = {}
        self.groups: dict[int, dict[str, Group]] = {}
        self.pending: list[PersonRecord] = []
        self.seen_ids: set[int] = set()
        self.links: list[tuple[str, GuardianLinkRecord, Source]] = []  # (pupil key, link)
        self.pupils_with_links: set[str] = set()
        self.child_links: list[tuple[str, str, GuardianLinkRecord | None, Source]] = []
        self.guardian_keys: set[str] = set()
        # (pupil key, guardian key) → level, as the pupils' side gives it.
        self.declared: dict[tuple[str, str], int] = {}
        self.deletes: list[DeleteRecord] = []
        self.batches = 0
        self.group_info: dict[int, tuple[int, str]] | None = None
        self.analysed_at = 0  # the report's size when ANALYZE last ran

    # --- entry points ---------------------------------------------------------------------

    def feed(self, records: Iterable[Record]) -> None:
        for record in records:
            try:
                self._dispatch(record)
            except FeedError as exc:
                self.errors.append(exc)
        self._flush()

    def finish(self) -> None:
        self._flush()
        self._apply_deletes()
        if self.complete:
            self._detach_absent()
        self._apply_links()

    # --- structures, subjects, levels -------------------------------------------------------

    def _dispatch(self, record: Record) -> None:
        if isinstance(record, PersonRecord):
            self.report.seen[record.profile] += 1
            self.pending.append(record)
            if len(self.pending) >= BATCH:
                self._flush()
        elif isinstance(record, StructureRecord):
            self._structure(record)
        elif isinstance(record, SubjectRecord):
            self._coded(Subject, self.subjects, "subject", record)
        elif isinstance(record, LevelRecord):
            self._coded(Level, self.levels, "level", record)
        elif isinstance(record, DeleteRecord):
            self.deletes.append(record)

    def _check_administered(self, school: School, source: Source) -> None:
        if school.pk not in self.administered:
            raise FeedError(
                _("You do not administer the school %(uai)s (%(name)s).")
                % {"uai": school.uai, "name": school.name},
                source,
            )

    def _structure(self, record: StructureRecord) -> None:
        school = self.schools_by_key.get(record.key) or self.schools_by_uai.get(record.uai)
        if school is None:
            school = self._create_school(record)
        else:
            self._check_administered(school, record.source)
            changes = self._assign(
                school,
                {
                    "name": record.name[:160],
                    "kind": record.kind,
                    "sector": record.sector,
                    "city": record.city[:120],
                    "external_id": record.key if record.key != record.uai else "",
                },
            )
            if changes:
                school.save()
                self.report.add("school", "updated", record.uai, school.name, changes)
            if school.external_id:
                self.schools_by_key[school.external_id] = school
        self.scope[school.pk] = school
        classes = self._classes(school)
        for code, label in record.classes:
            self._ensure_coded(SchoolClass, classes, "class", school, code, label, record.source)
        for code, level_code in record.class_levels.items():
            klass, level = classes.get(code), self.levels.get(level_code)
            if klass is not None and level is not None and klass.level_id != level.pk:
                self.report.add(
                    "class",
                    "updated",
                    f"{school.uai}${code}",
                    klass.name,
                    {"level": [klass.level.label if klass.level else "", level.label]},
                )
                klass.level = level
                klass.save(update_fields=["level"])
        groups = self._groups(school)
        for code, label in record.groups:
            self._ensure_coded(Group, groups, "group", school, code, label, record.source)
        for group_code, class_codes in record.group_classes.items():
            group = groups.get(group_code)
            if group is None:
                continue
            wanted = {classes[c].pk for c in class_codes if c in classes}
            have = set(group.classes.values_list("id", flat=True))
            if wanted - have:
                group.classes.add(*(wanted - have))

    def _create_school(self, record: StructureRecord) -> School:
        if not policy.can(self.actor, Perm.CREATE_SCHOOL):
            raise FeedError(
                _("The school %(uai)s is not in the directory, and you may not create schools.")
                % {"uai": record.uai},
                record.source,
            )
        try:
            validate_uai(record.uai)
        except Exception as exc:
            raise FeedError(
                _("The UAI %(uai)s of this structure is not valid.") % {"uai": record.uai},
                record.source,
            ) from exc
        school = School.objects.create(
            tenant=self.tenant,
            uai=record.uai,
            name=(record.name or record.uai)[:160],
            kind=record.kind or School.Kind.COLLEGE,
            sector=record.sector or School.Sector.PUBLIC,
            city=record.city[:120],
            external_id=record.key if record.key != record.uai else "",
        )
        if not self.actor.is_operator and self.actor.admin_authority_ids:
            school.authorities.add(min(self.actor.admin_authority_ids))
        self.schools_by_uai[school.uai] = school
        self.schools_by_pk[school.pk] = school
        if school.external_id:
            self.schools_by_key[school.external_id] = school
        self.administered.add(school.pk)
        self.report.add("school", "created", school.uai, school.name)
        return school

    def _coded(self, model: Any, cache: dict[str, Any], kind: str, record: Any) -> None:
        obj = cache.get(record.code)
        label = record.label[:120]
        if obj is None:
            cache[record.code] = model.objects.create(
                tenant=self.tenant, code=record.code[:20], label=label
            )
            self.report.add(kind, "created", record.code, label)
        elif label and obj.label != label and (self.source_name == "aaf" or obj.label == obj.code):
            # The académie's nomenclature names subjects and MEFs; school exports, which word
            # them each their own way, only name those that have no name yet.
            self.report.add(kind, "updated", record.code, label, {"label": [obj.label, label]})
            obj.label = label
            obj.save(update_fields=["label"])

    def _classes(self, school: School) -> dict[str, SchoolClass]:
        if school.pk not in self.classes:
            self.classes[school.pk] = {
                c.code: c
                for c in SchoolClass.objects.filter(
                    tenant=self.tenant, school=school, year=self.year
                ).select_related("level")
            }
        return self.classes[school.pk]

    def _groups(self, school: School) -> dict[str, Group]:
        if school.pk not in self.groups:
            self.groups[school.pk] = {
                g.code: g
                for g in Group.objects.filter(tenant=self.tenant, school=school, year=self.year)
            }
        return self.groups[school.pk]

    def _year_groups(self) -> dict[int, tuple[int, str]]:
        """This year's groups of the tenant: id → (school id, name), read once, kept current."""
        if self.group_info is None:
            self.group_info = {
                pk: (school_id, name)
                for pk, school_id, name in Group.objects.filter(
                    tenant=self.tenant, year=self.year
                ).values_list("pk", "school_id", "name")
            }
        return self.group_info

    def _ensure_coded(  # noqa: PLR0917 - a class or a group, in one place
        self,
        model: Any,
        cache: dict[str, Any],
        kind: str,
        school: School,
        code: str,
        label: str,
        source: Source,
    ) -> Any:
        if not code or len(code) > 30:
            raise FeedError(
                _("“%(code)s” is not a valid class or group code (1 to 30 characters).")
                % {"code": code},
                source,
            )
        obj = cache.get(code)
        given = label[:80]  # a feed without labels (SIECLE) keeps the names others gave
        label = given or code
        extra = {"kind": Group.Kind.TEACHING} if model is Group else {}
        if obj is None:
            obj = cache[code] = model.objects.create(
                tenant=self.tenant, school=school, year=self.year, code=code, name=label, **extra
            )
            self.report.add(kind, "created", f"{school.uai}${code}", label)
        elif given and obj.name != given:
            self.report.add(
                kind, "updated", f"{school.uai}${code}", label, {"name": [obj.name, label]}
            )
            obj.name = label
            obj.save(update_fields=["name"])
        if model is Group and self.group_info is not None:
            self.group_info[obj.pk] = (school.pk, obj.name)
        return obj

    # --- people -------------------------------------------------------------------------------

    def _school_ref(self, ref: str, source: Source) -> School:
        school = self.schools_by_key.get(ref) or self.schools_by_uai.get(ref.upper())
        if school is None:
            raise FeedError(
                _("The structure “%(ref)s” is neither in this set nor in the directory.")
                % {"ref": ref},
                source,
            )
        self._check_administered(school, source)
        return school

    def _class_ref(self, school: School, code: str, source: Source) -> SchoolClass:
        found = self._classes(school).get(code)
        if found is None and self.create_missing:
            return self._ensure_coded(
                SchoolClass, self._classes(school), "class", school, code, code, source
            )
        if found is None:
            raise FeedError(
                _("The class “%(code)s” is not a class of %(school)s this school year.")
                % {"code": code, "school": school.name},
                source,
            )
        return found

    def _group_ref(self, school: School, code: str, source: Source) -> Group:
        found = self._groups(school).get(code)
        if found is None and self.create_missing:
            return self._ensure_coded(
                Group, self._groups(school), "group", school, code, code, source
            )
        if found is None:
            raise FeedError(
                _("The group “%(code)s” is not a group of %(school)s this school year.")
                % {"code": code, "school": school.name},
                source,
            )
        return found

    def _subject_ref(self, code: str, source: Source) -> Subject | None:
        if not code:
            return None
        found = self.subjects.get(code)
        if found is None and self.create_missing:
            self._coded(Subject, self.subjects, "subject", SubjectRecord(code, code, source))
            return self.subjects[code]
        if found is None:
            raise FeedError(
                _("The subject “%(code)s” is neither in this set nor in the directory.")
                % {"code": code},
                source,
            )
        return found

    def _assign(self, obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
        """Set the values that differ (empty values from a feed never erase) → field changes."""
        changes = {}
        for name, new in values.items():
            if new in ("", None) and name not in {"title"}:
                continue
            old = getattr(obj, name)
            if old != new:
                changes[name] = [_value(old), _value(new)]
                setattr(obj, name, new)
        return changes

    def _person_values(self, record: PersonRecord) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for group, names in PERSON_FIELDS.items():
            if record.has(group):
                for name in names:
                    value = getattr(record, name)
                    if isinstance(value, str):
                        value = " ".join(value.split())[: LIMITS.get(name, 250)]
                    values[name] = value
        if "email" in values:
            values["email"] = (values["email"] or "").lower()[:254]
        if record.op == Op.MODIFY and "title" not in values:
            values.pop("title", None)
        return values

    def _flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        records: dict[str, PersonRecord] = {}
        for record in batch:
            if not record.key or len(record.key) > KEY_MAX:
                self.errors.append(
                    FeedError(
                        _("A join key has 1 to %(max)d characters: “%(key)s” does not.")
                        % {"max": KEY_MAX, "key": record.key},
                        record.source,
                    )
                )
                continue
            if record.key in records:
                self.errors.append(
                    FeedError(
                        _("The join key “%(key)s” appears twice in this set.")
                        % {"key": record.key},
                        record.source,
                    )
                )
                continue
            records[record.key] = record
        for record in records.values():
            if record.profile == Profile.PUPIL and record.has(Field.GUARDIANS):
                for link in record.guardians:
                    self.declared[(record.key, link.guardian_key)] = link.level
        records = {k: r for k, r in records.items() if self._wanted(r)}
        people = self._match(records)
        self._write_people(records, people)
        self._write_places(records, people)
        self._refresh_statistics()
        self.on_batch()

    def _refresh_statistics(self) -> None:
        """PostgreSQL plans from table statistics, which autovacuum cannot gather inside the
        import's transaction: a first import into empty tables would be planned as if they
        stayed empty (sequential scans, minutes per batch). ANALYZE sees the transaction's own
        rows; after batches 1, 2, 4, 8… the statistics are never off by more than half."""
        self.batches += 1
        if connection.vendor != "postgresql" or self.batches & (self.batches - 1):
            return
        if self.report.total == self.analysed_at:
            return  # nothing written since the last time (a re-import): the statistics hold
        self.analysed_at = self.report.total
        with connection.cursor() as cursor:
            for model in (
                Person,
                Membership,
                SchoolClass,
                Group,
                GroupMember,
                TeachingAssignment,
                GuardianLink,
            ):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def _wanted(self, record: PersonRecord) -> bool:
        """A guardian is imported only for a link that is: people in charge (level 2) need the
        tenant's `import_guardian_level2`. Pupils come before their guardians in every feed."""
        if record.profile != Profile.GUARDIAN or record.op == Op.MODIFY or self.level2:
            return True
        levels = [lv for (_p, g), lv in self.declared.items() if g == record.key]
        for i, child in enumerate(record.children):
            detail = record.guardians[i].level if i < len(record.guardians) else 1
            levels.append(self.declared.get((child, record.key), detail))
        return 1 in levels

    def _match(self, records: dict[str, PersonRecord]) -> dict[str, Person]:
        """Existing people by join key, then pupils by INE (a feed may re-key a pupil)."""
        people = {
            p.external_id: p
            for p in Person.objects.filter(tenant=self.tenant, external_id__in=list(records))
        }
        ines = {r.ine: k for k, r in records.items() if k not in people and r.ine}
        if ines:
            for p in Person.objects.filter(tenant=self.tenant, ine__in=list(ines)).exclude(
                external_id__in=list(records)
            ):
                if not p.external_id:
                    continue  # typed by hand: proposed as a duplicate, never merged silently
                if p.pk in self.seen_ids:
                    continue  # already read under its own key in this set: an INE clash
                people[ines[p.ine]] = p  # the feed gave the pupil a new join key
        return people

    def _logins(self, records: list[PersonRecord]) -> dict[str, str]:
        stems = {r.key: login_stem(r.first_name, r.last_name) for r in records}
        candidates = {
            f"{stem}{n}" if n > 1 else stem for stem in stems.values() for n in range(1, 10)
        }
        taken = set(
            Person.objects.filter(tenant=self.tenant, login__in=candidates).values_list(
                "login", flat=True
            )
        )
        out: dict[str, str] = {}
        for key, stem in stems.items():
            n = 1
            while (f"{stem}{n}" if n > 1 else stem) in taken:
                n += 1
                if n >= 10 and f"{stem}{n}" not in candidates:
                    extra = set(
                        Person.objects.filter(
                            tenant=self.tenant, login__startswith=stem
                        ).values_list("login", flat=True)
                    )
                    taken |= extra
                    candidates |= extra
            login = f"{stem}{n}" if n > 1 else stem
            taken.add(login)
            out[key] = login
        return out

    def _write_people(self, records: dict[str, PersonRecord], people: dict[str, Person]) -> None:
        creates = [r for k, r in records.items() if k not in people and r.op != Op.MODIFY]
        for key, record in records.items():
            if key not in people and record.op == Op.MODIFY:
                self.errors.append(
                    FeedError(
                        _("The person “%(key)s” to modify is not in the directory.") % {"key": key},
                        record.source,
                    )
                )
        logins = self._logins(creates) if creates else {}
        new_people = []
        for record in creates:
            person = Person(
                tenant=self.tenant,
                login=logins[record.key],
                external_id=record.key,
                source=self.source_name,
            )
            self._assign(person, self._person_values(record))
            person.search_name = fold(f"{person.last_name} {person.first_name}")
            person.set_unusable_password()
            new_people.append(person)
        for person in Person.objects.bulk_create(new_people):
            people[person.external_id] = person
            self.report.add(
                "person",
                "created",
                person.external_id,
                person.sort_name,
                {
                    "profile": records[person.external_id].profile,
                },
            )
        created_keys = {p.external_id for p in new_people}
        updated = []
        fields: set[str] = set()
        for key, person in people.items():
            if key in created_keys:
                continue
            record = records[key]
            changes = self._assign(person, self._person_values(record))
            if person.external_id != key:
                changes["external_id"] = [person.external_id, key]
                person.external_id = key
            if person.source != self.source_name:
                person.source = self.source_name
                fields.add("source")
            if person.deletion_due_on is not None or (
                person.is_blocked and person.blocked_reason == feed_block_reason()
            ):
                changes["is_blocked"] = [person.is_blocked, False]
                person.is_blocked, person.blocked_reason, person.deletion_due_on = False, "", None
                fields |= {"is_blocked", "blocked_reason", "deletion_due_on"}
            if changes or "source" in fields:
                person.search_name = fold(f"{person.last_name} {person.first_name}")
                fields |= set(changes) | {"search_name"}
                updated.append(person)
            if changes:
                self.report.add("person", "updated", key, person.sort_name, changes)
        if updated:
            Person.objects.bulk_update(updated, sorted(fields))
        self.seen_ids |= {p.pk for p in people.values()}
        self._propose_duplicates(records, people, created_keys)

    def _propose_duplicates(
        self, records: dict[str, PersonRecord], people: dict[str, Person], created: set[str]
    ) -> None:
        """New people who look like someone typed by hand in the same school, or share an INE."""
        if not created:
            return
        new = [people[k] for k in created]
        ines = {p.ine for p in new if p.ine}
        names = {p.search_name for p in new}
        school_ids = {
            s.pk
            for k in created
            for m in records[k].memberships
            if (s := self.schools_by_key.get(m.school) or self.schools_by_uai.get(m.school))
        }
        hand_made = (
            Person.objects.filter(tenant=self.tenant, external_id="")
            .filter(
                Q(ine__in=ines or [""], ine__gt="")
                | Q(
                    search_name__in=names,
                    memberships__school_id__in=school_ids,
                    memberships__year=self.year,
                )
            )
            .distinct()
            .prefetch_related("memberships")
        )
        rows = []
        for existing in hand_made:
            existing_schools = {
                m.school_id for m in existing.memberships.all() if m.year_id == self.year.pk
            }
            for person in new:
                reason = ""
                if existing.ine and existing.ine == person.ine:
                    reason = "ine"
                elif (
                    existing.search_name == person.search_name
                    and existing.birth_date == person.birth_date
                    and existing_schools & school_ids
                ):
                    reason = "name_birth"
                if reason:
                    school_id = min(existing_schools & school_ids or school_ids)
                    rows.append(
                        DuplicateCandidate(
                            tenant=self.tenant,
                            school_id=school_id,
                            existing=existing,
                            incoming=person,
                            reason=reason,
                            job=self.job if self.job and self.job.pk else None,
                        )
                    )
                    self.report.add(
                        "person",
                        "duplicate",
                        person.external_id,
                        person.sort_name,
                        {"existing": [existing.login, existing.sort_name], "reason": reason},
                    )
        DuplicateCandidate.objects.bulk_create(rows, ignore_conflicts=True)

    # --- memberships, groups, assignments ---------------------------------------------------

    def _desired_memberships(
        self, record: PersonRecord
    ) -> dict[tuple[int, str], tuple[MembershipRecord, School]]:
        desired = {}
        for m in record.memberships:
            school = self._school_ref(m.school, record.source)
            if not self.complete:
                # A delta speaks for the schools it names.
                self.scope.setdefault(school.pk, school)
            if m.class_code:
                self._class_ref(school, m.class_code, record.source)
            for code in m.group_codes:
                self._group_ref(school, code, record.source)
            desired[(school.pk, m.profile)] = (m, school)
        return desired

    def _write_places(  # noqa: PLR0912 - one pass over the batch for four tables
        self, records: dict[str, PersonRecord], people: dict[str, Person]
    ) -> None:
        ids = [p.pk for k, p in people.items() if k in records]
        existing: dict[int, list[Membership]] = defaultdict(list)
        for m in Membership.objects.filter(tenant=self.tenant, year=self.year, person_id__in=ids):
            existing[m.person_id].append(m)
        # person → group → (row id, the group's school, its name): tuples, not models, and no
        # join: the year's groups are known (a join on the year made PostgreSQL scan them all).
        group_rows: dict[int, dict[int, tuple[int, int, str]]] = defaultdict(dict)
        groups = self._year_groups()
        for pk, person_id, group_id in GroupMember.objects.filter(
            tenant=self.tenant, person_id__in=ids
        ).values_list("pk", "person_id", "group_id"):
            if group_id in groups:
                group_rows[person_id][group_id] = (pk, *groups[group_id])
        assignments: dict[int, list[TeachingAssignment]] = defaultdict(list)
        for a in TeachingAssignment.objects.filter(
            tenant=self.tenant, year=self.year, teacher_id__in=ids
        ):
            assignments[a.teacher_id].append(a)

        new_members: list[Membership] = []
        changed_members: list[Membership] = []
        gone_members: list[int] = []
        new_groups: list[GroupMember] = []
        gone_groups: list[int] = []
        new_assignments: list[TeachingAssignment] = []
        gone_assignments: list[int] = []
        for key, record in records.items():
            person = people.get(key)
            if person is None:
                continue
            if record.profile == Profile.GUARDIAN:
                self.guardian_keys.add(key)
                for i, child in enumerate(record.children):
                    detail = record.guardians[i] if i < len(record.guardians) else None
                    self.child_links.append((key, child, detail, record.source))
            elif record.has(Field.GUARDIANS) and record.profile == Profile.PUPIL:
                self.pupils_with_links.add(key)
                for link in record.guardians:
                    self.links.append((key, link, record.source))
            try:
                if record.has(Field.MEMBERSHIPS) and (
                    record.memberships or record.profile != Profile.GUARDIAN
                ):
                    self._diff_memberships(
                        record,
                        person,
                        existing[person.pk],
                        new_members,
                        changed_members,
                        gone_members,
                    )
                if record.has(Field.GROUPS) and record.profile == Profile.PUPIL:
                    self._diff_groups(
                        record, person, group_rows[person.pk], new_groups, gone_groups
                    )
                if record.has(Field.ASSIGNMENTS) and record.profile in {
                    Profile.TEACHER,
                    Profile.STAFF,
                }:
                    self._diff_assignments(
                        record, person, assignments[person.pk], new_assignments, gone_assignments
                    )
            except FeedError as exc:
                self.errors.append(exc)
        Membership.objects.filter(pk__in=gone_members).delete()
        Membership.objects.bulk_create(new_members)
        Membership.objects.bulk_update(changed_members, ["school_class", "functions"])
        GroupMember.objects.filter(pk__in=gone_groups).delete()
        GroupMember.objects.bulk_create(new_groups)
        TeachingAssignment.objects.filter(pk__in=gone_assignments).delete()
        TeachingAssignment.objects.bulk_create(new_assignments)

    def _diff_memberships(  # noqa: PLR0917 - fills the batch's three lists
        self,
        record: PersonRecord,
        person: Person,
        current: list[Membership],
        new: list[Membership],
        changed: list[Membership],
        gone: list[int],
    ) -> None:
        desired = self._desired_memberships(record)
        family: tuple[str, ...] = FAMILIES.get(Profile(record.profile), (record.profile,))
        touched = {sid for sid, _p in desired} | set(self.scope)
        have = {(m.school_id, m.profile): m for m in current}
        left: list[str] = []
        arrived: list[str] = []
        for (school_id, profile), m in have.items():
            if profile in family and school_id in touched and (school_id, profile) not in desired:
                gone.append(m.pk)
                left.append(self._place(m.school_id, m.school_class_id, profile))
        for (school_id, profile), (wanted, school) in desired.items():
            klass = self._classes(school).get(wanted.class_code) if wanted.class_code else None
            functions = sorted(wanted.functions)
            found = have.get((school_id, profile))
            if found is None:
                new.append(
                    Membership(
                        tenant=self.tenant,
                        person=person,
                        school=school,
                        year=self.year,
                        profile=profile,
                        functions=functions,
                        school_class=klass,
                    )
                )
                arrived.append(self._place(school_id, klass.pk if klass else None, profile))
                continue
            details: dict[str, Any] = {}
            if (klass.pk if klass else None) != found.school_class_id and (
                klass is not None or profile == Profile.PUPIL
            ):
                details["class"] = [
                    self._class_name(school_id, found.school_class_id),
                    klass.name if klass else "",
                ]
                found.school_class = klass
            if profile == Profile.STAFF and sorted(found.functions) != functions:
                details["functions"] = [sorted(found.functions), functions]
                found.functions = functions
            if details:
                changed.append(found)
                action = "moved" if "class" in details else "updated"
                self.report.add("membership", action, record.key, person.sort_name, details)
        if left and arrived:
            self.report.add(
                "membership",
                "moved",
                record.key,
                person.sort_name,
                {"school": [", ".join(left), ", ".join(arrived)]},
            )
        elif left:
            self.report.add(
                "membership", "detached", record.key, person.sort_name, {"from": ", ".join(left)}
            )
        elif arrived:
            self.report.add(
                "membership", "created", record.key, person.sort_name, {"to": ", ".join(arrived)}
            )

    def _place(self, school_id: int, class_id: int | None, profile: str) -> str:
        school = self.schools_by_pk.get(school_id)
        name = school.uai if school else str(school_id)
        klass = self._class_name(school_id, class_id)
        return f"{name} {Profile(profile).label}" + (f" {klass}" if klass else "")

    def _class_name(self, school_id: int, class_id: int | None) -> str:
        if class_id is None:
            return ""
        for c in self.classes.get(school_id, {}).values():
            if c.pk == class_id:
                return c.name
        return str(class_id)

    def _diff_groups(
        self,
        record: PersonRecord,
        person: Person,
        current: dict[int, tuple[int, int, str]],
        new: list[GroupMember],
        gone: list[int],
    ) -> None:
        wanted: dict[int, Group] = {}
        touched: set[int] = set(self.scope)
        for m in record.memberships:
            school = self._school_ref(m.school, record.source)
            touched.add(school.pk)
            for code in m.group_codes:
                group = self._group_ref(school, code, record.source)
                wanted[group.pk] = group
        added = [g.name for gid, g in wanted.items() if gid not in current]
        leaving = [row for gid, row in current.items() if gid not in wanted and row[1] in touched]
        removed = [name for _pk, _school, name in leaving]
        gone.extend(pk for pk, _school, _name in leaving)
        for gid, group in wanted.items():
            if gid not in current:
                new.append(GroupMember(tenant=self.tenant, group=group, person=person))
        if added or removed:
            self.report.add(
                "group_member",
                "updated",
                record.key,
                person.sort_name,
                {"groups": [sorted(removed), sorted(added)]},
            )

    def _diff_assignments(
        self,
        record: PersonRecord,
        person: Person,
        current: list[TeachingAssignment],
        new: list[TeachingAssignment],
        gone: list[int],
    ) -> None:
        wanted: dict[tuple[int, int | None, int | None, int | None, bool], AssignmentRecord] = {}
        touched: set[int] = set(self.scope)
        for a in record.assignments:
            school = self._school_ref(a.school, record.source)
            touched.add(school.pk)
            klass = self._class_ref(school, a.class_code, record.source) if a.class_code else None
            group = self._group_ref(school, a.group_code, record.source) if a.group_code else None
            if klass is None and group is None:
                raise FeedError(
                    _("A teaching assignment names no class and no group."), record.source
                )
            subject = self._subject_ref(a.subject_code, record.source)
            wanted[
                (
                    school.pk,
                    klass.pk if klass else None,
                    group.pk if group else None,
                    subject.pk if subject else None,
                    a.is_main,
                )
            ] = a
        have = {
            (a.school_id, a.school_class_id, a.group_id, a.subject_id, a.is_main): a
            for a in current
            if a.school_id in touched
        }
        added = [k for k in wanted if k not in have]
        removed = [k for k in have if k not in wanted]
        for k in added:
            school_id, class_id, group_id, subject_id, is_main = k
            new.append(
                TeachingAssignment(
                    tenant=self.tenant,
                    teacher=person,
                    school_id=school_id,
                    year=self.year,
                    school_class_id=class_id,
                    group_id=group_id,
                    subject_id=subject_id,
                    is_main=is_main,
                )
            )
        gone.extend(have[k].pk for k in removed)
        if added or removed:

            def text(keys: list[Any]) -> list[str]:
                return sorted(
                    f"{self._class_name(k[0], k[1]) or self._group_name(k[0], k[2])}"
                    + (f" {self._subject_code(k[3])}" if k[3] else "")
                    + (" (PP)" if k[4] else "")
                    for k in keys
                )

            self.report.add(
                "assignment",
                "updated" if added and removed else ("created" if added else "detached"),
                record.key,
                person.sort_name,
                {"assignments": [text(removed), text(added)]},
            )

    def _group_name(self, school_id: int, group_id: int | None) -> str:
        return next(
            (g.name for g in self.groups.get(school_id, {}).values() if g.pk == group_id), ""
        )

    def _subject_code(self, subject_id: int | None) -> str:
        return next((s.code for s in self.subjects.values() if s.pk == subject_id), "")

    # --- guardians ------------------------------------------------------------------------------

    def _people_by_key(self, keys: set[str]) -> dict[str, int]:
        """People's ids by join key, read in chunks."""
        out: dict[str, int] = {}
        for chunk in _batched(sorted(keys), 2000):
            qs = Person.objects.filter(tenant=self.tenant, external_id__in=chunk)
            out.update(qs.values_list("external_id", "pk"))
        return out

    def _apply_links(self) -> None:
        """Guardian links, a thousand pupils at a time, then the guardians' side.

        A pupil whose links the set gives (`ENTElevePersRelEleve`) loses the others; a guardian
        whose children the set gives loses the other children. When both sides name a link,
        the pupil's side says its level.
        """
        by_pupil: dict[str, list[tuple[str, GuardianLinkRecord, Source, bool]]] = defaultdict(list)
        for pupil_key, link, source in self.links:
            by_pupil[pupil_key].append((link.guardian_key, link, source, True))
        declared = {(pupil_key, link.guardian_key) for pupil_key, link, _s in self.links}
        for guardian_key, child_key, detail, source in self.child_links:
            if (child_key, guardian_key) not in declared:
                link = detail or GuardianLinkRecord(guardian_key=guardian_key)
                by_pupil[child_key].append((guardian_key, link, source, False))
        wanted_all: set[tuple[int, int]] = set()
        for chunk in _batched(sorted(set(by_pupil) | self.pupils_with_links), 1000):
            wanted_all |= self._link_chunk(chunk, by_pupil)
        guardian_ids = set(self._people_by_key(self.guardian_keys).values())
        for chunk_ids in _batched(sorted(guardian_ids), 1000):
            rows = GuardianLink.objects.filter(
                tenant=self.tenant, guardian_id__in=chunk_ids
            ).values_list("pk", "pupil_id", "guardian_id")
            self._detach_links([row for row in rows if (row[1], row[2]) not in wanted_all])
        self._guardian_memberships(guardian_ids | {g for _p, g in wanted_all})

    def _who_by_key(self, keys: set[str]) -> dict[str, _Who]:
        """Who the keys name, as light tuples: enough to link and to report."""
        out: dict[str, _Who] = {}
        for chunk in _batched(sorted(keys), 2000):
            for row in Person.objects.filter(tenant=self.tenant, external_id__in=chunk).values_list(
                "pk", "external_id", "last_name", "first_name", "deletion_due_on"
            ):
                out[row[1]] = _Who(*row)
        return out

    def _link_chunk(
        self,
        chunk: list[str],
        by_pupil: dict[str, list[tuple[str, GuardianLinkRecord, Source, bool]]],
    ) -> set[tuple[int, int]]:
        keys = set(chunk) | {g for k in chunk for g, _l, _s, _p in by_pupil.get(k, [])}
        people = self._who_by_key(keys)
        wanted: dict[tuple[int, int], GuardianLinkRecord] = {}
        for pupil_key in chunk:
            for guardian_key, link, source, from_pupil in by_pupil.get(pupil_key, []):
                if link.level == 2 and not self.level2:
                    continue
                pupil, guardian = people.get(pupil_key), people.get(guardian_key)
                if from_pupil and guardian is None:
                    message = _(
                        "The guardian “%(key)s” of this pupil is neither in this set nor in the "
                        "directory."
                    ) % {"key": guardian_key}
                    self.errors.append(FeedError(message, source))
                    continue
                if pupil is None:
                    message = _(
                        "The child “%(key)s” of this guardian is neither in this set nor in the "
                        "directory."
                    ) % {"key": pupil_key}
                    self.errors.append(FeedError(message, source))
                    continue
                if guardian is None or (not from_pupil and pupil.deletion_due_on is not None):
                    continue  # a pupil who left: the guardian's list is behind
                wanted.setdefault((pupil.pk, guardian.pk), link)
        pupil_ids = {people[k].pk for k in chunk if k in people and k in self.pupils_with_links}
        existing = {
            (pupil_id, guardian_id): (pk, level, kinship, priority)
            for pk, pupil_id, guardian_id, level, kinship, priority in GuardianLink.objects.filter(
                tenant=self.tenant
            )
            .filter(Q(pupil_id__in=pupil_ids) | Q(pupil_id__in={p for p, _g in wanted}))
            .values_list("pk", "pupil_id", "guardian_id", "level", "kinship", "contact_priority")
        }
        names = {p.pk: p for p in people.values()}
        new, changed = [], []
        for (pupil_id, guardian_id), link in wanted.items():
            values = {
                "level": link.level,
                "kinship": link.kinship[:40],
                "contact_priority": link.contact_priority,
            }
            row = existing.get((pupil_id, guardian_id))
            if row is not None and (row[1], row[2], row[3]) == tuple(values.values()):
                continue
            pupil, guardian = names[pupil_id], names[guardian_id]
            key, label = f"{pupil.external_id}${guardian.external_id}", f"{pupil} ← {guardian}"
            if row is None:
                new.append(
                    GuardianLink(
                        tenant=self.tenant, pupil_id=pupil_id, guardian_id=guardian_id, **values
                    )
                )
                self.report.add("link", "created", key, label, {"level": link.level})
                continue
            old = dict(zip(values, row[1:], strict=True))
            details = {n: [old[n], v] for n, v in values.items() if old[n] != v}
            changed.append(
                GuardianLink(pk=row[0], pupil_id=pupil_id, guardian_id=guardian_id, **values)
            )
            self.report.add("link", "updated", key, label, details)
        self._detach_links(
            [
                (row[0], *pair)
                for pair, row in existing.items()
                if pair not in wanted and pair[0] in pupil_ids
            ]
        )
        GuardianLink.objects.bulk_create(new)
        GuardianLink.objects.bulk_update(changed, ["level", "kinship", "contact_priority"])
        return set(wanted)

    def _detach_links(self, rows: list[tuple[int, int, int]]) -> None:
        """Remove these links (pk, pupil id, guardian id), each reported by name."""
        if not rows:
            return
        ids = {i for _pk, p, g in rows for i in (p, g)}
        who = {
            row[0]: _Who(*row)
            for row in Person.objects.filter(pk__in=ids).values_list(
                "pk", "external_id", "last_name", "first_name", "deletion_due_on"
            )
        }
        for _pk, pupil_id, guardian_id in rows:
            pupil, guardian = who[pupil_id], who[guardian_id]
            self.report.add(
                "link",
                "detached",
                f"{pupil.external_id}${guardian.external_id}",
                f"{pupil} ← {guardian}",
            )
        GuardianLink.objects.filter(pk__in=[row[0] for row in rows]).delete()

    def _guardian_memberships(self, guardian_ids: set[int]) -> None:
        """A guardian belongs, as a guardian, to each school where one of their children is."""
        if not guardian_ids:
            return
        for chunk in _batched(sorted(guardian_ids), 2000):
            wanted = set(
                Membership.objects.filter(
                    tenant=self.tenant,
                    year=self.year,
                    profile=Profile.PUPIL,
                    person__guardian_links__guardian_id__in=chunk,
                ).values_list("person__guardian_links__guardian_id", "school_id")
            )
            have = {
                (person_id, school_id): pk
                for pk, person_id, school_id in Membership.objects.filter(
                    tenant=self.tenant,
                    year=self.year,
                    profile=Profile.GUARDIAN,
                    person_id__in=chunk,
                ).values_list("pk", "person_id", "school_id")
            }
            arriving = sorted(wanted - have.keys())
            Membership.objects.bulk_create(
                [
                    Membership(
                        tenant=self.tenant,
                        person_id=g,
                        school_id=s,
                        year=self.year,
                        profile=Profile.GUARDIAN,
                    )
                    for g, s in arriving
                ]
            )
            names = {
                row[0]: _Who(*row)
                for row in Person.objects.filter(pk__in={g for g, _s in arriving}).values_list(
                    "pk", "external_id", "last_name", "first_name", "deletion_due_on"
                )
            }
            for g, s in arriving:
                self.report.add(
                    "membership",
                    "created",
                    names[g].external_id,
                    str(names[g]),
                    {"to": self._place(s, None, Profile.GUARDIAN)},
                )
            stale = [
                pk for pair, pk in have.items() if pair not in wanted and pair[1] in self.scope
            ]
            self._detach(Membership.objects.filter(pk__in=stale), set(self.scope))

    # --- deletes and absentees ---------------------------------------------------------------

    def _apply_deletes(self) -> None:
        person_keys = {d.key for d in self.deletes if d.kind == "person"}
        for d in self.deletes:
            if d.kind != "person":
                self.errors.append(
                    FeedError(
                        _("A feed does not delete schools: close the school in the console."),
                        d.source,
                    )
                )
        if not person_keys:
            return
        people = self._people_by_key(person_keys)
        for key in person_keys - people.keys():
            self.report.add("person", "detached", key, _("(not in the directory)"))
        schools = self.administered
        self._detach(
            Membership.objects.filter(
                tenant=self.tenant,
                year=self.year,
                person_id__in=list(people.values()),
                school_id__in=schools,
            ),
            schools,
        )

    def _detach_absent(self) -> None:
        if not self.covered or not self.scope:
            return
        absent = (
            Membership.objects.filter(
                tenant=self.tenant,
                year=self.year,
                school_id__in=list(self.scope),
                profile__in=sorted(self.covered),
            )
            .exclude(person_id__in=self.seen_ids)
            .exclude(person__source="")
        )
        self._detach(absent, set(self.scope))

    def _detach(self, memberships: Any, schools: set[int]) -> None:
        """Remove these memberships, and the groups and assignments that went with them; whoever
        is left with no membership of the year is pre-deleted (blocked until erased)."""
        rows = list(memberships.select_related("person"))
        if not rows:
            return
        for m in rows:
            self.report.add(
                "membership",
                "detached",
                m.person.external_id,
                m.person.sort_name,
                {"from": self._place(m.school_id, m.school_class_id, m.profile)},
            )
        Membership.objects.filter(pk__in=[m.pk for m in rows]).delete()
        person_ids = {m.person_id for m in rows}
        remaining = set(
            Membership.objects.filter(
                tenant=self.tenant, year=self.year, person_id__in=person_ids
            ).values_list("person_id", "school_id", "profile")
        )
        in_school = {(p, s) for p, s, _profile in remaining}
        teaching = {(p, s) for p, s, profile in remaining if profile == Profile.TEACHER}
        by_school: dict[int, set[int]] = defaultdict(set)
        for m in rows:
            by_school[m.school_id].add(m.person_id)
        for school_id, ids in by_school.items():
            GroupMember.objects.filter(
                tenant=self.tenant,
                group__school_id=school_id,
                group__year=self.year,
                person_id__in=[p for p in ids if (p, school_id) not in in_school],
            ).delete()
            TeachingAssignment.objects.filter(
                tenant=self.tenant,
                school_id=school_id,
                year=self.year,
                teacher_id__in=[p for p in ids if (p, school_id) not in teaching],
            ).delete()
        leaving = person_ids - {p for p, _s in in_school}
        if not leaving:
            return
        GuardianLink.objects.filter(tenant=self.tenant, pupil_id__in=leaving).delete()
        due = self.today + dt.timedelta(days=retention_days(self.tenant))
        Person.objects.filter(pk__in=leaving, deletion_due_on__isnull=True).update(
            is_blocked=True, blocked_reason=feed_block_reason(), deletion_due_on=due
        )
        for m in rows:
            if m.person_id in leaving:
                leaving.discard(m.person_id)
                self.report.add(
                    "person",
                    "deleted",
                    m.person.external_id,
                    m.person.sort_name,
                    {"deletion_due_on": due.isoformat()},
                )


def store_changes(job: ImportJob, lines: Iterable[dict[str, Any]]) -> int:
    """Write the report lines of `job` (after its transaction) in bulk; returns their count."""
    seq = 0
    for chunk in _batched(lines, 2000):
        rows = []
        for line in chunk:
            seq += 1
            rows.append(
                ImportChange(
                    tenant_id=job.tenant_id,
                    job=job,
                    seq=seq,
                    kind=line["kind"],
                    action=line["action"],
                    key=line["key"][:120],
                    label=line["label"][:250],
                    details=line["details"],
                )
            )
        ImportChange.objects.bulk_create(rows)
    return seq
