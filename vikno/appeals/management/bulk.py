"""Generated appeals in bulk: realistic years of history written with bulk_create (ADR 0022).

A management path, not an interface: it writes the rows the services would have written for the
same lives (registration, routing, acceptance, extension, answer, review, confirmation), with the
same history lines and the same audit events appended to the hash chain, but without the
services' per-row queries. Numbers continue the year's registration counter and the chain head
is moved under their row locks at the end of each batch (one transaction per batch), so a normal
registration afterwards takes the next number and `audit_verify` passes.

Plans (what each appeal is and how far its life got) are drawn first from one random generator,
so a seed gives the same appeals; writing them needs the database ids and comes second.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import functools
import gzip
import itertools
import json
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from vikno.accounts.models import User
from vikno.accounts.roles import Role
from vikno.appeals.intake import clean_text
from vikno.appeals.lifecycle import (
    AppealStatus,
    AssignmentStatus,
    TransitionAction,
    appeal_transition_check,
    assignment_transition_check,
)
from vikno.appeals.management.demo_sources import People, SourceText, read_texts
from vikno.appeals.messages import params_of
from vikno.appeals.models import (
    Appeal,
    Applicant,
    Assignment,
    AssignmentRole,
    Channel,
    Extension,
    ExtensionStatus,
    Feedback,
    Kind,
    NotConsideredReason,
    Question,
    RegistrationCounter,
    Reply,
    ReplyResult,
    RoutingTerm,
    Subject,
    Transition,
)
from vikno.appeals.models.appeals import AppealType
from vikno.appeals.models.applicants import PERSONAL_FIELDS, phone_normalise
from vikno.appeals.services import ApplicantData
from vikno.appeals.services._common import APPEAL_AUDIT_FIELDS, APPEAL_MOVE_EVENTS, snapshot
from vikno.audit.actions import AuditAction
from vikno.audit.chain import event_hash
from vikno.audit.models import AuditChainHead, AuditEvent
from vikno.core import clock, fulltext
from vikno.directory import deadlines
from vikno.directory.models import (
    Authority,
    Membership,
    SubTopic,
    Territory,
    TerritoryLevel,
)
from vikno.directory.routing import RuleBook

BATCH = 1000
T = TransitionAction
S = AppealStatus
A = AssignmentStatus

CHANNELS = {Channel.HOTLINE: 45, Channel.WEB: 22, Channel.EMAIL: 10, Channel.POST: 8,
            Channel.PERSONAL: 5, Channel.GCC: 6, Channel.OTHER_BODY: 2, Channel.MEDIA: 1,
            Channel.AUTHORISED: 1}
ORAL_CHANNELS = frozenset({Channel.HOTLINE, Channel.GCC, Channel.PERSONAL})
KINDS = {Kind.APPLICATION: 82, Kind.COMPLAINT: 12, Kind.PROPOSAL: 6}
SETTLEMENT_WEIGHT = {"M": 12, "X": 4}
# Monday … Sunday; the hotline works at weekends too, but quieter.
WEEKDAY_WEIGHT = (1.15, 1.05, 1.0, 1.0, 0.9, 0.35, 0.2)
# January … December: the heating season and the spring thaw bring more appeals.
MONTH_WEIGHT = (1.3, 1.2, 1.1, 0.9, 0.85, 0.8, 0.8, 0.8, 0.9, 1.2, 1.35, 1.4)
HOUR_WEIGHT = {8: 6, 9: 10, 10: 11, 11: 11, 12: 9, 13: 9, 14: 10, 15: 9, 16: 8, 17: 6, 18: 4,
               19: 3, 20: 2, 21: 1}
# How far a planned life gets: the status it ends in (and EXTENDED: in work, its term extended).
REGISTERED, ASSIGNED, IN_WORK, ANSWERED = (S.REGISTERED.value, S.ASSIGNED.value, S.IN_WORK.value,
                                           S.ANSWERED.value)
AWAITING, CLOSED = S.AWAITING_CONFIRMATION.value, S.CLOSED.value
FORWARDED, NOT_CONSIDERED = S.FORWARDED.value, S.NOT_CONSIDERED.value
EXTENDED = "extended"
# How far an appeal's life has got, by its age in days (the states the lifecycle reaches).
TARGETS_BY_AGE: tuple[tuple[int, dict[str, float]], ...] = (
    (1, {REGISTERED: 30, ASSIGNED: 45, IN_WORK: 25}),
    (7, {REGISTERED: 3, ASSIGNED: 22, IN_WORK: 38, ANSWERED: 12, AWAITING: 10,
         CLOSED: 8, FORWARDED: 5, NOT_CONSIDERED: 2}),
    (15, {ASSIGNED: 4, IN_WORK: 20, EXTENDED: 4, ANSWERED: 8, AWAITING: 15, CLOSED: 42,
          FORWARDED: 3, NOT_CONSIDERED: 2}),
    # Past the 15-day term: what is still open is overdue unless extended; a few.
    (10_000, {ASSIGNED: 0.2, IN_WORK: 0.6, EXTENDED: 0.3, ANSWERED: 1, AWAITING: 2,
              CLOSED: 90, FORWARDED: 3, NOT_CONSIDERED: 1.5}),
)
RATINGS = {5: 50, 4: 28, 3: 14, 2: 5, 1: 3}
REPEAT_APPLICANT = 0.12
# A repeat applicant is one of the last REPEAT_WINDOW plans' applicants.
REPEAT_WINDOW = 500
TWO_QUESTIONS = 0.12
FORWARD_TO = ("Головне управління Пенсійного фонду України в Закарпатській області",
              "Головне управління ДПС у Закарпатській області",
              "Закарпатська митниця", "АТ «Укрпошта»")
ANSWERS: dict[str, str] = {
    ReplyResult.DONE: "Роботи виконано. Заявника повідомлено телефоном.",
    ReplyResult.EXPLAINED: "Заявнику надано роз'яснення щодо порядку вирішення питання.",
    ReplyResult.IMPOSSIBLE_NOW: "Роботи включено до плану на наступний рік за наявності "
                                "фінансування.",
}
RESULTS = {ReplyResult.DONE: 55, ReplyResult.EXPLAINED: 35, ReplyResult.IMPOSSIBLE_NOW: 10}
EXTENSION_REASON = "Потрібні додаткові роботи та погодження"


@dataclass(frozen=True)
class PlannedAppeal:
    """One generated appeal before it is written: what it says and how far its life got."""

    received_at: dt.datetime
    text: str
    subtopic_codes: tuple[str, ...]
    territory_code: str
    channel: str
    kind: str
    applicant: ApplicantData | None
    repeat_of: int | None  # index of an earlier plan whose applicant writes again
    target: str
    result: str
    rating: int
    steps: tuple[dt.datetime, ...]  # the moments of the life's steps, in order
    extension_days: int = 0
    forward_to: str = ""


@dataclass
class Report:
    created: int = 0
    events: int = 0
    seconds: float = 0.0


@dataclass
class Context:
    """What the generator reads once: reference data, accounts, routing cache."""

    settlements: list[Territory]
    subtopics: dict[str, SubTopic]
    texts: list[SourceText]
    source: str
    operator: Any
    supervisor: Any
    executors: dict[int, Any]
    rulebook: RuleBook = field(default_factory=RuleBook)
    routes: dict[tuple[int, str], Authority] = field(default_factory=dict)

    def route(self, subtopic: SubTopic, territory: Territory) -> Authority:
        """The routing rules' authority (directory.routing), once per (sub-topic, territory)."""
        key = (subtopic.pk, territory.code)
        if key not in self.routes:
            self.routes[key] = self.rulebook.route(subtopic, territory)
        return self.routes[key]


# The full 1551 corpus beside the project (a test and benchmark corpus, never shipped; see
# ../shared/data/README.md): when present, its texts whose topic maps to one of our sub-topics.
SHARED_CORPUS = Path("shared/data/kyiv1551/appeals.csv.gz")
TOPIC_MAP = Path("data/reference/kyiv1551_topic_map.csv")
CORPUS_LIMIT = 40_000


def corpus_texts(corpus: Path, topic_map: Path, limit: int = CORPUS_LIMIT) -> list[SourceText]:
    """Up to `limit` texts of the full corpus with a mapped topic (only what can be stored)."""
    with topic_map.open(encoding="utf-8", newline="") as handle:
        codes = {row["kyiv_topic"]: row["subtopic_code"] for row in csv.DictReader(handle)}
    found = []
    with gzip.open(corpus, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = codes.get(row["topic"])
            text = clean_text(row["text"]).strip()
            if code and text:
                found.append(SourceText(text=text, subtopic_code=code, received=None,
                                        status=row.get("status", "")))
                if len(found) >= limit:
                    break
    return found


def texts_for(base: Path) -> tuple[list[SourceText], str]:
    """The full corpus when it sits beside the project, else the project's demo sample."""
    shared = base.parent / SHARED_CORPUS
    if shared.exists() and (base / TOPIC_MAP).exists():
        rows = corpus_texts(shared, base / TOPIC_MAP)
        if rows:
            return rows, str(shared)
    return read_texts(base)


def load_context(base: Path) -> Context:
    settlements = list(Territory.objects.filter(level=TerritoryLevel.SETTLEMENT).order_by("code"))
    subtopics = {s.code: s for s in SubTopic.objects.filter(is_active=True)}
    rows, source = texts_for(base)
    rows = [r for r in rows if r.subtopic_code in subtopics]
    if not settlements or not rows:
        raise ValueError("No reference data or texts: run `manage.py load_reference` first.")

    def one(role: Role, username: str) -> Any:
        return (User.objects.filter(username=username, role=role, is_active=True).first()
                or User.objects.filter(role=role, is_active=True).order_by("id").first())

    executors = {m.authority_id: m.user for m in Membership.objects.select_related("user")
                 .filter(user__role=Role.EXECUTOR, user__is_active=True).order_by("-user_id")}
    return Context(settlements=settlements, subtopics=subtopics, texts=rows, source=source,
                   operator=one(Role.OPERATOR, "operator"),
                   supervisor=one(Role.SUPERVISOR, "supervisor"), executors=executors)


# --- planning (pure: the random generator and `now` decide everything) ---------------------------

def _weighted_days(start: dt.date, end: dt.date) -> tuple[list[dt.date], list[float]]:
    days, cumulative, total = [], [], 0.0
    day = start
    while day <= end:
        total += WEEKDAY_WEIGHT[day.weekday()] * MONTH_WEIGHT[day.month - 1]
        days.append(day)
        cumulative.append(total)
        day += dt.timedelta(days=1)
    return days, cumulative


def _choose(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _target(rng: random.Random, age_days: int, anonymous: bool) -> str:
    weights = next(w for bound, w in TARGETS_BY_AGE if age_days <= bound)
    if anonymous and age_days > 1 and rng.random() < 0.6:
        return NOT_CONSIDERED
    return str(_choose(rng, weights))


# The number of timed steps after registration each target plays.
STEP_COUNT = {REGISTERED: 0, NOT_CONSIDERED: 1, FORWARDED: 1, ASSIGNED: 1, IN_WORK: 2,
              EXTENDED: 3, ANSWERED: 3, AWAITING: 4, CLOSED: 5}


def _steps(rng: random.Random, received: dt.datetime, target: str, now: dt.datetime
           ) -> tuple[dt.datetime, ...]:
    """Registration a few minutes after receipt, then each step some hours or days later, all
    before now; a closed life fits within its 15 days mostly."""
    moments = [min(received + dt.timedelta(minutes=rng.randint(1, 40)), now)]
    budget = max((now - moments[0]).total_seconds(), 60.0)
    span = min(budget, 14 * 86400.0)
    count = STEP_COUNT[target]
    offsets = sorted(rng.uniform(0.02, 1.0) * span for _ in range(count))
    for offset in offsets:
        moments.append(moments[0] + dt.timedelta(seconds=offset))
    return tuple(moments)


def plan_appeals(*, count: int, context: Context, people: People, rng: random.Random,
                 now: dt.datetime, years: int = 3, until: dt.datetime | None = None
                 ) -> list[PlannedAppeal]:
    """`count` appeals received over `years` years up to `until` (now by default), oldest first."""
    return list(iter_plans(count=count, context=context, people=people, rng=rng, now=now,
                           years=years, until=until))


def iter_plans(*, count: int, context: Context, people: People, rng: random.Random,
               now: dt.datetime, years: int = 3, until: dt.datetime | None = None
               ) -> Iterator[PlannedAppeal]:
    """The plans of `plan_appeals` one by one, so that a million need not sit in memory: only
    the moments of receipt are drawn (and sorted) for all first."""
    until = min(until or now, now)
    local_until = timezone.localtime(until)
    start = local_until.date() - dt.timedelta(days=365 * years - 1)
    days, cumulative = _weighted_days(start, local_until.date())
    hours, hour_weights = list(HOUR_WEIGHT), list(HOUR_WEIGHT.values())
    settlements = context.settlements
    place_weights = [SETTLEMENT_WEIGHT.get(s.category, 1) for s in settlements]
    subtopic_codes = sorted({r.subtopic_code for r in context.texts})
    moments = []
    for _ in range(count):
        day = days[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])]
        when = dt.datetime.combine(day, dt.time(rng.choices(hours, weights=hour_weights)[0],
                                                rng.randrange(60), rng.randrange(60)),
                                   tzinfo=local_until.tzinfo)
        if when > until:
            when = until - dt.timedelta(minutes=rng.randint(1, 600))
        moments.append(when)
    moments.sort()
    with_applicant: list[int] = []
    for index, received in enumerate(moments):
        row = rng.choice(context.texts)
        codes: tuple[str, ...] = (row.subtopic_code,)
        if rng.random() < TWO_QUESTIONS:
            other = rng.choice(subtopic_codes)
            if other != row.subtopic_code:
                codes += (other,)
        place = rng.choices(settlements, weights=place_weights)[0]
        channel = str(_choose(rng, CHANNELS))
        applicant: ApplicantData | None = None
        repeat_of = None
        roll = rng.random()
        if roll >= 0.08:  # ~8% anonymous
            if with_applicant and rng.random() < REPEAT_APPLICANT:
                repeat_of = rng.choice(with_applicant[-REPEAT_WINDOW:])
            elif roll < 0.12:
                applicant = people.organisation(settlement=place)
            else:
                applicant = people.person(settlement=place, email=channel == Channel.EMAIL
                                          or rng.random() < 0.3)
        anonymous = applicant is None and repeat_of is None
        age = (local_until.date() - received.date()).days + (now - until).days
        target = _target(rng, age, anonymous)
        yield PlannedAppeal(
            received_at=received, text=row.text, subtopic_codes=codes, territory_code=place.code,
            channel=channel, kind=str(_choose(rng, KINDS)), applicant=applicant,
            repeat_of=repeat_of, target=target, result=str(_choose(rng, RESULTS)),
            rating=int(_choose(rng, RATINGS)), steps=_steps(rng, received, target, now),
            extension_days=rng.randint(5, 25), forward_to=rng.choice(FORWARD_TO),
        )
        if not anonymous:
            with_applicant.append(index)
            if len(with_applicant) > 2 * REPEAT_WINDOW:  # only the last ones write again
                del with_applicant[:-REPEAT_WINDOW]


# --- writing -----------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """What the JSON column gives back (as vikno.audit.services does before hashing)."""
    if value is None:
        return None
    try:
        return _plain_fast(value)
    except TypeError:  # anything but the plain types and dates: the JSON round trip
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


_SCALARS = (str, int, float, bool, type(None))


def _plain_fast(value: Any) -> Any:
    """The JSON round trip of DjangoJSONEncoder without the text, for what the events hold."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if isinstance(value, str):  # the text choices: their text, as the encoder writes them
        return str.__str__(value)
    if kind is dict and all(type(k) is str for k in value):
        return {k: _plain_fast(v) for k, v in value.items()}
    if kind in (list, tuple):
        return [_plain_fast(v) for v in value]
    if kind is dt.date:
        return value.isoformat()
    raise TypeError(kind)


class _Chain:
    """The audit events of one batch, chained from the head read under its row lock."""

    def __init__(self, head: AuditChainHead) -> None:
        self.seq, self.last_hash = head.last_seq, head.last_hash
        self.events: list[dict[str, Any]] = []  # the fields of each event, in order

    def add(self, *, at: dt.datetime, actor: Any, action: AuditAction, obj: models.Model,
            label: str | None = None, before: dict[str, Any] | None = None,
            after: dict[str, Any] | None = None) -> None:
        meta = obj._meta
        fields: dict[str, Any] = {
            "seq": self.seq + 1, "occurred_at": at,
            "actor_id": getattr(actor, "pk", None),
            "actor_username": getattr(actor, "username", "") or ("" if actor else "system"),
            "actor_role": getattr(actor, "role", "") or "",
            "action": AuditAction(action).value,
            "object_type": f"{meta.app_label}.{meta.model_name}", "object_id": str(obj.pk),
            "object_label": (label if label is not None else str(obj))[:200],
            "before": _plain(before), "after": _plain(after), "prev_hash": self.last_hash,
        }
        fields["hash"] = event_hash(fields)
        self.events.append(fields)
        self.seq, self.last_hash = fields["seq"], fields["hash"]


Rows = dict[type[models.Model], list[models.Model]]
Step = Callable[["_Chain", Rows], None]


@dataclass
class _Life:
    """One appeal's rows as they are built, and the steps that write its history and events."""

    plan: PlannedAppeal
    appeal: Appeal
    questions: list[Question] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    new_applicant: Applicant | None = None
    registration_due: dt.date | None = None
    steps: list[Step] = field(default_factory=list)


def _copying() -> bool:
    """PostgreSQL takes the rows by COPY (psycopg 3); other databases by INSERT."""
    return connection.vendor == "postgresql"


def _reserve_ids(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Give the rows their ids from the table's own sequence before COPY (which returns none)."""
    if not objs:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                       "FROM generate_series(1, %s)", [model._meta.db_table, len(objs)])
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk


Getter = Callable[[Any], Any]
_GETTERS: dict[tuple[type[models.Model], bool], tuple[list[str], list[Getter]]] = {}


def _getter(field: models.Field) -> Getter:  # type: ignore[type-arg]
    """The column's value of a row, as COPY's text takes it (no per-field preparation)."""
    attname, name = field.attname, field.name
    if field.is_relation:
        def related(obj: Any) -> Any:
            value = obj.__dict__[attname]
            if value is None:  # a row saved since the object was built (as bulk_create does)
                other = obj._state.fields_cache.get(name)
                value = None if other is None else other.pk
            return value
        return related
    if isinstance(field, models.JSONField):
        return lambda obj: None if (v := obj.__dict__[attname]) is None else json.dumps(v)
    return lambda obj: obj.__dict__[attname]


def _copy_rows(table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> None:
    quote = connection.ops.quote_name
    # Table and column names from the models, quoted; the values go as COPY data.
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _save(model: type[models.Model], objs: Sequence[models.Model], *, ids: bool) -> None:
    """Write the rows; with `ids`, each object gets its id (later rows refer to it)."""
    if not objs:
        return
    if not _copying():
        if ids:
            model._default_manager.bulk_create(objs)
        else:
            _insert(model, objs)
        return
    if ids:
        _reserve_ids(model, objs)
    if (model, ids) not in _GETTERS:
        fields = [f for f in model._meta.concrete_fields if ids or not f.primary_key]
        _GETTERS[model, ids] = ([f.column for f in fields], [_getter(f) for f in fields])
    columns, getters = _GETTERS[model, ids]
    _copy_rows(model._meta.db_table, columns,
               (tuple(get(obj) for get in getters) for obj in objs))


EVENT_COLUMNS = ("seq", "occurred_at", "actor_id", "actor_username", "actor_role", "action",
                 "object_type", "object_id", "object_label", "before", "after", "prev_hash",
                 "hash")


def _save_events(events: list[dict[str, Any]]) -> None:
    if not events:
        return
    if not _copying():
        _insert(AuditEvent, [AuditEvent(**fields) for fields in events])
        return
    json_columns = ("before", "after")

    def row(fields: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(None if (v := fields[c]) is None else json.dumps(v) if c in json_columns
                     else v for c in EVENT_COLUMNS)
    _copy_rows(AuditEvent._meta.db_table, EVENT_COLUMNS, (row(f) for f in events))


def _insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT rows nobody in the batch refers to by id, in one executemany: bulk_create's SQL
    compilation per row is most of its cost, the values are prepared by the fields alike."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    # Table and column names from the model, quoted; the values are parameters.
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
           f"({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    for obj in objs:  # the ids of related rows saved since (as bulk_create does)
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    values = [tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
              for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _applicant_row(data: ApplicantData, at: dt.datetime, territories: dict[str, Territory]
                   ) -> Applicant:
    return Applicant(
        kind=data.kind, last_name=data.last_name, first_name=data.first_name,
        patronymic=data.patronymic, organisation_name=data.organisation_name,
        address=data.address, territory=territories.get(data.territory_code), phone=data.phone,
        phone_digits=phone_normalise(data.phone), email=data.email.lower(), sex=data.sex,
        confidential=data.confidential, language=data.language, created_at=at, updated_at=at,
    )


def _numbers(plans: list[PlannedAppeal]) -> list[tuple[int, int, str]]:
    """(year, seq, number) for each plan, continuing the locked counters of their years."""
    prefix = settings.VIKNO["NUMBER_PREFIX"]
    years = sorted({clock.local_date(p.received_at).year for p in plans})
    for year in years:
        RegistrationCounter.objects.get_or_create(year=year)
    counters = {c.year: c for c in RegistrationCounter.objects.select_for_update()
                .filter(year__in=years).order_by("year")}
    out = []
    for plan in plans:
        counter = counters[clock.local_date(plan.received_at).year]
        counter.last += 1
        out.append((counter.year, counter.last, f"{prefix}-{counter.year}-{counter.last:06d}"))
    for counter in counters.values():
        RegistrationCounter.objects.filter(year=counter.year).update(last=counter.last)
    return out



# The terms of the law per day of receipt (pure; a million appeals fall on ~1 100 days).
@functools.cache
def _consideration_due(received_on: dt.date, needs_study: bool) -> dt.date:
    return deadlines.consideration_due(received_on, needs_study=needs_study)


_max_due = functools.cache(deadlines.max_due)
_forwarding_due = functools.cache(deadlines.forwarding_due)


def _term_done(term: RoutingTerm, action: str, at: dt.datetime) -> None:
    """The ст.7 step taken at `at`. A late step of the generated past was told to the supervisors
    back then (the hourly control does it once), so today's first control run does not tell of
    hundreds of old appeals again."""
    term.done_date, term.done_action = clock.local_date(at), action
    if term.done_date > term.due_date:
        term.escalated_at = at


def _life(plan: PlannedAppeal, number: tuple[int, int, str], person: Applicant | None,
          new: Applicant | None, context: Context, territories: dict[str, Territory]) -> _Life:
    year, seq, text_number = number
    registered = plan.steps[0]
    subtopics = [context.subtopics[c] for c in plan.subtopic_codes]
    received_on = clock.local_date(plan.received_at)
    not_considered = plan.target == NOT_CONSIDERED
    study = any(s.needs_study for s in subtopics)
    due = None if not_considered else _consideration_due(received_on, study)
    appeal = Appeal(
        number=text_number, year=year, seq=seq, channel=plan.channel, kind=plan.kind,
        subject=Subject.ANONYMOUS if person is None else Subject.INDIVIDUAL,
        appeal_type=AppealType.ORAL if plan.channel in ORAL_CHANNELS else AppealType.LETTER,
        applicant=person, received_at=plan.received_at, registered_at=registered,
        registered_by=context.operator, summary=" ".join(plan.text[:200].split()),
        text=plan.text, search_lemmas=fulltext.index_text(plan.text),
        territory=territories[plan.territory_code], needs_study=study,
        status=S.REGISTERED, status_changed_at=registered, due_date=due,
        max_due_date=None if not_considered else _max_due(received_on),
        created_at=registered, updated_at=registered,
    )
    life = _Life(plan=plan, appeal=appeal, new_applicant=new, registration_due=due)
    life.questions = [Question(appeal=appeal, subtopic=s, summary="", due_date=due,
                               created_at=registered, updated_at=registered) for s in subtopics]
    return life


def write_batch(plans: list[PlannedAppeal], *, context: Context,
                applicants: dict[int, Applicant | None], offset: int) -> int:
    """Write one batch in the caller's transaction; returns the number of audit events.
    `applicants`: the applicant of each earlier plan (by index), for repeat applicants."""
    territories = {s.code: s for s in context.settlements}
    op = context.operator
    numbers = _numbers(plans)  # the counters' locks first, then the chain head's (as registration)
    head = AuditChainHead.objects.select_for_update().filter(id=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(id=1)
        head = AuditChainHead.objects.select_for_update().get(id=1)
    chain = _Chain(head)

    lives: list[_Life] = []
    for index, (plan, number) in enumerate(zip(plans, numbers, strict=True)):
        new = None
        if plan.applicant is not None:
            new = _applicant_row(plan.applicant, plan.steps[0], territories)
            person: Applicant | None = new
        else:
            person = applicants.get(plan.repeat_of) if plan.repeat_of is not None else None
        applicants[offset + index] = person
        lives.append(_life(plan, number, person, new, context, territories))
    _save(Applicant, [life.new_applicant for life in lives if life.new_applicant], ids=True)
    # The final state of every row first (the plan decides it), then the inserts in the order
    # of the foreign keys, then the history and the events that name the rows' ids.
    rows: Rows = {}
    for life in lives:
        _script(life, context, rows)
    _save(Appeal, [life.appeal for life in lives], ids=True)
    _save(Question, [q for life in lives for q in life.questions], ids=True)
    _save(Assignment, [a for life in lives for a in life.assignments], ids=True)
    _save(Reply, rows.pop(Reply, []), ids=True)
    for model in (Extension, Feedback, RoutingTerm):
        _save(model, rows.pop(model, []), ids=False)
    for life in lives:
        if life.new_applicant is not None:
            a = life.new_applicant
            chain.add(at=life.plan.steps[0], actor=op, action=AuditAction.APPLICANT_CREATE, obj=a,
                      label=f"applicant #{a.pk}",
                      after={"personal_fields": [f for f in PERSONAL_FIELDS if getattr(a, f)],
                             "confidential": a.confidential, "category_id": a.category_id})
        # The card as registration recorded it: registered, with the registration's term.
        chain.add(at=life.plan.steps[0], actor=op, action=AuditAction.APPEAL_REGISTER,
                  obj=life.appeal,
                  after=snapshot(life.appeal, APPEAL_AUDIT_FIELDS) | {
                      "status": S.REGISTERED.value, "due_date": life.registration_due,
                      "not_considered_reason": "",
                      "questions": [q.subtopic.code for q in life.questions]})
        for step in life.steps:
            step(chain, rows)
    _save(Transition, rows.pop(Transition, []), ids=False)
    _save_events(chain.events)
    AuditChainHead.objects.filter(id=1).update(last_seq=chain.seq, last_hash=chain.last_hash)
    return len(chain.events)


def _script(life: _Life, context: Context, rows: Rows) -> None:
    """Play the planned life on the unsaved rows: set their final state, add the rows it
    creates to `rows`, and queue in `life.steps` the history lines and audit events, written
    once the rows have their ids. The moves are those of the transition tables, in order."""
    plan, appeal, steps = life.plan, life.appeal, life.steps
    op, sup = context.operator, context.supervisor
    moments = iter(plan.steps[1:])
    status = S.REGISTERED

    def executor(assignment: Assignment) -> Any:
        return context.executors.get(assignment.authority.pk, sup)

    def move(target: S, action: T, actor: Any, at: dt.datetime, message: str = "",
             params: dict[str, Any] | None = None) -> None:
        nonlocal status
        current = status
        appeal_transition_check(current, target)
        status = target
        appeal.status, appeal.status_changed_at, appeal.updated_at = target, at, at
        if target == S.CLOSED:
            appeal.closed_at = at
        note = {"message": message, "params": params_of(**(params or {}))} if message else {}

        def write(chain: _Chain, rows: Rows) -> None:
            rows.setdefault(Transition, []).append(Transition(
                appeal=appeal, by=actor, action=action, from_status=current, to_status=target,
                at=at, **note))
            chain.add(at=at, actor=actor, action=APPEAL_MOVE_EVENTS[action], obj=appeal,
                      before={"status": current.value},
                      after={"status": target.value, "note": note.get("message")})
        steps.append(write)

    def assignment_move(assignment: Assignment, target: A, action: AuditAction, actor: Any,
                        at: dt.datetime) -> None:
        current = A(assignment.status)
        assignment_transition_check(current, target)
        assignment.status, assignment.updated_at = target, at
        if target == A.IN_WORK and assignment.accepted_at is None:
            assignment.accepted_at = at

        def write(chain: _Chain, rows: Rows) -> None:
            chain.add(at=at, actor=actor, action=action, obj=assignment,
                      label=f"{appeal.number} → {assignment.authority.code}",
                      before={"status": current.value}, after={"status": target.value})
        steps.append(write)

    received_on = clock.local_date(plan.received_at)
    if plan.target == NOT_CONSIDERED:
        appeal.not_considered_reason = (NotConsideredReason.ANONYMOUS if appeal.applicant is None
                                        else NotConsideredReason.REPEATED)
        move(S.NOT_CONSIDERED, T.NOT_CONSIDERED, sup, next(moments))
        return
    # ст.7: the 5-day term to route or forward runs from receipt.
    term = RoutingTerm(appeal=appeal, start_date=received_on,
                       due_date=_forwarding_due(received_on))
    rows.setdefault(RoutingTerm, []).append(term)
    if plan.target == REGISTERED:
        return
    at = next(moments)
    if plan.target == FORWARDED:
        appeal.forwarded_to = plan.forward_to
        _term_done(term, T.FORWARD, at)
        move(S.FORWARDED, T.FORWARD, sup, at)
        return
    # Routing: one main executor per question, as the routing rules suggest.
    mains: dict[str, str] = {}
    for question in life.questions:
        authority = context.route(question.subtopic, appeal.territory)  # type: ignore[arg-type]
        mains[authority.code] = authority.name
        assignment = Assignment(question=question, authority=authority, role=AssignmentRole.MAIN,
                                due_date=cast(dt.date, question.due_date), assigned_by=op,
                                created_at=at,
                                updated_at=at)
        life.assignments.append(assignment)

        def created(chain: _Chain, rows: Rows, a: Assignment = assignment,
                    when: dt.datetime = at) -> None:
            chain.add(at=when, actor=op, action=AuditAction.ASSIGNMENT_CREATE, obj=a,
                      label=f"{appeal.number} → {a.authority.code}",
                      after={"authority": a.authority.code, "role": a.role,
                             "due_date": a.due_date})
        steps.append(created)
    _term_done(term, T.ASSIGN, at)
    move(S.ASSIGNED, T.ASSIGN, op, at, message="history.executors",
         params={"authorities": sorted(mains, key=lambda code: mains[code])})
    if plan.target == ASSIGNED:
        return
    at = next(moments)
    for assignment in life.assignments:
        assignment_move(assignment, A.IN_WORK, AuditAction.ASSIGNMENT_ACCEPT, executor(assignment),
                        at)
    move(S.IN_WORK, T.ACCEPT, executor(life.assignments[0]), at)
    if plan.target == EXTENDED:
        _extend(life, sup, next(moments), rows)
    if plan.target in (IN_WORK, EXTENDED):
        return
    at = next(moments)
    for assignment in life.assignments:
        who = executor(assignment)
        assignment_move(assignment, A.ANSWERED, AuditAction.ASSIGNMENT_REPLY, who, at)
        reply = Reply(assignment=assignment, result=plan.result, text=ANSWERS[plan.result],
                      answered_by=who, outgoing_number=f"{appeal.seq}/01-{appeal.year % 100}",
                      outgoing_date=clock.local_date(at), signatory_name="Марія Балога",
                      signatory_position="Керівник", created_at=at, updated_at=at)
        rows.setdefault(Reply, []).append(reply)

        def replied(chain: _Chain, rows: Rows, r: Reply = reply, who: Any = who,
                    when: dt.datetime = at) -> None:
            chain.add(at=when, actor=who, action=AuditAction.REPLY_SUBMIT, obj=r,
                      label=f"{appeal.number} ← {r.assignment.authority.code}",
                      after={"result": r.result, "assignment": r.assignment.pk,
                             "outgoing_number": r.outgoing_number, "outgoing_date": r.outgoing_date})
        steps.append(replied)
    move(S.ANSWERED, T.ANSWER, executor(life.assignments[0]), at)
    if plan.target == ANSWERED:
        return
    move(S.AWAITING_CONFIRMATION, T.ANSWER_ACCEPTED, sup, next(moments))
    if plan.target == AWAITING:
        return
    at = next(moments)
    feedback = Feedback(appeal=appeal, confirmed=True, rating=max(plan.rating, 3),
                        recorded_by=op, created_at=at, updated_at=at)
    rows.setdefault(Feedback, []).append(feedback)

    def fed(chain: _Chain, rows: Rows, when: dt.datetime = at) -> None:
        chain.add(at=when, actor=op, action=AuditAction.FEEDBACK_RECORD, obj=appeal,
                  after={"confirmed": True, "rating": feedback.rating})
    steps.append(fed)
    for assignment in life.assignments:
        assignment_move(assignment, A.CLOSED, AuditAction.ASSIGNMENT_CLOSE, op, at)
    move(S.CLOSED, T.CONFIRM, op, at, message="history.confirmed", params={"r": feedback.rating})


def _extend(life: _Life, actor: Any, at: dt.datetime, rows: Rows) -> None:
    """ст.20: the main executor's head extends the first question's term, within 45 days."""
    appeal, question = life.appeal, life.questions[0]
    old, cap = question.due_date, appeal.max_due_date
    if old is None or cap is None:
        return
    new = min(old + dt.timedelta(days=life.plan.extension_days), cap)
    if new <= old:
        return
    question.due_date = new
    for assignment in life.assignments:
        if assignment.question is question:
            assignment.due_date = new
    # Per-question control: the appeal's date is the latest of its questions'.
    appeal.due_date = max(q.due_date for q in life.questions if q.due_date)
    body = life.assignments[0].authority.name
    document = f"{appeal.seq}-р"
    rows.setdefault(Extension, []).append(Extension(
        appeal=appeal, question=question, requested_by=actor, reason=EXTENSION_REASON,
        old_due_date=old, new_due_date=new, status=ExtensionStatus.APPROVED, decided_by=actor,
        decided_at=at, decider_name="Іван Попович", decider_position="Заступник керівника",
        decider_body=body, document_number=document, document_date=clock.local_date(at),
        created_at=at, updated_at=at))

    def write(chain: _Chain, rows: Rows) -> None:
        chain.add(at=at, actor=actor, action=AuditAction.APPEAL_EXTEND, obj=appeal,
                  before={"due_date": old},
                  after={"due_date": new, "appeal_due_date": appeal.due_date,
                         "questions": [question.pk], "document_number": document,
                         "document_date": clock.local_date(at)})
        rows.setdefault(Transition, []).append(Transition(
            appeal=appeal, by=actor, action=T.EXTENDED, from_status=S.IN_WORK,
            to_status=S.IN_WORK, at=at, message="history.extended",
            params=params_of(old_date=old, date=new, note=EXTENSION_REASON,
                             decider_position="Заступник керівника", decider_body=body,
                             document=document)))
    life.steps.append(write)


def generate(*, count: int, seed: int, years: int = 3, base: Path | None = None,
             until: dt.datetime | None = None, batch: int = BATCH,
             progress: Callable[[int], None] | None = None) -> Report:
    """Generate `count` appeals (see the module's docstring). Works on SQLite and PostgreSQL."""
    started = time.monotonic()
    context = load_context(base or Path(settings.BASE_DIR))
    rng = random.Random(seed)
    people = People(base or Path(settings.BASE_DIR), rng, context.settlements)
    plans = iter_plans(count=count, context=context, people=people, rng=rng, now=clock.now(),
                       years=years, until=until)
    applicants: dict[int, Applicant | None] = {}
    report = Report()
    # A stream: plan a batch, write it, drop it.
    while chunk := list(itertools.islice(plans, batch)):
        with transaction.atomic():
            report.events += write_batch(chunk, context=context, applicants=applicants,
                                         offset=report.created)
        report.created += len(chunk)
        # Only recent applicants write again: forget the older ones (memory for millions).
        for index in [i for i in applicants if i < report.created - 2 * REPEAT_WINDOW]:
            del applicants[index]
        if progress is not None:
            progress(report.created)
    report.seconds = time.monotonic() - started
    return report


__all__ = ["PlannedAppeal", "Report", "generate", "plan_appeals"]
