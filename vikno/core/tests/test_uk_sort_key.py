"""Ukrainian alphabetical order, not the order of code points or of a database's collation."""

from __future__ import annotations

import pytest

from vikno.core.search import uk_sort_key


@pytest.mark.parametrize(("first", "second"), [
    ("Ерданська рада", "Єрданська рада"),  # Є after Е (by code point Є comes before А)
    ("Иршавська рада", "Іршавська рада"),  # І after И (by code point І comes before А)
    ("Іршавська рада", "Їжицька рада"),  # Ї after І
    ("Гат", "Ґат"),  # Ґ after Г
    ("Ґат", "Дат"),
    ("Яблунівська рада", "Berehove council"),  # other alphabets after the Ukrainian one
    ("Берегівська рада", "Берегівська РДА"),  # case ignored: «ра…» before «рд…»
    ("Підвиноградів", "П'ятигори"),  # the apostrophe ignored: «пі» before «пя»
    ("Мала", "Мала Копаня"),  # shorter first
])
def test_ukrainian_alphabetical_order(first: str, second: str) -> None:
    assert sorted([second, first], key=uk_sort_key) == [first, second]
