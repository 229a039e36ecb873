"""Activation letters: one A4 page per person, all in one PDF, drawn with reportlab.

Each letter is written in its recipient's preferred language (French unless they chose
otherwise) and carries the login name and the activation code, printed large in a monospace
font, with the address where to use it.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from preau.core.models import Tenant
from preau.directory.models import Person, School

# Fonts with the glyphs of every European name (Ł, ő, ș…): Debian's DejaVu when installed,
# else the Bitstream Vera fonts shipped with reportlab; codes are ASCII, set in Courier.
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)


@functools.cache
def _fonts() -> tuple[str, str, str]:
    """(regular, bold, monospace bold) font names, registered once per process."""
    import reportlab

    candidates = [
        (d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf", d / "DejaVuSansMono-Bold.ttf")
        for d in _FONT_DIRS
    ]
    vera = Path(reportlab.__file__).parent / "fonts"
    candidates.append((vera / "Vera.ttf", vera / "VeraBd.ttf", Path("-")))
    for regular, bold, mono in candidates:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("PreauSans", str(regular)))
            pdfmetrics.registerFont(TTFont("PreauSans-Bold", str(bold)))
            mono_name = "Courier-Bold"
            if mono.exists():
                pdfmetrics.registerFont(TTFont("PreauMono-Bold", str(mono)))
                mono_name = "PreauMono-Bold"
            return "PreauSans", "PreauSans-Bold", mono_name
    return "Helvetica", "Helvetica-Bold", "Courier-Bold"


@dataclass
class LetterContent:
    person: Person
    code: str
    class_name: str = ""
    # For a guardian's letter: the children (names) it concerns.
    children: Sequence[str] = field(default_factory=tuple)


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold, mono = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=11, leading=15, spaceAfter=6)
    return {
        "base": base,
        "tenant": ParagraphStyle(
            "tenant", parent=base, fontName=bold, fontSize=16, leading=20, spaceAfter=2
        ),
        "school": ParagraphStyle("school", parent=base, fontSize=12, spaceAfter=0),
        "right": ParagraphStyle("right", parent=base, alignment=2),
        "subject": ParagraphStyle("subject", parent=base, fontName=bold, spaceBefore=6),
        "label": ParagraphStyle("label", parent=base, fontSize=10, spaceAfter=0),
        "value": ParagraphStyle("value", parent=base, fontName=mono, fontSize=15, leading=19),
        "code": ParagraphStyle(
            "code", parent=base, fontName=mono, fontSize=26, leading=32, spaceAfter=0
        ),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8.5, leading=11, textColor=colors.HexColor("#4a5562")
        ),
    }


def _letter(
    content: LetterContent,
    *,
    tenant: Tenant,
    school: School,
    activation_url: str,
    styles: dict[str, ParagraphStyle],
) -> list[object]:
    person = content.person
    today = date_format(timezone.localdate(), "DATE_FORMAT")
    story: list[object] = [
        Paragraph(escape(tenant.name), styles["tenant"]),
        Paragraph(
            escape(school.name) + (f" · {escape(school.city)}" if school.city else ""),
            styles["school"],
        ),
        Spacer(1, 10 * mm),
        Paragraph(escape(today), styles["right"]),
        Paragraph(escape(_("To: %(name)s") % {"name": person.full_name}), styles["base"]),
    ]
    if content.children:
        story.append(
            Paragraph(
                escape(
                    _("Guardian of %(children)s") % {"children": ", ".join(content.children)}
                    + (f" ({content.class_name})" if content.class_name else "")
                ),
                styles["base"],
            )
        )
    elif content.class_name:
        story.append(
            Paragraph(escape(_("Class: %(name)s") % {"name": content.class_name}), styles["base"])
        )
    story += [
        Paragraph(
            escape(_("Subject: your account on the digital school environment")), styles["subject"]
        ),
        Paragraph(escape(_("Hello %(name)s,") % {"name": person.full_name}), styles["base"]),
        Paragraph(
            escape(
                _(
                    "An account has been opened for you on %(tenant)s, the digital school "
                    "environment of %(school)s. Activate it with the login name and the "
                    "activation code below."
                )
                % {"tenant": tenant.name, "school": school.name}
            ),
            styles["base"],
        ),
        Spacer(1, 4 * mm),
    ]
    box = Table(
        [
            [Paragraph(escape(_("Login name")), styles["label"])],
            [Paragraph(escape(person.login), styles["value"])],
            [Paragraph(escape(_("Activation code")), styles["label"])],
            [Paragraph(escape(content.code), styles["code"])],
            [Paragraph(escape(_("Activation address")), styles["label"])],
            [Paragraph(escape(activation_url), styles["value"])],
        ],
        colWidths=[160 * mm],
    )
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, colors.HexColor("#1d4e89")),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f4f6f9")),
                ("LEFTPADDING", (0, 0), (-1, -1), 8 * mm),
                ("TOPPADDING", (0, 0), (-1, 0), 5 * mm),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 5 * mm),
            ]
        )
    )
    story += [
        KeepTogether([box]),
        Spacer(1, 6 * mm),
        Paragraph(escape(_("How to activate your account")), styles["subject"]),
        Paragraph(escape(_("1. Go to the activation address above.")), styles["base"]),
        Paragraph(escape(_("2. Type your login name and the activation code.")), styles["base"]),
        Paragraph(
            escape(_("3. Choose your password and, if you wish, add an e-mail address.")),
            styles["base"],
        ),
        Paragraph(
            escape(
                _(
                    "The code can be used only once and expires after a few weeks. Keep this "
                    "letter in a safe place and never share your code or your password. If the "
                    "code no longer works, ask the school's ENT administrator for a new one."
                )
            ),
            styles["base"],
        ),
        Spacer(1, 10 * mm),
        Paragraph(
            escape(
                _(
                    "Personal data: %(tenant)s processes your data only to provide the digital "
                    "school environment, under the General Data Protection Regulation (GDPR). "
                    "You may access, correct or object to the processing of your data by writing "
                    "to the head of %(school)s or to the data protection officer."
                )
                % {"tenant": tenant.name, "school": school.name}
            ),
            styles["small"],
        ),
    ]
    return story


def activation_letters_pdf(
    *,
    tenant: Tenant,
    school: School,
    letters: Sequence[LetterContent],
    activation_url: str,
    title: str = "",
) -> bytes:
    """One PDF with one letter per page, each in its recipient's language."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=title or _("Activation letters"),
        author=tenant.name,
        creator="Préau",
    )
    story: list[object] = []
    for i, content in enumerate(letters):
        if i:
            story.append(PageBreak())
        with translation.override(content.person.language or "fr"):
            styles = _styles()
            story += _letter(
                content,
                tenant=tenant,
                school=school,
                activation_url=activation_url,
                styles=styles,
            )
    doc.build(story)
    return buffer.getvalue()
