"""manage.py seed_demo [--count 300] [--history 3000] [--seed 1551] [--force]

Fills an empty instance with demo appeals for the local demonstration: texts from the curated
1551 sample (or a short built-in list), invented applicants in the region's settlements. First
the older history (`--history`, three years before the last 120 days) is generated in bulk
(vikno.appeals.management.bulk, ADR 0022); then the appeals of the last 120 days (`--count`) are
driven through the real services by the demo accounts to a realistic mix of statuses. Does
nothing but print the demo accounts when appeals already exist, unless --force.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from vikno.accounts.models import User
from vikno.accounts.roles import Role
from vikno.appeals import selectors, services
from vikno.appeals.management import bulk_run
from vikno.appeals.management.demo_flow import (
    Actors,
    Driver,
    Plan,
    age_in_days,
    choose_rating,
    choose_target,
    result_for,
)
from vikno.appeals.management.demo_sources import (
    WINDOW_DAYS,
    People,
    SourceText,
    read_texts,
    spread_dates,
)
from vikno.appeals.models import Appeal, Channel
from vikno.appeals.services import ApplicantData
from vikno.core import clock
from vikno.core.errors import ApplicationError
from vikno.directory.models import Axis, ClassifierItem, Membership, SubTopic, Territory, TerritoryLevel

BATCH = 250
# Every demo appeal lives its whole life through the services (~80 ms each on SQLite, most of it
# the services' own queries and the audit chain): 300 keep a fresh `make run` under 90 s on a
# shared 2-core machine and still show most statuses; `--count 3000` gives the busier picture.
DEFAULT_COUNT = 300
# The years before them come in bulk (~300 appeals/s on SQLite): the busier picture of a centre.
DEFAULT_HISTORY = 3000
HISTORY_YEARS = 3
CHANNELS = {Channel.HOTLINE: 45, Channel.WEB: 22, Channel.EMAIL: 10, Channel.POST: 8,
            Channel.PERSONAL: 5, Channel.GCC: 6, Channel.OTHER_BODY: 2, Channel.MEDIA: 1,
            Channel.AUTHORISED: 1}
# Bigger places write more: a town counts as many villages.
SETTLEMENT_WEIGHT = {"M": 12, "X": 4}
SOCIAL_STATUS_WEIGHT = {"8.1": 30, "8.2": 15, "8.4": 10, "8.7": 6, "8.8": 6, "8.9": 4, "8.11": 10}
FALLBACK_AUTHORITY = "ZAK-ODA"


class Command(BaseCommand):
    help = "Create demo appeals (for the local demonstration only) when there are none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=DEFAULT_COUNT,
                            help=f"how many appeals ({DEFAULT_COUNT})")
        parser.add_argument("--history", type=int, default=DEFAULT_HISTORY,
                            help=f"older appeals generated in bulk ({DEFAULT_HISTORY})")
        parser.add_argument("--seed", type=int, default=1551, help="random seed (1551)")
        parser.add_argument("--force", action="store_true",
                            help="add appeals even though some already exist")
        parser.add_argument("--allow-without-debug", action="store_true",
                            help="run even though DEBUG is off (demo accounts have a public password)")

    def handle(self, *args: Any, **options: Any) -> None:
        existing = Appeal.objects.count()
        if existing and not options["force"]:
            accounts = self._demo_accounts(options["allow_without_debug"])
            self.stdout.write(f"{existing} appeals exist already: no demo appeals added "
                              "(--force adds more).")
            self.stdout.write(accounts)
            return
        if not (Territory.objects.filter(level=TerritoryLevel.SETTLEMENT).exists()
                and SubTopic.objects.filter(is_active=True).exists()):
            raise CommandError("No reference data: run `manage.py load_reference` first.")
        # Accounts after the rulebook: the demo executor is bound to an authority loaded with it.
        accounts = self._demo_accounts(options["allow_without_debug"])
        if options["history"] > 0:
            self._history(count=options["history"], seed=options["seed"])
        self.stdout.write(f"Registering {options['count']} demo appeals through the services "
                          "(routing, deadlines, audit trail); under a minute for the default count.")
        started = time.monotonic()
        made, skipped = self._seed(count=options["count"], seed=options["seed"])
        elapsed = time.monotonic() - started
        report = services.deadline_control()
        services.counts_rebuild()  # the services kept them; a rebuild ends the seed on the truth
        self.stdout.write(f"Demo appeals: {made} created in {elapsed:.1f} s"
                          + (f", {sum(skipped.values())} skipped {dict(skipped)}" if skipped else "")
                          + f"; reminders {report.reminded}, escalations {report.escalated}.")
        counts = {k: v for k, v in selectors.status_counts().items() if v}
        self.stdout.write("By status: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        self.stdout.write(accounts)

    def _history(self, *, count: int, seed: int) -> None:
        """The older years in bulk, before the service-driven recent appeals: numbers then run
        in the order of receipt within each year."""
        until = clock.now() - dt.timedelta(days=WINDOW_DAYS)
        self.stdout.write(f"Generating {count} older demo appeals in bulk "
                          f"({HISTORY_YEARS} years before the last {WINDOW_DAYS} days).")
        report = bulk_run.generate(count=count, seed=seed, years=HISTORY_YEARS, until=until)
        self.stdout.write(f"  {report.created} appeals in {report.seconds:.1f} s.")

    def _demo_accounts(self, allow_without_debug: bool) -> str:
        """Make sure the demo accounts exist; return their table to print at the end."""
        if not (settings.DEBUG or getattr(settings, "TESTING", False) or allow_without_debug):
            raise CommandError("Demo data is for the local demonstration; refusing with DEBUG off "
                               "(pass --allow-without-debug to insist).")
        if "create_demo_accounts" not in get_commands():
            # Seeding needs only active operator, supervisor (and executor) accounts to exist.
            return "(create_demo_accounts is not available: the existing accounts are used)"
        out = io.StringIO()
        call_command("create_demo_accounts", allow_without_debug=True, stdout=out, stderr=out)
        return out.getvalue().rstrip()

    def _actors(self) -> Actors:
        def one(role: Role, username: str) -> Any:
            user = (User.objects.filter(username=username, role=role, is_active=True).first()
                    or User.objects.filter(role=role, is_active=True).order_by("id").first())
            if user is None:
                raise CommandError(f"No active {role} account: run create_demo_accounts first.")
            return user

        executors = {m.authority_id: m.user for m in Membership.objects.select_related("user")
                     .filter(user__role=Role.EXECUTOR, user__is_active=True).order_by("-user_id")}
        return Actors(operator=one(Role.OPERATOR, "operator"),
                      supervisor=one(Role.SUPERVISOR, "supervisor"), executors=executors)

    def _seed(self, *, count: int, seed: int) -> tuple[int, Counter[str]]:
        base = Path(settings.BASE_DIR)
        rng = random.Random(seed)
        settlements = list(Territory.objects.filter(level=TerritoryLevel.SETTLEMENT).order_by("code"))
        subtopics = set(SubTopic.objects.filter(is_active=True).values_list("code", flat=True))
        actors = self._actors()
        rows, source = read_texts(base)
        rows = [r for r in rows if r.subtopic_code in subtopics]
        if not rows:
            raise CommandError(f"No text in {source} has a sub-topic of the loaded classifier.")
        people = People(base, rng, settlements)
        plans = sorted(self._plans(rows, count, rng, people, settlements, actors),
                       key=lambda p: p.received_at)
        driver = Driver(actors, rng, FALLBACK_AUTHORITY)
        made, skipped = 0, Counter[str]()
        for start in range(0, len(plans), BATCH):
            # One transaction per batch keeps SQLite fast; a savepoint per appeal lets one refusal
            # skip that appeal only.
            with transaction.atomic():
                for plan in plans[start:start + BATCH]:
                    try:
                        with transaction.atomic():
                            driver.run(plan)
                        made += 1
                    except ApplicationError as exc:
                        skipped[exc.code] += 1
            self.stdout.write(f"  … {min(start + BATCH, len(plans))} of {len(plans)} appeals")
            self.stdout.flush()
        self.stdout.write(f"Texts from {source}.")
        return made, skipped

    def _plans(self, rows: list[SourceText], count: int, rng: random.Random, people: People,
               settlements: list[Any], actors: Actors) -> list[Plan]:
        now = clock.now()
        weights = [SETTLEMENT_WEIGHT.get(s.category, 1) for s in settlements]
        # The demo executor's own hromada gets a share, so its queue is worth looking at.
        home = self._home_settlements(actors, settlements)
        privileged = list(ClassifierItem.objects.filter(axis=Axis.CATEGORY, is_privileged=True)
                          .values_list("code", flat=True))
        statuses = set(ClassifierItem.objects.filter(axis=Axis.SOCIAL_STATUS)
                       .values_list("code", flat=True))
        social = {code: w for code, w in SOCIAL_STATUS_WEIGHT.items() if code in statuses}
        plans = []
        for row, received in spread_dates(rows, count=count, now=now, rng=rng):
            place = (rng.choice(home) if home and rng.random() < 0.15
                     else rng.choices(settlements, weights=weights)[0])
            channel = rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0]
            roll = rng.random()
            applicant: ApplicantData | None = None
            cosigners: tuple[ApplicantData, ...] = ()
            if roll >= 0.10:  # ~10% anonymous
                lives = place if rng.random() < 0.85 else rng.choices(settlements, weights=weights)[0]
                if roll < 0.15:  # ~5% organisations
                    applicant = people.organisation(settlement=lives)
                else:
                    applicant = people.person(
                        settlement=lives,
                        category_code=rng.choice(privileged) if privileged and rng.random() < 0.08
                        else "",
                        social_status_code=rng.choices(list(social), weights=list(social.values()))[0]
                        if social and rng.random() < 0.7 else "",
                        email=channel == Channel.EMAIL or rng.random() < 0.3,
                        confidential=rng.random() < 0.02,
                    )
                    if rng.random() < 0.02:  # a few collective appeals
                        cosigners = tuple(people.person(settlement=lives)
                                          for _ in range(rng.randint(1, 3)))
            target = choose_target(rng, age_days=age_in_days(received), anonymous=applicant is None)
            plans.append(Plan(
                received_at=received, text=row.text, subtopic_code=row.subtopic_code,
                channel=channel, applicant=applicant, cosigners=cosigners,
                territory_code=place.code, target=target, result=result_for(row.status, rng),
                rating=choose_rating(rng),
                co_executor=FALLBACK_AUTHORITY if rng.random() < 0.04 else "",
                returned_first=rng.random() < 0.04,
            ))
        return plans

    def _home_settlements(self, actors: Actors, settlements: list[Any]) -> list[Any]:
        homes = [user.membership.authority.territory for user in actors.executors.values()
                 if user.membership.authority.territory_id]
        paths = tuple(t.path + "/" for t in homes)
        return [s for s in settlements if paths and s.path.startswith(paths)]
