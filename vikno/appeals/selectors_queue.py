"""The work queue and the executor's assignments: filters, orders, pages (ADR lists).

Lists start from access.appeals_visible_to: nobody sees more than allowed. A page that shows
applicants' names is a recorded `applicant.list_view` (the rows' ids, never the data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.paginator import Page
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    FilteredRelation,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from vikno.appeals.access import (
    appeals_visible_to,
    applicants_searchable_by,
    personal_data_visible_in,
    sees_appeals,
)
from vikno.appeals.errors import AppealsError, Code, forbidden
from vikno.appeals.lifecycle import (
    ACTIVE_ASSIGNMENT_STATUSES,
    ANSWERED_STATUSES,
    OPEN_STATUSES,
    UNDER_CONTROL_STATUSES,
    AssignmentStatus,
)
from vikno.appeals.lifecycle import (
    SHOWN_ASSIGNMENT_STATUSES as SHOWN_STATUSES,
)
from vikno.appeals.models import (
    Appeal,
    Applicant,
    Assignment,
    AssignmentRole,
    Question,
    SearchWord,
)
from vikno.appeals.models.applicants import phone_normalise
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.core import clock, fulltext
from vikno.core.keyset import Key, after_q, token, values_of
from vikno.core.pagination import BoundedPaginator
from vikno.core.search import Fold, fold
from vikno.directory import refcache
from vikno.directory.models import SubTopic, Topic

# A pseudo-status of the filters: every appeal still under consideration (the default queue).
OPEN = "open"


@dataclass(frozen=True)
class AppealFilters:
    status: str = ""
    channel: str = ""
    topic_code: str = ""
    subtopic_code: str = ""
    territory_code: str = ""
    authority_code: str = ""
    overdue: bool = False
    priority: bool = False
    q: str = ""
    # What the centre must act on (selectors_control.Attention), from the dashboard's counts.
    attention: str = ""
    # Several statuses at once (the queue's filter); OPEN among them stands for OPEN_STATUSES.
    statuses: tuple[str, ...] = ()
    received_from: date | None = None
    received_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    # A key of SORTS, "-" in front for the descending order; "" is the work order.
    sort: str = ""


# The queue's sortable columns: the ordering of each (ascending); every order ends on the row id
# so that equal values keep one order from page to page.
SORTS: dict[str, tuple[str, ...]] = {
    "number": ("number",),
    "received": ("received_at",),
    "due": ("due_date",),
    "status": ("status",),
    # The kept Appeal.executor_key (services._common.appeal_executor_sync), read from its index.
    "executor": ("executor_key",),
    "priority": ("priority",),
}
WORK_ORDER = ("-priority", "due_date", "-received_at")
# The sorts whose column may be empty (no control date, no executor yet).
NULLABLE_SORTS = frozenset({"due", "executor"})


def _status_q(f: AppealFilters) -> Q | None:
    wanted = [*f.statuses, *([f.status] if f.status else [])]
    if not wanted:
        return None
    statuses = {s for s in wanted if s != OPEN}
    if OPEN in wanted:
        statuses |= set(OPEN_STATUSES)
    return Q(status__in=sorted(statuses))


def order_keys(sort: str) -> list[Key]:
    """The keys of the queue's order for `sort` (a key of SORTS, "-" in front for descending; the
    work order otherwise), each order ending on the row id."""
    key = sort.removeprefix("-")
    if key not in SORTS:
        return [Key("priority", descending=True), Key("due_date", nullable=True),
                Key("received_at", descending=True), Key("id", descending=True)]
    descending = sort.startswith("-")
    # Empty values (no control date, no executor) go last either way, on every database; the
    # columns that are never empty are ordered plainly, so an index serves both directions.
    nullable = key in NULLABLE_SORTS
    return [*(Key(name, descending, True if nullable else None, nullable) for name in SORTS[key]),
            Key("id", descending)]


def _ordered(qs: QuerySet[Appeal], sort: str) -> QuerySet[Appeal]:
    return qs.order_by(*(key.order_by() for key in order_keys(sort)))


def executor_key_subquery() -> Subquery:
    """What Appeal.executor_key keeps, computed: the name of the first main executor (by
    assignment) still or last at work on the outer appeal (checks and data repairs)."""
    return Subquery(
        Assignment.objects.filter(question__appeal=OuterRef("pk"), role=AssignmentRole.MAIN,
                                  status__in=sorted(SHOWN_STATUSES))
        .order_by("id").values("authority__name")[:1])


def overdue_q(today: date) -> Q:
    """Under control, with a question past its own control date whose main executor has not
    answered (per-question control: a question extended to a later date is not overdue while
    another one may be; the appeal's own date is the latest of its questions'). Read from the
    kept Appeal.next_due (services._common.appeal_next_due_sync), a range of a partial index."""
    return Q(status__in=UNDER_CONTROL_STATUSES, next_due__lt=today)


def _owed_questions() -> QuerySet[Question]:
    """The outer appeal's questions whose main executor has not answered (yet, or again)."""
    answered = Assignment.objects.filter(question=OuterRef("pk"), role=AssignmentRole.MAIN,
                                         status__in=ANSWERED_STATUSES)
    return Question.objects.filter(appeal=OuterRef("pk")).exclude(Exists(answered))


def next_due_subquery() -> Subquery:
    """What Appeal.next_due keeps, computed: the earliest control date among the appeal's
    questions still owed; empty when every question is answered (checks and data repairs)."""
    return Subquery(_owed_questions().filter(due_date__isnull=False).order_by("due_date")
                    .values("due_date")[:1])


def appeal_list_for(*, user: Any, filters: AppealFilters = AppealFilters()) -> QuerySet[Appeal]:
    """The work queue: priority applicants first (ст.20), then the nearest control date, unless
    the filters ask for another order (SORTS)."""
    qs = appeals_visible_to(user)
    f = filters
    by_status = _status_q(f)
    if by_status is not None:
        qs = qs.filter(by_status)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    # To-many conditions are EXISTS subqueries: no join that repeats an appeal, so no DISTINCT,
    # and the database can walk an index in the list's order and stop at the page (ADR lists).
    # The sub-topics by their ids (kept per process): the planner then knows how many questions
    # match and walks the list's index instead of every question of a frequent topic.
    if f.subtopic_code:
        qs = qs.filter(Exists(Question.objects.filter(
            appeal=OuterRef("pk"), subtopic_id__in=_subtopic_ids(code=f.subtopic_code))))
    elif f.topic_code:
        qs = qs.filter(Exists(Question.objects.filter(
            appeal=OuterRef("pk"), subtopic_id__in=_subtopic_ids(topic__code=f.topic_code))))
    if f.territory_code:
        qs = qs.filter(territory__path__contains=f.territory_code)
    if f.authority_code:
        qs = qs.filter(Exists(Assignment.objects.filter(
            question__appeal=OuterRef("pk"), authority__code=f.authority_code,
            status__in=ACTIVE_ASSIGNMENT_STATUSES)))
    if f.overdue:
        qs = qs.filter(overdue_q(clock.today()))
    if f.priority:
        qs = qs.filter(priority=True)
    if f.attention:
        # Imported here: selectors_control builds on this module.
        from vikno.appeals.selectors_control import attention_q

        qs = qs.filter(attention_q(f.attention))
    # The days of receipt as a range of the moment itself (from the first day's midnight to the
    # midnight after the last, in the time zone `received_at__date` reads them in): the column's
    # statistics then tell the planner how many rows match and its indexes serve the range, which
    # a condition on the date computed from each row gave neither.
    # (A day at the ends of the calendar, whose midnight has no UTC moment, is compared as before.)
    if f.received_from:
        qs = qs.filter(Q(received_at__gte=_midnight(f.received_from))
                       if _within_moments(f.received_from)
                       else Q(received_at__date__gte=f.received_from))
    if f.received_to:
        qs = qs.filter(Q(received_at__lt=_midnight(f.received_to + timedelta(days=1)))
                       if _within_moments(f.received_to)
                       else Q(received_at__date__lte=f.received_to))
    if f.due_from:
        qs = qs.filter(due_date__gte=f.due_from)
    if f.due_to:
        qs = qs.filter(due_date__lte=f.due_to)
    if f.q.strip():
        qs = qs.filter(_search_q(f.q.strip(), with_applicant=applicants_searchable_by(user)))
    # Every condition above is on the appeal's own row or a subquery: each appeal comes once.
    return _ordered(qs.select_related("applicant", "territory"), f.sort)


def _within_moments(day: date) -> bool:
    """Whether `day`'s midnight and the next one are moments in UTC too (every day but the
    calendar's first and last)."""
    return date(1, 1, 2) < day < date(9999, 12, 30)


def _midnight(day: date) -> datetime:
    """The moment `day` begins in the current time zone (the one `received_at__date` uses)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _subtopic_ids(**lookup: str) -> list[int]:
    """The ids of the sub-topics (of every Classifier edition) with this code or topic code."""
    key = ("queue_subtopic_ids", *sorted(lookup.items()))
    return list(refcache.kept(key, lambda: tuple(
        SubTopic.objects.filter(**lookup).order_by("id").values_list("id", flat=True))))


# The applicants found by the search come as a list of ids (one array parameter) up to this many:
# the planner then knows how many appeals to read from the applicant's index; more, a subquery.
APPLICANT_IDS_INLINE = 20_000
# From this many applicants found on (a frequent surname), the search is counted only as far as
# frequent words are: every row counted is tested against the list.
APPLICANTS_COUNTED_FAR = 1000


class _ApplicantIds(Func):
    """PostgreSQL: the appeals of these applicants, `applicant_id = ANY(ids)`, the column named
    through the row's own alias (it also holds inside the page's subquery of ids)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, ids: list[int]) -> None:
        super().__init__(F("applicant_id"))
        self.ids = ids
        self.found = len(ids)

    def as_sql(self, compiler: Any, connection: Any, function: str | None = None,
               template: str | None = None, arg_joiner: str | None = None,
               **extra_context: Any) -> Any:
        column, params = compiler.compile(self.get_source_expressions()[0])
        # Of the key's own type: integers against the bigint column are a cross-type test that
        # PostgreSQL cannot hash, so every row walked searched the whole array (fulltext.ids_q).
        kind = Appeal._meta.get_field("applicant").target_field.db_type(connection)
        return f"{column} = ANY(%s::{kind}[])", (*params, self.ids)


def _search_q(q: str, *, with_applicant: bool) -> Q:
    # Words by their lemmas (a typo by similarity), digits inside the number: vikno.core.fulltext.
    cond = fulltext.text_match(q, model=Appeal, vocabulary=SearchWord)
    if with_applicant:
        # The matching applicants as a list of ids (on PostgreSQL one array parameter): the
        # planner then knows how many appeals they have and may OR them with the text's index
        # into one bitmap instead of testing every appeal against a subquery.
        applicants = applicant_match(q)
        ids = _applicant_ids(q, applicants, APPLICANT_IDS_INLINE + 1)
        if len(ids) > APPLICANT_IDS_INLINE:
            cond |= Q(applicant__in=applicants)
        elif connection.vendor == "postgresql" and ids:
            cond |= Q(_ApplicantIds(ids))
        else:
            cond |= Q(applicant__in=ids)
    return cond


def _applicant_ids(q: str, applicants: QuerySet[Applicant], limit: int) -> list[int]:
    """The ids of `applicants` (applicant_match of `q`), at most `limit`.

    PostgreSQL, a query of one word that is not a phone: the union of the three tests, each
    answered by its own index alone (migration 0032: the folded surname's and first name's
    indexes carry the name and the id), instead of one bitmap of the three that then read every
    applicant found from the table: 10 103 pages of the table for the 12 851 «Шевченко» of a
    million appeals, 40–220 ms, against 8–25 ms (ADR 26). The same ids."""
    names = q.split()
    if connection.vendor != "postgresql" or len(names) != 1 or _phone_searched(q):
        return list(applicants.values_list("pk", flat=True)[:limit])
    return list(applicant_ids_by_name(names[0])[:limit])


def applicant_ids_by_name(word: str) -> QuerySet[Any]:
    """The ids of the applicants one word of applicant_match finds (surname or first name by its
    beginning, organisation by a fragment), as a union of the three tests: on PostgreSQL each
    is answered by its own index, the first two from the index alone (_applicant_ids)."""
    folded_word = fold(word)
    folded = Applicant.objects.alias(fl=Fold("last_name"), ff=Fold("first_name"),
                                     fo=Fold("organisation_name"))
    branches = [folded.filter(fl__startswith=folded_word), folded.filter(ff__startswith=folded_word),
                folded.filter(fo__contains=folded_word)]
    first, *rest = (branch.order_by().values_list("pk", flat=True) for branch in branches)
    return first.union(*rest)


def _phone_searched(q: str) -> str:
    """The digits to look for when `q` is a phone however spelled (brackets, dashes, «+38»), or
    digits with a word or two around them; "" when it is a name."""
    digits = phone_normalise(q)
    spelled_as_phone = not any(ch.isalpha() for ch in q)
    if len(digits) >= 5 and (spelled_as_phone or len(digits) >= len(q.replace(" ", "")) - 4):
        return digits[-9:]
    return ""


def applicant_match(q: str) -> QuerySet[Applicant]:
    digits = _phone_searched(q)
    if digits:
        return Applicant.objects.filter(phone_digits__contains=digits)
    words = [fold(w) for w in q.split() if w]
    qs = Applicant.objects.annotate(fl=Fold("last_name"), ff=Fold("first_name"),
                                    fo=Fold("organisation_name"))
    for word in words:
        qs = qs.filter(Q(fl__startswith=word) | Q(ff__startswith=word) | Q(fo__contains=word))
    return qs


# The assignments a row of the queue names as its executors: closed ones too (a closed appeal
# still shows who executed it).
SHOWN_ASSIGNMENT_STATUSES = sorted(SHOWN_STATUSES)
# Appeals per query when the rows' details are read for a long list (an export).
DETAILS_CHUNK = 2000


def rows_details(appeals: list[Appeal]) -> None:
    """Each appeal's sub-topics (with their topics) and executors' names, in one query per
    DETAILS_CHUNK appeals: a left join of the questions with the assignments shown, in the
    questions' order, then each question's assignments by role and id. Sets `appeal.row_topics`
    (SubTopic, one per question) and `appeal.row_executors` (names, each once)."""
    by_id = {a.pk: a for a in appeals}
    for each in appeals:
        each.row_topics, each.row_executors = [], []  # type: ignore[attr-defined]
    ids = list(by_id)
    for start in range(0, len(ids), DETAILS_CHUNK):
        rows = (Question.objects.filter(appeal_id__in=ids[start:start + DETAILS_CHUNK])
                .annotate(work=FilteredRelation("assignments", condition=Q(
                    assignments__status__in=SHOWN_ASSIGNMENT_STATUSES)))
                .order_by("appeal_id", "id", "work__role", "work__id")
                .values_list("appeal_id", "id", "subtopic_id", "subtopic__code", "subtopic__name",
                             "subtopic__topic__code", "subtopic__topic__name",
                             "work__authority__name"))
        last_question = None
        for appeal_id, question_id, sub_id, code, name, topic_code, topic_name, executor in rows:
            appeal: Any = by_id[appeal_id]
            if question_id != last_question:
                last_question = question_id
                appeal.row_topics.append(_subtopic(sub_id, code, name, topic_code, topic_name))
            if executor is not None and executor not in appeal.row_executors:
                appeal.row_executors.append(executor)


def _subtopic(pk: int, code: str, name: str, topic_code: str, topic_name: str) -> SubTopic:
    """A sub-topic to show (code, name, its topic's code and name), built from a row."""
    sub = SubTopic(pk=pk, code=code, name=name)
    sub.topic = Topic(code=topic_code, name=topic_name)
    return sub


@dataclass(frozen=True)
class ListPage:
    """One page of a list and, per appeal id, whether its applicant may be shown unmasked."""

    page: Page
    visible: dict[int, bool]


def _record_list_view(*, user: Any, appeals: list[Appeal], visible: dict[int, bool],
                      where: str) -> None:
    """A page that shows applicants' names is a read of their personal data too: one event per
    page, naming the applicants' rows (ids), never their data."""
    ids = sorted({a.applicant_id for a in appeals if visible[a.pk] and a.applicant_id})
    if ids:
        audit.record(actor=user, action=AuditAction.APPLICANT_LIST_VIEW, obj=None, object_label=where,
                     after={"applicant_ids": ids})


class KeysetPage(Page):
    """A page read by a cursor (the rows after or before a row in the list's order); its number
    is the one the pager carried along, for "page n of N"."""

    def __init__(self, object_list: Any, number: int, paginator: Any, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more and self.number < self.paginator.num_pages


def _page_number(page: Any, paginator: BoundedPaginator) -> int:
    try:
        number = int(page)
    except (TypeError, ValueError):
        number = 2
    return max(2, min(number, max(paginator.num_pages, 2)))


def _by_ids(appeals: QuerySet[Appeal], page: QuerySet[Appeal]) -> list[Appeal]:
    """The rows of a page (a slice of `appeals`) in the list's order: first their ids alone, which
    the database reads from the order's index without visiting the rows it passes (however
    deep the page), then those rows."""
    return list(appeals.filter(pk__in=Subquery(page.values("pk"))))


# A search is counted only this far ("more than 1 000"), and a search of frequent words (their
# text tested on each row counted) only to 200: counting ten thousand matches of a frequent word
# cost far more than the page itself (ADR 26).
SEARCH_COUNT_LIMIT = 1000
FREQUENT_SEARCH_COUNT_LIMIT = 200


def queue_count_limit(filters: AppealFilters, appeals: QuerySet[Appeal] | None = None
                      ) -> int | None:
    """How far the queue counts `appeals` (appeal_list_for of `filters`): the lists' own bound
    (pagination.COUNT_LIMIT, None) without a search, else by the search's words."""
    if not filters.q.strip():
        return None
    if appeals is not None and (fulltext.tests_rows_for_words(appeals.query.where)
                                or _applicants_as_subquery(appeals.query.where)):
        return FREQUENT_SEARCH_COUNT_LIMIT
    return SEARCH_COUNT_LIMIT


def _applicants_as_subquery(where: Any) -> bool:
    """Whether the search found many applicants (more than APPLICANTS_COUNTED_FAR, or a
    subquery, a frequent surname): every row counted is then tested against them, and the count
    to 1 000 walked a hundred thousand rows for "Шевченко" at a million appeals (ADR 26)."""
    for child in getattr(where, "children", ()):
        if _applicants_as_subquery(child):
            return True
        lhs = getattr(child, "lhs", None)
        if isinstance(lhs, _ApplicantIds) and lhs.found > APPLICANTS_COUNTED_FAR:
            return True
        target = getattr(lhs, "target", None)
        if (getattr(target, "name", "") == "applicant"
                and hasattr(getattr(child, "rhs", None), "get_compiler")):
            return True
    return False


def appeal_queue_page(*, user: Any, filters: AppealFilters, page: Any, per_page: int,
                      where: str = "queue", after: str = "", before: str = "") -> ListPage:
    """One page of the work queue (appeal_list_for) with its topics and executors (rows_details);
    the rows whose applicant is shown are a recorded `applicant.list_view`.

    `after`/`before`: a cursor (the page's `next_cursor`/`previous_cursor`): the rows after or
    before that row, read from the order's index however deep (keyset); `page` is then only the
    number shown. Without one (or with one that is not of this order), `page` is the page."""
    appeals = appeal_list_for(user=user, filters=filters)
    paginator = BoundedPaginator(appeals, per_page, limit=queue_count_limit(filters, appeals))
    keys = order_keys(filters.sort)
    values = values_of(after or before, keys) if (after or before) else None
    shown: Page
    if values is None:
        shown = paginator.get_page(page)
        first = max(shown.start_index() - 1, 0)
        rows = _by_ids(appeals, appeals[first:shown.end_index()])
    elif after:
        rows = _by_ids(appeals, appeals.filter(after_q(keys, values))[:per_page + 1])
        shown = KeysetPage(rows[:per_page], _page_number(page, paginator), paginator,
                           more=len(rows) > per_page)
        rows = rows[:per_page]
    else:
        back = [key.reversed() for key in keys]
        rows = _by_ids(appeals, appeals.filter(after_q(back, values))
                       .order_by(*(key.order_by() for key in back))[:per_page])
        shown = KeysetPage(rows, _page_number(page, paginator), paginator, more=True)
    shown.object_list = rows
    shown.next_cursor = token(rows[-1], keys) if rows else ""  # type: ignore[attr-defined]
    shown.previous_cursor = token(rows[0], keys) if rows else ""  # type: ignore[attr-defined]
    rows_details(rows)
    visible = personal_data_visible_in(user=user, appeals=rows)
    _record_list_view(user=user, appeals=rows, visible=visible, where=where)
    return ListPage(page=shown, visible=visible)


# An export is a copy of the list that leaves the system: bounded, so nobody carries the whole
# register away in one file (narrow the filters instead).
EXPORT_LIMIT = 10_000


@dataclass(frozen=True)
class ExportRows:
    """The appeals of an export and, per appeal id, whether its applicant goes out unmasked."""

    appeals: list[Appeal]
    visible: dict[int, bool]


def appeal_export_rows(*, user: Any, filters: AppealFilters, fmt: str,
                       limit: int = EXPORT_LIMIT) -> ExportRows:
    """The work queue as filtered (appeal_list_for), for a file: a recorded `appeal.export` with
    the number of rows, the format and the ids of the applicants that go out unmasked, never their
    data. Only roles that see appeals export; an executor exports its own authority's appeals
    (appeals_visible_to). More than `limit` rows is refused (TOO_MANY_ROWS): nothing recorded."""
    if not sees_appeals(user):
        raise forbidden()
    qs = appeal_list_for(user=user, filters=filters)
    count = qs.count()
    if count > limit:
        raise AppealsError(
            Code.TOO_MANY_ROWS,
            _("The list holds %(count)s appeals; an export takes at most %(limit)s. "
              "Narrow the filters.") % {"count": count, "limit": limit},
            http_status=400)
    appeals = list(qs.select_related("territory__parent__parent__parent"))
    rows_details(appeals)
    visible = personal_data_visible_in(user=user, appeals=appeals)
    audit.record(actor=user, action=AuditAction.APPEAL_EXPORT, obj=None, object_label=fmt,
                 after={"rows": len(appeals), "format": fmt,
                        "applicant_ids": sorted({a.applicant_id for a in appeals
                                                 if visible[a.pk] and a.applicant_id})})
    return ExportRows(appeals=appeals, visible=visible)


def _executor_q(*, status: str = "", overdue: bool = False) -> Q:
    """The assignments of one tab of an executor's list (status, or past their date)."""
    cond = Q(status=status) if status else Q(status__in=ACTIVE_ASSIGNMENT_STATUSES)
    if overdue:
        cond &= Q(due_date__lt=clock.today()) & ~Q(status=AssignmentStatus.ANSWERED)
    return cond


def assignments_for_executor(*, user: Any, authority_id: int, status: str = "",
                             overdue: bool = False) -> QuerySet[Assignment]:
    qs = Assignment.objects.filter(authority_id=authority_id).select_related(
        "question__appeal", "question__subtopic")
    qs = qs.filter(_executor_q(status=status, overdue=overdue))
    return qs.order_by("-question__appeal__priority", "due_date", "id")


def assignment_counts_for(*, user: Any, authority_id: int,
                          tabs: dict[str, dict[str, Any]]) -> dict[str, int]:
    """How many assignments each tab of the executor's list holds (tab → the keyword arguments
    of assignments_for_executor), in one query."""
    # Only the statuses the tabs name are read (by the index (authority, status)), not the
    # authority's whole closed history.
    statuses = {str(s) for params in tabs.values()
                for s in ([params["status"]] if params.get("status")
                          else ACTIVE_ASSIGNMENT_STATUSES)}
    counts = Assignment.objects.filter(
        authority_id=authority_id, status__in=sorted(statuses)).aggregate(**{
        name: Count("id", filter=_executor_q(**params)) for name, params in tabs.items()})
    return {name: int(counts[name] or 0) for name in tabs}


def assignment_page_for(*, user: Any, authority_id: int, page: Any, per_page: int, where: str,
                        status: str = "", overdue: bool = False,
                        count: int | None = None) -> ListPage:
    """One page of an executor's assignments with their appeals and applicants; the rows whose
    applicant is shown are a recorded `applicant.list_view`. `count`: the list's size when the
    caller has it already (assignment_counts_for)."""
    items = assignments_for_executor(user=user, authority_id=authority_id, status=status,
                                     overdue=overdue).select_related(
        "question__appeal__applicant", "question__subtopic__topic")
    shown = BoundedPaginator(items, per_page, count=count).get_page(page)
    appeals = [a.question.appeal for a in shown.object_list]
    visible = personal_data_visible_in(user=user, appeals=appeals)
    _record_list_view(user=user, appeals=appeals, visible=visible, where=where)
    return ListPage(page=shown, visible=visible)
