"""What uploaded files are served as: sniffed content must agree with the name."""

from __future__ import annotations

import pytest

from preau.core.files import OCTET_STREAM, safe_file_name, sniffed_type

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
PDF = b"%PDF-1.7\n"


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (PNG, "photo.png", "image/png"),
        (PDF, "cours.pdf", "application/pdf"),
        (b"\xff\xd8\xff\xe0", "a.jpg", "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a.webp", "image/webp"),
        (b"PK\x03\x04", "devoir.odt", "application/vnd.oasis.opendocument.text"),
        (b"\x00\x00\x00\x18ftypmp42", "film.mp4", "video/mp4"),
        (b"Bonjour \xc3\xa0 tous", "notes.txt", "text/plain"),
        (b"a;b\n1;2", "notes.csv", "text/csv"),
        # lying extensions
        (PNG, "cours.pdf", OCTET_STREAM),
        (PDF, "photo.png", OCTET_STREAM),
        (b"hello", "photo.png", OCTET_STREAM),
        # what could run in a browser, whatever the name
        (b"<html><script>x</script>", "page.html", OCTET_STREAM),
        (b"<!DOCTYPE html>", "notes.txt", OCTET_STREAM),
        (b'<svg xmlns="http://www.w3.org/2000/svg">', "logo.svg", OCTET_STREAM),
        (b"\xef\xbb\xbf  <script>alert(1)</script>", "a.txt", OCTET_STREAM),
        (b"alert(1)", "a.js", OCTET_STREAM),
        (b"MZ\x90\x00", "setup.exe", OCTET_STREAM),
    ],
)
def test_sniffed_type(head, name, expected):
    assert sniffed_type(head, name) == expected


def test_safe_file_name_drops_paths_and_reserved_characters():
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("C:\\Users\\x\\devoir<1>.odt") == "devoir1.odt"
    assert safe_file_name("..") == "file" or safe_file_name("..") == "fichier"
