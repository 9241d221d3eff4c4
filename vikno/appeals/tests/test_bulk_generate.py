"""manage.py generate_appeals and the bulk path of seed_demo (vikno.appeals.management.bulk)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Max, Min
from django.test import Client
from django.urls import reverse

from vikno.accounts.models import User
from vikno.appeals import services
from vikno.appeals.lifecycle import (
    APPEAL_TRANSITIONS,
    AppealStatus,
    AssignmentStatus,
    TransitionAction,
)
from vikno.appeals.management import bulk, bulk_store
from vikno.appeals.management.demo_sources import People
from vikno.appeals.models import (
    Appeal,
    Assignment,
    Channel,
    Question,
    RegistrationCounter,
    Reply,
    RoutingTerm,
    Transition,
)
from vikno.appeals.selectors_queue import executor_key_subquery
from vikno.appeals.services import AppealIntake, QuestionData
from vikno.audit.selectors import chain_verify
from vikno.core import clock
from vikno.directory.models import SubTopic, Territory, TerritoryLevel
from vikno.directory.routing import RuleBook, route

BASE = Path(settings.BASE_DIR)
S = AppealStatus
# The assignment statuses each appeal status allows for its main executors.
MAIN_STATUSES = {
    S.REGISTERED: set(), S.FORWARDED: set(), S.NOT_CONSIDERED: set(),
    S.ASSIGNED: {AssignmentStatus.ASSIGNED}, S.IN_WORK: {AssignmentStatus.IN_WORK},
    S.ANSWERED: {AssignmentStatus.ANSWERED}, S.AWAITING_CONFIRMATION: {AssignmentStatus.ANSWERED},
    S.CLOSED: {AssignmentStatus.CLOSED},
}


@pytest.fixture
def world(db):
    if not (BASE / "data" / "reference").is_dir() or "load_reference" not in get_commands():
        pytest.skip("needs the reference files in data/reference and `manage.py load_reference`")
    call_command("load_reference", stdout=io.StringIO())
    call_command("create_demo_accounts", allow_without_debug=True, stdout=io.StringIO())


def _generate(count: int, seed: int = 5) -> str:
    out = io.StringIO()
    call_command("generate_appeals", count=count, seed=seed, years=2, stdout=out)
    return out.getvalue()


def test_generated_appeals_keep_the_invariants_and_the_lifecycle(world):
    # when
    output = _generate(400)

    # then
    assert "400 appeals" in output and "appeals/s" in output
    appeals = list(Appeal.objects.all())
    assert len(appeals) == 400
    statuses = Counter(a.status for a in appeals)
    assert statuses[S.CLOSED] > 200 and len(statuses) >= 5
    assert chain_verify().broken is None
    # numbers: per year 1..n, the counter at n
    for year, last in RegistrationCounter.objects.values_list("year", "last"):
        seqs = sorted(a.seq for a in appeals if a.year == year)
        assert seqs == list(range(1, last + 1))
    assert all(a.number == f"{settings.VIKNO['NUMBER_PREFIX']}-{a.year}-{a.seq:06d}"
               for a in appeals)
    dues = {row["appeal"]: row["latest"] for row in
            Question.objects.values("appeal").annotate(latest=Max("due_date"))}
    mains = {}
    for assignment in Assignment.objects.select_related("question"):
        mains.setdefault(assignment.question.appeal_id, set()).add(assignment.status)
    for appeal in appeals:
        # per-question control within the cap of ст.20
        assert appeal.due_date == dues[appeal.pk]
        if appeal.due_date is not None:
            assert appeal.due_date <= appeal.max_due_date
        assert mains.get(appeal.pk, set()) == MAIN_STATUSES[S(appeal.status)] or (
            appeal.status == S.REGISTERED and not mains.get(appeal.pk))
        assert (appeal.closed_at is not None) == (appeal.status == S.CLOSED)
        # the history walks the transition table from "registered" to the status
        current = S.REGISTERED
        for line in appeal.transitions.order_by("at", "id"):
            if line.from_status != line.to_status:
                assert line.from_status == current
                assert S(line.to_status) in APPEAL_TRANSITIONS[current]
                current = S(line.to_status)
        assert current == appeal.status
    # the kept sort key of the executor is what the assignments say (executor_key_of)
    keys = dict(Appeal.objects.annotate(key=executor_key_subquery()).values_list("pk", "key"))
    assert sum(1 for k in keys.values() if k) > 300
    assert all(a.executor_key == keys[a.pk] for a in appeals)
    # closed appeals were answered and rated; some terms were extended
    closed = Appeal.objects.filter(status=S.CLOSED).first()
    assert closed is not None and closed.feedback.get().rating >= 3
    assert Reply.objects.filter(assignment__question__appeal=closed).exists()
    assert Transition.objects.filter(action=TransitionAction.EXTENDED).count() == \
        Appeal.objects.filter(extensions__isnull=False).count()
    # repeat applicants
    assert Appeal.objects.values("applicant").annotate(n=Max("id")).count() < 400


def test_a_registration_after_generation_takes_the_next_number(world):
    # given
    _generate(120)
    year = clock.today().year
    before = RegistrationCounter.objects.filter(year=year).values_list("last", flat=True).first() or 0
    operator = User.objects.get(username="operator")

    # when
    appeal = services.appeal_register(actor=operator, intake=AppealIntake(
        channel=Channel.HOTLINE, text="Немає світла на вулиці",
        questions=[QuestionData(subtopic_code=Question.objects.first().subtopic.code)],
        territory_code=Appeal.objects.first().territory_id, applicant=None,
        subject="5.3"))

    # then no gap, no duplicate, and the chain stays intact
    assert (appeal.year, appeal.seq) == (year, before + 1)
    assert Appeal.objects.filter(number=appeal.number).count() == 1
    assert chain_verify().broken is None


@pytest.mark.postgres
def test_generation_and_the_next_registration_on_postgresql(postgres_only, world):
    test_a_registration_after_generation_takes_the_next_number(world)


def test_the_plans_are_the_same_for_a_seed(world):
    context = bulk.load_context(BASE)
    now = clock.now()

    def plans(seed: int) -> list[bulk.PlannedAppeal]:
        rng = random.Random(seed)
        return bulk.plan_appeals(count=60, context=context, rng=rng, now=now,
                                 people=People(BASE, rng, context.settlements))

    assert plans(3) == plans(3)
    assert plans(3) != plans(4)


def test_the_pages_answer_over_generated_data(world):
    # given
    _generate(150)
    client = Client()
    client.force_login(User.objects.get(username="supervisor"))
    number = Appeal.objects.filter(status=S.CLOSED).values_list("number", flat=True).first()

    # then
    for url in (reverse("workspace:queue"), reverse("workspace:dashboard"),
                reverse("workspace:appeal_card", args=[number])):
        assert client.get(url).status_code == 200, url


def test_seed_demo_generates_the_older_history_in_bulk(world):
    # when
    out = io.StringIO()
    call_command("seed_demo", count=10, history=60, seed=3, stdout=out)

    # then sixty older appeals, then ten through the services, numbers in order of receipt
    assert Appeal.objects.count() == 70
    assert chain_verify().broken is None
    ordered = list(Appeal.objects.order_by("year", "seq").values_list("received_at", flat=True))
    assert ordered == sorted(ordered)


def test_texts_come_from_the_full_corpus_beside_the_project_when_present(tmp_path):
    # given a project whose ../shared holds a corpus: one mapped topic, one not
    project = tmp_path / "vikno"
    (project / "data" / "reference").mkdir(parents=True)
    (project / "data" / "reference" / "kyiv1551_topic_map.csv").write_text(
        "kyiv_topic,subtopic_code\nВідсутність ГВП,009.010\n", encoding="utf-8")
    corpus = tmp_path / bulk.SHARED_CORPUS
    corpus.parent.mkdir(parents=True)
    with gzip.open(corpus, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "received", "topic", "status", "lang", "text"])
        writer.writerow(["1", "2014-01-02 10:00:00", "Відсутність ГВП", "Виконано", "uk",
                         "Немає гарячої\x00 води"])
        writer.writerow(["2", "2014-01-02 11:00:00", "Інше", "Виконано", "uk", "Інше питання"])

    # when
    rows, source = bulk.texts_for(project)

    # then the mapped text, without what cannot be stored; without the corpus, the demo sample
    assert [(r.text, r.subtopic_code) for r in rows] == [("Немає гарячої води", "009.010")]
    assert source == str(corpus)
    assert bulk.texts_for(BASE)[1] != str(corpus)


def test_the_rulebook_routes_as_the_routing_rules_do(world):
    # given the real rulebook, a sample of sub-topics and settlements
    rng = random.Random(1)
    subtopics = list(SubTopic.objects.filter(is_active=True))
    settlements = list(Territory.objects.filter(level=TerritoryLevel.SETTLEMENT))
    book = RuleBook()

    # then the same executor as route() for each pair
    for _ in range(300):
        subtopic, place = rng.choice(subtopics), rng.choice(settlements)
        assert book.route(subtopic, place) == route(subtopic, place), (subtopic.code, place.code)


def test_generate_appeals_refuses_with_debug_off(world, settings):
    # given a production-like instance
    settings.DEBUG = False
    settings.TESTING = False

    # then nothing is generated unless insisted on
    with pytest.raises(CommandError, match="DEBUG"):
        _generate(5)
    assert not Appeal.objects.exists()
    call_command("generate_appeals", count=5, allow_without_debug=True, stdout=io.StringIO())
    assert Appeal.objects.count() == 5


def test_the_first_control_run_does_not_retell_the_generated_past(world):
    # given three years of generated appeals, some of them routed late back then
    _generate(400)
    late = RoutingTerm.objects.filter(done_date__gt=F("due_date"))
    assert late.exists()
    started = clock.now()

    # when the deadline control runs for the first time
    services.deadline_control()

    # then the late steps of the past were told back then, none of them again today
    assert not late.filter(escalated_at__isnull=True).exists()
    assert not late.filter(escalated_at__gte=started).exists()


def test_batches_stream_and_repeat_applicants_reach_back_across_them(world):
    # when written in small batches (each planned, written and dropped in turn)
    out = io.StringIO()
    call_command("generate_appeals", count=300, seed=7, years=1, batch=40, stdout=out)

    # then the same invariants: numbers without gaps, the chain intact, applicants of earlier
    # batches written to again
    assert Appeal.objects.count() == 300
    assert chain_verify().broken is None
    for year, last in RegistrationCounter.objects.values_list("year", "last"):
        assert sorted(Appeal.objects.filter(year=year).values_list("seq", flat=True)) == \
            list(range(1, last + 1))
    firsts = dict(Appeal.objects.exclude(applicant=None).values("applicant")
                  .annotate(first=Min("id")).values_list("applicant", "first"))
    ordered = list(Appeal.objects.exclude(applicant=None).order_by("id")
                   .values_list("applicant", "id"))
    reaching_back = [pk for applicant, pk in ordered if pk - firsts[applicant] >= 40]
    assert reaching_back


def test_plain_values_of_events_are_those_of_the_json_round_trip():
    # given what events hold: dates, text choices, lists, nested dicts
    value = {"due_date": clock.today(), "status": AppealStatus.CLOSED, "questions": ["001.001"],
             "n": 3, "ok": True, "none": None, "nested": {"d": [clock.today()]},
             "at": clock.now()}

    # then the fast path gives what the JSON column would give back
    assert bulk_store._plain(value) == json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    assert bulk_store._plain({1: "x"}) == {"1": "x"}
