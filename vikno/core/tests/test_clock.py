from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from vikno.core import clock


def test_as_of_sets_now_inside_the_block_only() -> None:
    # given a moment in the past
    past = datetime(2026, 3, 10, 8, 30, tzinfo=UTC)
    # when code runs inside as_of
    with clock.as_of(past):
        inside = clock.now()
        inside_day = clock.today()
    # then it sees that moment (and the Kyiv date), and the real time again after the block
    assert inside == past and inside_day.isoformat() == "2026-03-10"
    assert abs(clock.now() - timezone.now()) < timedelta(seconds=5)


def test_as_of_refuses_the_future_and_naive_moments() -> None:
    with pytest.raises(ValueError, match="future"), clock.as_of(timezone.now() + timedelta(days=1)):
        pass
    with pytest.raises(ValueError, match="aware"), clock.as_of(datetime(2026, 1, 1)):
        pass
