"""The maintained counts (appeals.models.counts): the services keep them equal to a rebuild from
the registry through every lifecycle move, and the dashboard's and the statistics' figures read
from them equal the scanning reads they replace. On SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands
from django.utils import timezone

from vikno.appeals import selectors, selectors_stats, services
from vikno.appeals import selectors_control as control
from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import (
    Appeal,
    AuthorityCount,
    CountSnapshot,
    DailyCount,
    Kind,
    MonthlyCount,
)
from vikno.appeals.services import ApplicantData, QuestionData, Routing
from vikno.appeals.tests.factories import decider, letter
from vikno.core import clock
from vikno.workspace.tests.conftest import SETTLEMENT, World


def _maintained() -> tuple[dict[Any, int], dict[Any, int], dict[Any, int]]:
    daily: dict[Any, int] = defaultdict(int)
    for row in DailyCount.objects.all():
        daily[(row.day, row.dimension, row.key, row.public_information)] += row.n
    monthly: dict[Any, int] = defaultdict(int)
    for month in MonthlyCount.objects.all():
        monthly[(month.month, month.dimension, month.key, month.public_information)] += month.n
    authority: dict[Any, int] = defaultdict(int)
    for row in AuthorityCount.objects.all():
        authority[(row.authority_id, row.measure)] += row.n
    return ({k: n for k, n in daily.items() if n}, {k: n for k, n in monthly.items() if n},
            {k: n for k, n in authority.items() if n})


def _lifecycle(world: World) -> None:
    """Appeals through every kind of move that changes a counted fact."""
    operator, supervisor = world.users["operator"], world.users["supervisor"]
    executor = world.users["executor"]
    world.register()  # assigned
    world.register(questions=[QuestionData(subtopic_code=world.hot_water.code),
                              QuestionData(subtopic_code=world.road.code)])  # two topics
    world.register(kind=Kind.PUBLIC_INFORMATION)
    world.register(received_at=timezone.now() - timedelta(days=40))  # another day, overdue
    world.answered()  # answered, to review
    # accepted, answered, accepted by the centre, confirmed, closed, reopened
    appeal = world.answered()
    services.answer_review(actor=supervisor, appeal=appeal, accept=True)
    services.feedback_record(actor=operator, appeal=appeal, confirmed=True, rating=5)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED
    services.appeal_reopen(actor=supervisor, appeal=appeal, note="Знову немає води.")
    # answered, sent back, answered again (a second reply is not a first one), closed
    appeal = world.answered()
    services.answer_review(actor=supervisor, appeal=appeal, accept=False, note="Неповна.")
    services.reply_submit(**letter(), actor=executor, assignment=world.main_assignment(appeal),
                          result="done", text="Подано повністю.")
    appeal.refresh_from_db()
    services.appeal_close(actor=supervisor, appeal=appeal, note="Виконано.")
    # returned as not in competence, then re-routed to another body
    appeal = world.register()
    services.reply_submit(**letter(), actor=executor, assignment=world.main_assignment(appeal),
                          result="not_in_competence", text="Не наше.")
    appeal.refresh_from_db()
    services.appeal_assign(actor=supervisor, appeal=appeal,
                           routing=Routing(main_authority_code=world.other_authority.code))
    # taken into work, then re-routed away (the assignment cancelled)
    appeal = world.register()
    services.assignment_accept(actor=executor, assignment=world.main_assignment(appeal))
    services.appeal_assign(actor=supervisor, appeal=appeal,
                           routing=Routing(main_authority_code=world.default_authority.code))
    # unrouted, forwarded; not considered and reopened
    appeal = world.register(routing=None)
    services.appeal_forward(actor=supervisor, appeal=appeal, to_body="Мінрегіон")
    appeal = world.register(routing=None)
    services.appeal_not_considered(actor=supervisor, appeal=appeal, reason="repeated")
    # an extension requested and approved
    appeal, extension = world.with_extension_request()
    services.extension_decide(actor=supervisor, extension=extension, approve=True,
                              decider=decider())
    # the applicant becomes privileged: the appeals still open become priority ones
    appeal = world.register(last_name="Коваль")
    assert appeal.applicant is not None
    services.applicant_update(actor=operator, applicant=appeal.applicant, data=ApplicantData(
        last_name="Коваль", first_name="Тарас", patronymic="Григорович", phone="050 123 45 67",
        address="вул. Миру, 1", territory_code=SETTLEMENT,
        category_code=world.category_privileged.code))
    appeal.refresh_from_db()
    assert appeal.priority


def test_the_services_keep_the_counts_equal_to_a_rebuild(world: World) -> None:
    # given appeals moved through the services
    _lifecycle(world)
    maintained = _maintained()

    # when the counts are recomputed from the registry
    services.counts_rebuild()

    # then the services had kept exactly what the rebuild finds
    rebuilt = _maintained()
    assert maintained == rebuilt
    statuses = {k[2] for k in rebuilt[0] if k[1] == "status"}
    assert {"assigned", "closed", "returned_for_revision", "forwarded",
            "not_considered"} <= statuses
    assert any(k[1] == "priority" for k in rebuilt[0])
    assert any(k[3] for k in rebuilt[0])  # the request for public information apart
    assert rebuilt[1]  # the months too
    assert {k[1] for k in rebuilt[2]} >= {"answered", "closed", "cancelled", "returned",
                                          "first_replies", "first_reply_us"}


def _periods() -> list[tuple[Any, Any]]:
    today = clock.today()
    first = today.replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    return [(None, None), (today - timedelta(days=30), None), (None, today - timedelta(days=45)),
            (today - timedelta(days=400), today - timedelta(days=100)),
            (last_month, first - timedelta(days=1)),  # one whole month
            (last_month + timedelta(days=3), last_month + timedelta(days=9)),  # inside one
            (last_month + timedelta(days=3), today),  # a ragged start, a ragged end
            (today, today - timedelta(days=5))]  # empty


def _same_figures() -> None:
    today = clock.today()
    figures = selectors_stats.today_figures(today=today)
    assert selectors_stats.status_counts() == selectors.status_counts()
    assert selectors_stats.intake_by_channel() == selectors.intake_by_channel()
    for since, until in _periods():
        old, new = selectors.statistics(since=since, until=until), \
            selectors_stats.statistics(since=since, until=until, figures=figures)
        # ties among topics have no order in the scanning read
        assert sorted(old.pop("by_topic")) == sorted(new.pop("by_topic")), (since, until)
        assert old == new, (since, until)
    assert (selectors_stats.attention_counts(figures=figures)
            == control.attention_counts(today=today))
    for sort in [None, "name", "-arrived", "avg_days", "-replied", "-overdue"]:
        assert (selectors_stats.authority_table(sort=sort, figures=figures)
                == control.authority_table(sort=sort, today=today))
    assert (selectors_stats.intake_per_week(today=today)
            == control.intake_per_week(today=today))
    assert (selectors_stats.overdue_series(figures=figures)
            == control.overdue_per_week(today=today))
    assert figures.routing_missed == selectors.routing_missed(today=today).count()


def test_the_figures_from_the_counts_equal_the_scanning_ones(world: World) -> None:
    # given appeals through the services (the counts kept as they go)
    _lifecycle(world)
    world.register(routing=None, received_at=timezone.now() - timedelta(days=9))
    world.register(received_at=timezone.now() - timedelta(days=20))

    # then every figure of the dashboard and the statistics is the scanning read's, computed on
    # the spot and from the snapshot the periodic task takes
    assert selectors_stats.statistics()["total"] > 10
    _same_figures()
    services.stats_snapshot_refresh()
    _same_figures()


def test_the_pages_read_todays_figures_from_a_fresh_snapshot_of_today_only(world: World) -> None:
    # given a snapshot taken while one appeal was overdue
    world.register(received_at=timezone.now() - timedelta(days=20))
    services.stats_snapshot_refresh()
    taken = CountSnapshot.objects.get()

    # when another becomes overdue before the next snapshot
    world.register(received_at=timezone.now() - timedelta(days=25))

    # then the dashboard shows the snapshot's figure, with its time
    assert selectors_stats.attention_counts().overdue == 1
    html = world.client("supervisor").get("/dashboard/").content.decode()
    assert f"станом на {timezone.localtime(taken.taken_at):%H:%M}" in html
    # and a snapshot of another day, or a stale one, is not read: the figures are computed
    CountSnapshot.objects.update(today=clock.today() - timedelta(days=1))
    assert selectors_stats.attention_counts().overdue == 2
    CountSnapshot.objects.update(today=clock.today(),
                                 taken_at=clock.now() - timedelta(minutes=16))
    assert selectors_stats.attention_counts().overdue == 2
    services.stats_snapshot_refresh()
    assert selectors_stats.attention_counts().overdue == 2


@pytest.fixture
def reference(db: Any) -> None:
    base = Path(settings.BASE_DIR)
    if not (base / "data" / "reference").is_dir() or "load_reference" not in get_commands():
        pytest.skip("needs the reference files in data/reference and `manage.py load_reference`")
    call_command("load_reference", stdout=io.StringIO())
    call_command("create_demo_accounts", allow_without_debug=True, stdout=io.StringIO())


def test_generated_appeals_give_the_same_figures_from_the_counts(reference: None) -> None:
    # given generated appeals (the generator rebuilds the counts at its end) and a few more
    # through the services
    call_command("generate_appeals", count=300, seed=7, years=2, stdout=io.StringIO())
    appeal = Appeal.objects.filter(status=AppealStatus.ASSIGNED).order_by("id").first()
    intake = services.AppealIntake(
        channel="web", text="Яма на дорозі біля школи.",
        questions=[QuestionData(subtopic_code=appeal.questions.first().subtopic.code)]
    ) if appeal else None
    if intake is not None:
        from vikno.accounts.models import User
        services.appeal_register(actor=User.objects.get(username="operator"),
                                 intake=replace(intake, territory_code=appeal.territory_id or ""))

    # then the figures from the counts are the scanning ones
    assert DailyCount.objects.exists()
    _same_figures()
    services.stats_snapshot_refresh()
    _same_figures()


def test_counts_rebuild_command(reference: None) -> None:
    call_command("generate_appeals", count=50, seed=3, years=1, stdout=io.StringIO())
    DailyCount.objects.all().delete()
    out = io.StringIO()

    call_command("counts_rebuild", stdout=out)

    assert "daily rows" in out.getvalue()
    assert selectors_stats.status_counts() == selectors.status_counts()
