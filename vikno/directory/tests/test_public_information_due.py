"""Law 2939-VI ст.20: a request for public information is answered within 5 working days."""

from __future__ import annotations

from datetime import date

import pytest

from vikno.directory.deadlines import public_information_due


@pytest.mark.parametrize(("received", "due"), [
    (date(2026, 3, 2), date(2026, 3, 9)),  # Monday → next Monday
    (date(2026, 3, 4), date(2026, 3, 11)),  # Wednesday → next Wednesday
    (date(2026, 3, 6), date(2026, 3, 13)),  # Friday → next Friday
    (date(2026, 3, 7), date(2026, 3, 13)),  # Saturday: the count starts on Monday
    (date(2026, 3, 8), date(2026, 3, 13)),  # Sunday
    (date(2026, 12, 30), date(2027, 1, 6)),  # across the new year (holidays not counted yet)
])
def test_five_working_days_count_monday_to_friday(received, due):
    assert public_information_due(received) == due
