"""The planning side of the bulk generator: what each generated appeal is and how far its life
got, drawn from one random generator (a seed gives the same appeals), and the reference data and
texts it draws from. Pure: no writes."""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import gzip
import itertools
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from vikno.accounts.models import User
from vikno.accounts.roles import Role
from vikno.appeals.intake import clean_text
from vikno.appeals.lifecycle import (
    AppealStatus,
    AssignmentStatus,
    TransitionAction,
)
from vikno.appeals.management.demo_sources import People, SourceText, read_texts
from vikno.appeals.models import (
    Channel,
    Kind,
    ReplyResult,
)
from vikno.appeals.services import ApplicantData
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


class Weighted:
    """`rng.choices(population, weights=weights)[0]` with the cumulative weights summed once:
    the same draw from the same generator (one `random()`, the same bisection), without the
    per-call sums (a few hundred settlements)."""

    def __init__(self, population: Sequence[Any], weights: Sequence[float]) -> None:
        if len(population) != len(weights) or not population:
            raise ValueError("one weight per member, at least one member")
        self.population = list(population)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1] + 0.0
        self.hi = len(self.population) - 1

    def __call__(self, rng: random.Random) -> Any:
        return self.population[bisect.bisect(self.cumulative, rng.random() * self.total, 0,
                                             self.hi)]


# The tables drawn from, each with its sums (the table is kept: its id is not reused).
_WEIGHTED: dict[int, tuple[Mapping[Any, float], Weighted]] = {}


def _choose(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    """rng.choices(list(weights), weights=list(weights.values()))[0], the sums kept per table
    (the constant tables of this module; a table must not change once drawn from)."""
    found = _WEIGHTED.get(id(weights))
    if found is None or found[0] is not weights:
        found = _WEIGHTED[id(weights)] = (weights, Weighted(list(weights), list(weights.values())))
    return found[1](rng)


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
    hour = Weighted(list(HOUR_WEIGHT), list(HOUR_WEIGHT.values()))
    settlements = context.settlements
    place_of = Weighted(settlements, [SETTLEMENT_WEIGHT.get(s.category, 1) for s in settlements])
    subtopic_codes = sorted({r.subtopic_code for r in context.texts})
    moments = []
    for _ in range(count):
        day = days[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])]
        when = dt.datetime.combine(day, dt.time(hour(rng),
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
        place = place_of(rng)
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
