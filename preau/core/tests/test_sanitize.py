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


PNG = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_inline_images_are_kept_only_when_asked_and_only_as_pictures():
    html = f'<p>Voici le plan :</p><img src="{PNG}" alt="plan">'
    assert PNG in sanitize_html(html, inline_images=True)
    assert "data:" not in sanitize_html(html)


@pytest.mark.parametrize(
    "dirty",
    [
        '<img src="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+">',
        '<img src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
        '<a href="data:text/html,<script>alert(1)</script>">clic</a>',
        '<a href="data:image/png;base64,iVBORw0KGgo=">clic</a>',
        '<img src="data:image/png;base64,iVBOR&quot; onerror=&quot;alert(1)">',
    ],
)
def test_no_other_data_address_survives(dirty):
    clean = sanitize_html(dirty, inline_images=True)
    assert "data:" not in clean
    assert "onerror" not in clean


def test_fold_is_accent_and_case_insensitive():
    assert fold("Éloïse DUPONT-Lefèvre") == "eloise dupont-lefevre"
    assert fold("  Œdipe ") == "oedipe"
    assert fold("Bœuf Lætitia") == "boeuf laetitia"
