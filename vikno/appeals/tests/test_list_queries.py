"""The queue's queries at scale keep their answers: the same rows in the same order as the plain
join-and-DISTINCT query they replaced (kept below as the reference), for a table of filters and
sorts over a world built through the services; and a page costs as many queries at 60 appeals
as at 10."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models import Exists, Q, QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vikno.accounts.access import role_of
from vikno.accounts.roles import CENTRE_ROLES
from vikno.appeals import selectors, services
from vikno.appeals.access import executor_authority
from vikno.appeals.intake import QuestionData
from vikno.appeals.lifecycle import (
    ACTIVE_ASSIGNMENT_STATUSES,
    UNDER_CONTROL_STATUSES,
    AssignmentStatus,
)
from vikno.appeals.models import Appeal, Assignment, AssignmentRole, Channel, ReplyResult
from vikno.appeals.selectors_queue import (
    OPEN,
    AppealFilters,
    _owed_questions,
    _status_q,
    appeal_list_for,
    executor_key_subquery,
    next_due_subquery,
    order_keys,
)
from vikno.appeals.services import Routing
from vikno.appeals.tests.factories import (
    Rulebook,
    applicant_data,
    executor_of,
    letter,
    register,
    rulebook,
)
from vikno.core import clock
from vikno.core.keyset import Key


def _visible_reference(user: Any) -> QuerySet[Appeal]:
    """Who sees which appeals as it was written first: an executor, the appeals of its
    authority's assignments joined through their questions (not the appeal kept on them)."""
    if role_of(user) in CENTRE_ROLES:
        return Appeal.objects.all()
    authority = executor_authority(user)
    assert authority is not None
    return Appeal.objects.filter(
        questions__assignments__authority=authority,
        questions__assignments__status__in=[*ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus.CLOSED])


def _reference(*, user: Any, f: AppealFilters) -> QuerySet[Appeal]:
    """The queue's query as it was written first: to-many joins and DISTINCT."""
    qs = _visible_reference(user)
    by_status = _status_q(f)
    if by_status is not None:
        qs = qs.filter(by_status)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.subtopic_code:
        qs = qs.filter(questions__subtopic__code=f.subtopic_code)
    elif f.topic_code:
        qs = qs.filter(questions__subtopic__topic__code=f.topic_code)
    if f.territory_code:
        qs = qs.filter(territory__path__contains=f.territory_code)
    if f.authority_code:
        qs = qs.filter(questions__assignments__authority__code=f.authority_code,
                       questions__assignments__status__in=ACTIVE_ASSIGNMENT_STATUSES)
    if f.overdue:
        # Overdue as it was first written: a question still owed past its own date (EXISTS).
        qs = qs.filter(Q(status__in=UNDER_CONTROL_STATUSES)
                       & Q(Exists(_owed_questions().filter(due_date__lt=clock.today()))))
    if f.priority:
        qs = qs.filter(priority=True)
    if f.received_from:
        qs = qs.filter(received_at__date__gte=f.received_from)
    if f.received_to:
        qs = qs.filter(received_at__date__lte=f.received_to)
    if f.due_from:
        qs = qs.filter(due_date__gte=f.due_from)
    if f.due_to:
        qs = qs.filter(due_date__lte=f.due_to)
    # The sort by executor as it was first written: the first main executor's name, computed.
    keys = [Key("computed_executor", k.descending, k.nulls_last, k.nullable)
            if k.field == "executor_key" else k for k in order_keys(f.sort)]
    return (qs.distinct().select_related("applicant", "territory")
            .annotate(owed_due=next_due_subquery(), computed_executor=executor_key_subquery())
            .order_by(*(k.order_by() for k in keys)))


def _days_ago(n: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n, hours=n % 5)


@pytest.fixture
def town(db: Any, operator: Any, supervisor: Any) -> Rulebook:
    """Appeals of several ages, channels, topics, executors and priorities, some two-question,
    some overdue, some not yet routed, all registered and routed through the services."""
    book = rulebook()
    channels = [Channel.HOTLINE, Channel.WEB, Channel.POST, Channel.EMAIL]
    for i in range(16):
        kwargs: dict[str, Any] = {"channel": channels[i % 4], "text": f"Звернення {i}"}
        if i % 3 == 0:
            kwargs["applicant"] = applicant_data(category_code=book.veteran.code,
                                                 phone=f"+380 50 000 00 {i:02d}")
        if i % 4 == 1:
            kwargs["questions"] = [QuestionData("009-HW"), QuestionData("009-RD")]
        if i % 5 == 2:
            kwargs["routing"] = None
        with clock.as_of(_days_ago(3 * i)):
            appeal = register(actor=operator, subtopic="009-RD" if i % 2 else "009-HW", **kwargs)
            if i % 4 == 3:
                services.appeal_assign(actor=supervisor, appeal=appeal,
                                       routing=Routing(main_authority_code=book.utility.code))
            if i in (6, 7):
                # The main executor returns it (no executor left) or answers it (still named).
                main = Assignment.objects.filter(
                    question__appeal=appeal, role=AssignmentRole.MAIN,
                    status=AssignmentStatus.ASSIGNED).order_by("id").first()
                assert main is not None
                services.reply_submit(**letter(), actor=supervisor, assignment=main,
                                      result=(ReplyResult.NOT_IN_COMPETENCE if i == 6
                                              else ReplyResult.EXPLAINED), text="Відповідь.")
    return book


def _filters(book: Rulebook) -> list[AppealFilters]:
    today = clock.today()
    return [
        AppealFilters(),
        AppealFilters(statuses=(OPEN,)),
        *[AppealFilters(statuses=(OPEN,), sort=s) for key in selectors.SORTS
          for s in (key, f"-{key}")],
        AppealFilters(statuses=(OPEN,), channel=Channel.WEB),
        AppealFilters(statuses=(OPEN,), topic_code="009"),
        AppealFilters(statuses=(OPEN,), subtopic_code="009-RD", sort="-received"),
        AppealFilters(statuses=(OPEN,), authority_code=book.council.code),
        AppealFilters(statuses=(OPEN,), authority_code=book.utility.code, sort="executor"),
        AppealFilters(authority_code=book.oda.code),
        AppealFilters(statuses=(OPEN,), overdue=True),
        AppealFilters(overdue=True, sort="due"),
        AppealFilters(statuses=(OPEN,), priority=True),
        AppealFilters(statuses=(OPEN,), territory_code=book.hromada.code),
        AppealFilters(received_from=today - dt.timedelta(days=20), sort="received"),
        AppealFilters(received_to=today - dt.timedelta(days=10), topic_code="009",
                      authority_code=book.council.code),
        AppealFilters(due_from=today, due_to=today + dt.timedelta(days=40), sort="-due"),
        AppealFilters(statuses=("registered",), sort="-number"),
        AppealFilters(received_from=today - dt.timedelta(days=30),
                      received_to=today - dt.timedelta(days=6)),
        AppealFilters(statuses=(OPEN,), received_to=today - dt.timedelta(days=12),
                      sort="-priority"),
        AppealFilters(statuses=(OPEN,), topic_code="009", sort="status"),
        AppealFilters(topic_code="009", received_from=today - dt.timedelta(days=25)),
    ]


def test_queue_keeps_rows_and_order(town: Rulebook, supervisor: Any) -> None:
    # the centre, and the executors of each authority: the council (routing's choice), the
    # utility (re-routed to it; some of the council's assignments cancelled) and the oblast's
    executors = [executor_of(a) for a in (town.council, town.utility, town.oda)]
    assert Appeal.objects.count() == 16
    # the oblast's administration joins one appeal as a co-executor
    joined = Appeal.objects.filter(status="assigned").order_by("id").first()
    assert joined is not None
    services.appeal_assign(actor=supervisor, appeal=joined, routing=Routing(
        main_authority_code=town.council.code, co_authority_codes=(town.oda.code,)))
    # each executor sees some of the appeals, not all of them
    assert all(0 < _visible_reference(u).distinct().count() < 16 for u in executors)
    for f in _filters(town):
        for user in (supervisor, *executors):
            got = [a.pk for a in appeal_list_for(user=user, filters=f)]
            want = [a.pk for a in _reference(user=user, f=f)]
            assert got == want, f
            # The kept Appeal.next_due is what the questions say.
            got_due = [a.next_due for a in appeal_list_for(user=user, filters=f)]
            assert got_due == [a.owed_due for a in _reference(user=user, f=f)], f
            # The kept Appeal.executor_key is what the assignments say.
            got_key = [a.executor_key for a in appeal_list_for(user=user, filters=f)]
            assert got_key == [a.computed_executor for a in _reference(user=user, f=f)], f


def test_days_of_receipt_are_the_days_in_kyiv(town: Rulebook, supervisor: Any) -> None:
    """The filter by days of receipt, a range of moments, takes the same appeals as the date of
    each one in Kyiv did: the last moment of a day in, the first of the next out (a winter day
    and a summer one, UTC+2 and UTC+3)."""
    kyiv = timezone.get_current_timezone()
    moments = [dt.datetime(2025, 1, 14, 23, 59, 59, 999999, tzinfo=kyiv),
               dt.datetime(2025, 1, 15, 0, 0, tzinfo=kyiv),
               dt.datetime(2025, 1, 31, 23, 59, 59, tzinfo=kyiv),
               dt.datetime(2025, 2, 1, 0, 0, tzinfo=kyiv),
               dt.datetime(2025, 7, 9, 23, 59, 59, 999999, tzinfo=kyiv),
               dt.datetime(2025, 7, 10, 0, 0, tzinfo=kyiv),
               dt.datetime(2025, 7, 10, 0, 30, tzinfo=dt.UTC)]
    for appeal, moment in zip(Appeal.objects.order_by("id"), moments, strict=False):
        Appeal.objects.filter(pk=appeal.pk).update(received_at=moment)
    for since, until in [(dt.date(2025, 1, 15), dt.date(2025, 1, 31)),
                         (dt.date(2025, 1, 14), dt.date(2025, 1, 14)),
                         (dt.date(2025, 2, 1), dt.date(2025, 7, 9)),
                         (dt.date(2025, 7, 10), None), (None, dt.date(2025, 7, 9))]:
        for sort in ("", "received"):
            f = AppealFilters(received_from=since, received_to=until, sort=sort)
            got = [a.pk for a in appeal_list_for(user=supervisor, filters=f)]
            want = [a.pk for a in _reference(user=supervisor, f=f)]
            assert got == want, f
    # the calendar's first and last days are compared by the date, as before
    for f in (AppealFilters(received_from=dt.date.min), AppealFilters(received_to=dt.date.max)):
        assert [a.pk for a in appeal_list_for(user=supervisor, filters=f)] == [
            a.pk for a in _reference(user=supervisor, f=f)]
    # each range above took some appeals, and left some out
    f = AppealFilters(received_from=dt.date(2025, 1, 15), received_to=dt.date(2025, 1, 31))
    assert len(list(appeal_list_for(user=supervisor, filters=f))) == 2


def test_queue_pages_keep_rows_and_order(town: Rulebook, supervisor: Any) -> None:
    """Page by page, the pages put together are the whole list in its order."""
    for f in _filters(town)[:6]:
        want = [a.pk for a in _reference(user=supervisor, f=f)]
        got: list[int] = []
        number: Any = 1
        while number:
            shown = selectors.appeal_queue_page(user=supervisor, filters=f, page=number,
                                                per_page=5)
            got += [a.pk for a in shown.page.object_list]
            number = shown.page.next_page_number() if shown.page.has_next() else None
        assert got == want, f


def _queries_for_page(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# A page's queries, whatever its rows (15 and 16 before the details came in one query, the
# filters' choices were kept and the executor's tabs were counted in one).
QUEUE_QUERIES = 11
MY_QUERIES = 11
LIST_URLS = ["/appeals/?status=all", "/appeals/?status=open&topic=009&sort=executor",
             "/appeals/?status=open&authority=ZAK-WATER&page=2"]


def test_list_pages_queries_do_not_grow_with_rows(db: Any, operator: Any, supervisor: Any,
                                                  client_for: Any) -> None:
    book = rulebook()
    centre = client_for(supervisor)
    executor = client_for(executor_of(book.council))

    def add(n: int) -> None:
        for i in range(n):
            appeal = register(actor=operator, text=f"Звернення {i}",
                              questions=[QuestionData("009-HW"), QuestionData("009-RD")])
            if i % 2:
                services.appeal_assign(actor=supervisor, appeal=appeal, question_ids=[
                    appeal.questions.order_by("id")[0].pk],
                    routing=Routing(main_authority_code=book.utility.code,
                                    co_authority_codes=(book.oda.code,)))

    add(10)
    # The filters' choices are read once per process (refcache): a first page reads them.
    centre.get("/appeals/")
    few = {url: _queries_for_page(centre, url) for url in LIST_URLS}
    few_my = _queries_for_page(executor, "/my/")
    # session, user, count, rows, the rows' topics and executors, the page's audit event
    # (chain head, event, head), saved views, notification counts; the first filter by a topic
    # also reads its sub-topics' ids (kept from then on)
    assert max(few.values()) <= QUEUE_QUERIES
    # session, user, membership, authority, the tabs' counts, rows, the rows' visibility, the
    # audit event (3), notification counts
    assert few_my <= MY_QUERIES
    add(50)
    for url in LIST_URLS:
        assert _queries_for_page(centre, url) <= few[url], url
    assert _queries_for_page(executor, "/my/") <= few_my


def test_a_long_list_is_counted_only_up_to_the_bound(town: Rulebook, supervisor: Any,
                                                     client_for: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("vikno.core.pagination.COUNT_LIMIT", 12)
    want = [a.pk for a in _reference(user=supervisor, f=AppealFilters())]
    shown = selectors.appeal_queue_page(user=supervisor, filters=AppealFilters(), page=1,
                                        per_page=5)
    assert shown.page.paginator.capped and shown.page.paginator.num_pages == 3
    assert [a.pk for a in shown.page.object_list] == want[:5]
    third = selectors.appeal_queue_page(user=supervisor, filters=AppealFilters(), page=3,
                                        per_page=5)
    # The last page stops at the bound (the rest is for narrower filters).
    assert [a.pk for a in third.page.object_list] == want[10:13]
    assert not third.page.has_next()
    monkeypatch.setattr("vikno.workspace.views.queue.PAGE_SIZE", 5)
    page = client_for(supervisor).get("/appeals/?status=all&page=2").content.decode()
    assert "Понад 12 звернень" in page and "Сторінка 2 з понад 3" in page
    few = selectors.appeal_queue_page(user=supervisor, filters=AppealFilters(priority=True),
                                      page=1, per_page=5)
    assert not few.page.paginator.capped
    assert few.page.paginator.count == len(_reference(user=supervisor,
                                                      f=AppealFilters(priority=True)))


def test_the_count_bound_of_a_search_applies_to_searches_only(town: Rulebook, supervisor: Any,
                                                              monkeypatch: Any) -> None:
    monkeypatch.setattr("vikno.appeals.selectors_queue.SEARCH_COUNT_LIMIT", 2)
    # every text of the town is "Звернення N": each of them matches the word
    found = list(selectors.appeal_list_for(user=supervisor, filters=AppealFilters(q="звернення")))
    assert len(found) > 3
    searched = selectors.appeal_queue_page(user=supervisor,
                                           filters=AppealFilters(q="звернення"), page=1,
                                           per_page=1)
    assert searched.page.paginator.capped and searched.page.paginator.limit == 2
    assert searched.page.paginator.count == 3
    assert [a.pk for a in searched.page.object_list] == [found[0].pk]
    plain = selectors.appeal_queue_page(user=supervisor, filters=AppealFilters(), page=1,
                                        per_page=1)
    assert not plain.page.paginator.capped
    assert plain.page.paginator.count == len(_reference(user=supervisor, f=AppealFilters()))


def test_keyset_pages_keep_rows_and_order(town: Rulebook, supervisor: Any) -> None:
    """Next by the cursor of a page's last row, then back by the cursor of each page's first
    row: the pages are the whole list in its order both ways, for every filter and sort."""
    for f in _filters(town):
        want = [a.pk for a in _reference(user=supervisor, f=f)]
        shown = selectors.appeal_queue_page(user=supervisor, filters=f, page=1, per_page=3)
        pages = [[a.pk for a in shown.page.object_list]]
        while shown.page.has_next():
            shown = selectors.appeal_queue_page(user=supervisor, filters=f, per_page=3,
                                                page=shown.page.number + 1,
                                                after=shown.page.next_cursor)
            pages.append([a.pk for a in shown.page.object_list])
        assert [pk for rows in pages for pk in rows] == want, f
        for number in range(len(pages) - 1, 1, -1):
            shown = selectors.appeal_queue_page(user=supervisor, filters=f, per_page=3,
                                                page=number, before=shown.page.previous_cursor)
            assert [a.pk for a in shown.page.object_list] == pages[number - 1], f
            assert shown.page.has_previous() and shown.page.has_next()


def test_a_stale_cursor_opens_the_first_page(town: Rulebook, supervisor: Any) -> None:
    first = selectors.appeal_queue_page(user=supervisor, filters=AppealFilters(), page=1,
                                        per_page=5)
    for cursor in ("garbage", first.page.next_cursor + "x",
                   selectors.appeal_queue_page(user=supervisor, per_page=5, page=1,
                                               filters=AppealFilters(sort="number"))
                   .page.next_cursor[:-3]):
        shown = selectors.appeal_queue_page(user=supervisor, filters=AppealFilters(), page=1,
                                            per_page=5, after=cursor)
        assert [a.pk for a in shown.page.object_list] == [a.pk for a in first.page.object_list]


def test_the_queue_pages_by_cursor_in_the_url(town: Rulebook, supervisor: Any,
                                              client_for: Any, monkeypatch: Any) -> None:
    """The pager's next and previous links carry the filters, a cursor and the page's number;
    a plain ?page=n still opens that page."""
    monkeypatch.setattr("vikno.workspace.views.queue.PAGE_SIZE", 3)
    client = client_for(supervisor)
    f = AppealFilters(statuses=(OPEN,), channel=Channel.WEB, sort="-received")
    want = [a.number for a in _reference(user=supervisor, f=f)]
    url = "/appeals/?status=open&channel=web&sort=-received"
    seen: list[str] = []
    pages = 0
    while url:
        response = client.get(url)
        html = response.content.decode()
        page = response.context["page"]
        seen += [a.number for a in page.object_list]
        pages += 1
        assert f"Сторінка {pages} з " in html
        url = ("/appeals/?" + response.context["pager"]["next"]) if page.has_next() else ""
        if url:
            assert "channel=web" in url and "sort=-received" in url and "after=" in url
    assert seen == want and pages >= 2
    by_number = client.get("/appeals/?status=open&channel=web&sort=-received&page=2")
    assert [a.number for a in by_number.context["page"].object_list] == want[3:6]


@pytest.mark.parametrize("update_fields", [None, ["name"]])
def test_the_executor_key_follows_a_renamed_authority(book, operator, update_fields):
    # given an appeal whose main executor is the council
    appeal = register(actor=operator, applicant=applicant_data(phone="0501113344"))
    appeal.refresh_from_db()
    assert appeal.executor_key == book.council.name

    # when the council is renamed (the admin site saves every field, the loader the changed ones)
    book.council.name = "Берегівська міська рада (перейменована)"
    book.council.save(update_fields=update_fields)

    # then the kept key says the new name
    appeal.refresh_from_db()
    assert appeal.executor_key == "Берегівська міська рада (перейменована)"


def test_the_executors_tab_counts_are_their_lists(town: Rulebook) -> None:
    """The tabs' counts, read from the statuses the tabs name only, are the lengths of the tabs'
    lists (a returned assignment, in no tab, is not counted)."""
    # the tabs of /my/, and one of a status no tab of it names
    tabs: dict[str, dict[str, Any]] = {
        "new": {"status": AssignmentStatus.ASSIGNED}, "work": {"status": AssignmentStatus.IN_WORK},
        "revision": {"status": AssignmentStatus.FOR_REVISION}, "overdue": {"overdue": True},
        "answered": {"status": AssignmentStatus.ANSWERED},
        "returned": {"status": AssignmentStatus.RETURNED}}
    seen = 0
    for authority in (town.council, town.utility, town.oda):
        counts = selectors.assignment_counts_for(user=None, authority_id=authority.pk, tabs=tabs)
        for name, params in tabs.items():
            assert counts[name] == selectors.assignments_for_executor(
                user=None, authority_id=authority.pk, **params).count(), (authority, name)
        seen += counts["answered"] + counts["returned"] + counts["new"]
    assert seen > 0
