"""The catalogues: French complete and compiled, English present, pages in the reader's language.

Pure Python and fast: the .po files are read by a small parser below and compared with what
`gettext` loads from the compiled .mo files, so no msgfmt is needed at test time. A .mo that
lags behind its .po (someone ran makemessages or edited a translation but did not run
compilemessages) shows up as a difference in content, which, unlike file times, survives a
fresh clone.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "preau" / "locale"
FR_PO = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
FR_MO = LOCALE / "fr" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"

# Placeholders and markup a translation must keep exactly: %(name)s, %s, {name}, HTML tags.
PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0-9.]*[a-zA-Z]|%[sdif]|\{\w*\}|</?[a-zA-Z][^>]*>|&\w+;")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    @property
    def label(self) -> str:
        return repr(self.msgid[:70])


def parse_block(lines: list[str], where: str) -> Entry:
    """One entry: its flags, then keyword lines, each possibly continued by bare strings."""
    entry = Entry()
    fields: dict[str, str] = {}
    current = ""
    for line in lines:
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
        elif line.startswith('"'):
            assert current, f"{where}: a string outside any field"
            fields[current] += ast.literal_eval(line)
        elif not line.startswith("#"):
            current, _, rest = line.partition(" ")
            fields[current] = ast.literal_eval(rest)
    unknown = set(fields) - {"msgctxt", "msgid", "msgid_plural", "msgstr"}
    unknown = {name for name in unknown if not re.fullmatch(r"msgstr\[\d+\]", name)}
    assert "msgid" in fields, f"{where}: an entry without msgid: {lines}"
    assert not unknown, f"{where}: unknown keywords {sorted(unknown)}"
    entry.msgid = fields.pop("msgid")
    entry.msgctxt = fields.pop("msgctxt", None)
    entry.msgid_plural = fields.pop("msgid_plural", None)
    entry.msgstr = {int(name[7:-1] or 0): text for name, text in fields.items()}
    return entry


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header included (msgid ""); obsolete ones (#~) left out.

    Entries are separated by blank lines, as makemessages and msgmerge always write them.
    """
    blocks: list[list[str]] = [[]]
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    entries = []
    for number, block in enumerate(blocks, 1):
        if any(line.startswith("#~") for line in block) or all(line[0] == "#" for line in block):
            continue  # obsolete, or comments only
        entries.append(parse_block(block, f"{path} (entry {number})"))
    return entries


def header(entries: list[Entry]) -> dict[str, str]:
    head = next(e for e in entries if e.msgid == "" and e.msgctxt is None)
    lines = head.msgstr.get(0, "").splitlines()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines) if v}


def messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid != "" or e.msgctxt is not None]


def load_mo(path: Path) -> dict[object, str]:
    with path.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    return dict(catalogue._catalog)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def french() -> list[Entry]:
    assert FR_PO.is_file(), f"{FR_PO} is missing: run `make messages`"
    return parse_po(FR_PO)


@pytest.fixture(scope="module")
def english() -> list[Entry]:
    assert EN_PO.is_file(), f"{EN_PO} is missing: run `make messages`"
    return parse_po(EN_PO)


def test_the_parser_reads_plurals_and_continued_lines(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid "%(n)d pupil"\nmsgid_plural "%(n)d pupils"\n'
        'msgstr[0] "%(n)d élève"\nmsgstr[1] "%(n)d "\n"élèves"\n\n'
        'msgctxt "menu"\nmsgid "Open"\nmsgstr "Ouvrir"\n\n'
        '#, fuzzy\nmsgid "Say \\"hi\\"\\n"\nmsgstr ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Parti"\n',
        encoding="utf-8",
    )
    head, plural, context, fuzzy = parse_po(po)
    assert header([head]) == {"Language": "fr"}
    assert (plural.msgid_plural, plural.msgstr) == (
        "%(n)d pupils",
        {0: "%(n)d élève", 1: "%(n)d élèves"},
    )
    assert "python-format" in plural.flags
    assert (context.key, context.msgstr) == ("menu\x04Open", {0: "Ouvrir"})
    assert (fuzzy.msgid, fuzzy.flags) == ('Say "hi"\n', {"fuzzy"})


def test_french_header(french):
    fields = header(french)
    assert fields["Language"] == "fr"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert "fuzzy" not in french[0].flags, "the header is still marked fuzzy"


def test_french_catalogue_is_complete(french):
    entries = messages(french)
    assert len(entries) > 100, "the French catalogue looks empty: run `make messages`"
    fuzzy = [e.label for e in entries if "fuzzy" in e.flags]
    untranslated = [
        e.label
        for e in entries
        if not e.msgstr
        or any(not text.strip() for text in e.msgstr.values())
        or (e.msgid_plural is not None and sorted(e.msgstr) != [0, 1])
    ]
    assert not fuzzy, f"fuzzy French entries: {fuzzy}"
    assert not untranslated, f"untranslated French entries: {untranslated}"


def test_french_translations_keep_every_placeholder(french):
    broken = []
    for e in messages(french):
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        for index, text in e.msgstr.items():
            source = sources[min(index, len(sources) - 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                broken.append(f"{e.label} -> {text!r}")
    assert not broken, "placeholders changed:\n" + "\n".join(broken)


def test_french_mo_matches_the_po(french):
    assert FR_MO.is_file(), f"{FR_MO} is missing: run `make messages`"
    compiled = load_mo(FR_MO)
    expected: dict[object, str] = {}
    for e in messages(french):
        if e.msgid_plural is None:
            expected[e.key] = e.msgstr[0]
        else:
            expected.update({(e.key, index): text for index, text in e.msgstr.items()})
    compiled.pop("", None)  # the header
    missing = sorted(str(k) for k in expected.keys() - compiled.keys())
    stale = sorted(str(k) for k in compiled.keys() - expected.keys())
    changed = sorted(
        str(k) for k in expected.keys() & compiled.keys() if expected[k] != compiled[k]
    )
    advice = "django.mo is out of date: run `make messages` (compilemessages)"
    assert not missing, f"{advice}; missing {missing[:5]}"
    assert not stale, f"{advice}; stale {stale[:5]}"
    assert not changed, f"{advice}; changed {changed[:5]}"


def test_english_catalogue_has_the_same_messages(french, english):
    fields = header(english)
    assert fields["Language"] == "en"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert {e.key for e in messages(english)} == {e.key for e in messages(french)}
    assert EN_MO.is_file(), f"{EN_MO} is missing: run `make messages`"
    load_mo(EN_MO)  # a valid catalogue; its msgstr stay empty: English falls back to the msgid


def test_french_plural_rule_makes_zero_singular():
    def added(n: int) -> str:
        return translation.ngettext("%(n)d person added", "%(n)d people added", n) % {"n": n}

    with translation.override("fr"):
        assert [added(0), added(1), added(2)] == [
            "0 personne ajoutée",
            "1 personne ajoutée",
            "2 personnes ajoutées",
        ]
    with translation.override("en"):
        assert [added(0), added(1)] == ["0 people added", "1 person added"]


def test_pages_are_french_by_default_and_english_on_request(client, world):
    french_page = client.get("/accounts/login/", HTTP_HOST="testserver")
    assert french_page.status_code == 200
    html = french_page.content.decode()
    assert '<html lang="fr">' in html
    assert "<h1>Se connecter</h1>" in html
    assert "Mot de passe oublié" in html

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english_page = client.get("/accounts/login/", HTTP_HOST="testserver")
    assert english_page.status_code == 200
    html = english_page.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html
    assert "Forgotten password?" in html
