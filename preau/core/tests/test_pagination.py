import pytest

from preau.core.pagination import BadCursorError, encode_cursor, keyset_page
from preau.directory.models import Person


def test_keyset_pages_cover_everything_once(world):
    qs = Person.objects.filter(tenant=world.tenant)
    seen, after = [], None
    while True:
        page = keyset_page(qs, order=("search_name", "id"), after=after, limit=4)
        seen += [p.pk for p in page.items]
        if not page.has_next:
            break
        after = page.next_cursor
    expected = list(qs.order_by("search_name", "id").values_list("pk", flat=True))
    assert seen == expected


def test_keyset_page_is_one_query(world, django_assert_num_queries):
    qs = Person.objects.filter(tenant=world.tenant)
    with django_assert_num_queries(1):
        page = keyset_page(qs, order=("search_name", "id"), after=None, limit=5)
    assert len(page.items) == 5
    assert page.next_url.startswith("?after=")


@pytest.mark.parametrize(
    "token", ["garbage!!", "WzFd", "bnVsbA", encode_cursor(["dupont", "not-a-number"])]
)
def test_bad_cursor_is_refused(world, token):
    with pytest.raises(BadCursorError):
        keyset_page(Person.objects.all(), order=("search_name", "id"), after=token, limit=5)


def test_descending_keyset_pages_newest_first(world):
    qs = Person.objects.filter(tenant=world.tenant)
    first = keyset_page(qs, order=("-id",), after=None, limit=3)
    second = keyset_page(qs, order=("-id",), after=first.next_cursor, limit=3)
    ids = [p.pk for p in first.items + second.items]
    assert ids == list(qs.order_by("-id").values_list("pk", flat=True)[:6])
