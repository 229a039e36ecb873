import pytest

from preau.core.sanitize import fold, sanitize_html


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ("<p>Bonjour<script>alert(1)</script></p>", "<script"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">clic</a>', "javascript:"),
        ('<p style="position:fixed">x</p>', "style="),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
        ("<svg><script>alert(1)</script></svg>", "<svg"),
    ],
)
def test_sanitize_html_neutralises_scripts(dirty, forbidden):
    assert forbidden not in sanitize_html(dirty)


def test_sanitize_html_keeps_formatting_and_safe_links():
    html = '<p><strong>Sortie</strong> au <a href="https://musee.example/">musée</a></p>'
    clean = sanitize_html(html)
    assert "<strong>Sortie</strong>" in clean
    assert 'href="https://musee.example/"' in clean
    assert 'rel="noopener noreferrer nofollow"' in clean


def test_fold_is_accent_and_case_insensitive():
    assert fold("Éloïse DUPONT-Lefèvre") == "eloise dupont-lefevre"
    assert fold("  Œdipe ") == "oedipe"
    assert fold("Bœuf Lætitia") == "boeuf laetitia"
