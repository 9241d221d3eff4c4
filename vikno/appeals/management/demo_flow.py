"""Driving demo appeals through the real services to a realistic mix of statuses.

The age of an appeal decides how far its life has got: yesterday's are registered or in work,
last month's mostly closed with a rating. Every step is a real service call by a demo account, so
the history, notices, notifications and the audit trail are what the running system would write.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from vikno.appeals import services
from vikno.appeals.lifecycle import ACTIVE_ASSIGNMENT_STATUSES, AppealStatus
from vikno.appeals.models import (
    Appeal,
    Assignment,
    AssignmentRole,
    Channel,
    NotConsideredReason,
    ReplyResult,
    Subject,
)
from vikno.appeals.services import AppealIntake, ApplicantData, QuestionData, Routing
from vikno.core import clock

# How far an appeal has got, by its age in days: (upper age bound, {target: weight}).
TARGETS_BY_AGE: tuple[tuple[int, dict[str, float]], ...] = (
    (1, {"registered": 30, "assigned": 45, "in_work": 25}),
    (7, {"registered": 3, "assigned": 20, "in_work": 35, "answered": 12, "awaiting": 10,
         "closed": 8, "forwarded": 5, "not_considered": 2, "returned_missing": 3,
         "extension_requested": 2}),
    (15, {"assigned": 4, "in_work": 18, "answered": 8, "awaiting": 15, "closed": 38, "revision": 6,
          "forwarded": 3, "not_considered": 2, "returned_missing": 2, "extension_requested": 3,
          "extended": 3}),
    # Past the 15-day term: what is still open is overdue, unless extended; keep it a few.
    (10_000, {"assigned": 0.2, "in_work": 0.6, "answered": 1.5, "awaiting": 5, "closed": 78,
              "closed_by_supervisor": 3, "revision": 2, "forwarded": 3, "not_considered": 1.5,
              "returned_missing": 2, "extended": 2}),
)
# The plans that end before routing: the appeals that stay in these statuses, and the one
# returned for missing content.
UNROUTED_TARGETS = frozenset({AppealStatus.REGISTERED, AppealStatus.FORWARDED,
                              AppealStatus.NOT_CONSIDERED, "returned_missing"})
RATINGS = {5: 50, 4: 28, 3: 14}
FORWARD_TO = (
    "Головне управління Пенсійного фонду України в Закарпатській області",
    "Головне управління ДПС у Закарпатській області",
    "Головне управління Національної поліції в Закарпатській області",
    "Закарпатська митниця",
    "Міністерство охорони здоров'я України",
    "АТ «Укрпошта»",
)
CLOSE_NOTES = ("Заявник не відповідає на дзвінки протягом 5 днів",
               "Питання вирішено, підтверджено виконавцем з фотофіксацією")
MISSING_NOTES = ("Не зазначено місце проживання заявника", "Не викладено суть порушеного питання")


@dataclass
class Actors:
    operator: Any
    supervisor: Any
    # Executors working in Vikno, by authority id. Answers of other authorities arrive by letter
    # or e-mail and are recorded by the supervisor.
    executors: dict[int, Any] = field(default_factory=dict)

    def executor_for(self, assignment: Assignment) -> Any:
        return self.executors.get(assignment.authority_id, self.supervisor)


@dataclass(frozen=True)
class Plan:
    received_at: dt.datetime
    text: str
    subtopic_code: str
    channel: str
    applicant: ApplicantData | None
    cosigners: tuple[ApplicantData, ...]
    territory_code: str
    target: str
    result: str
    rating: int
    co_executor: str = ""
    returned_first: bool = False  # the first executor says "not in competence"


def choose_target(rng: random.Random, *, age_days: int, anonymous: bool) -> str:
    weights = next(w for bound, w in TARGETS_BY_AGE if age_days <= bound)
    if anonymous and age_days > 1 and rng.random() < 0.6:
        return "not_considered"
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def result_for(status_hint: str, rng: random.Random) -> str:
    """The kind of answer, following the appeal's real outcome in the corpus where it tells one."""
    hint = status_hint.lower()
    if "фінансування" in hint or "заплановано" in hint:
        return ReplyResult.IMPOSSIBLE_NOW
    if "роз" in hint:
        return ReplyResult.EXPLAINED
    if "виконано" in hint:
        return ReplyResult.DONE
    return ReplyResult.DONE if rng.random() < 0.6 else ReplyResult.EXPLAINED


def choose_rating(rng: random.Random) -> int:
    return rng.choices(list(RATINGS), weights=list(RATINGS.values()))[0]


class ReplayedServices:
    """The services, each call made at a moment of the appeal's own history: registration minutes
    after receipt, every later step hours or days after the one before, never past now. So the
    demo's history, control dates and audit trail read like real work, not like one busy night."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.moment = clock.now()

    def start(self, received_at: dt.datetime) -> None:
        self.moment = received_at

    def _advance(self, first: bool) -> dt.datetime:
        step = (dt.timedelta(minutes=self.rng.randint(2, 40)) if first
                else dt.timedelta(hours=self.rng.randint(2, 72)))
        self.moment = min(self.moment + step, clock.now())
        return self.moment

    def __getattr__(self, name: str) -> Any:
        service = getattr(services, name)

        def timed(**kwargs: Any) -> Any:
            with clock.as_of(self._advance(first=name == "appeal_register")):
                return service(**kwargs)

        return timed


class Driver:
    """Runs one plan through the self.svc."""

    def __init__(self, actors: Actors, rng: random.Random, fallback_authority: str) -> None:
        self.actors = actors
        self.rng = rng
        self.fallback_authority = fallback_authority
        self.svc = ReplayedServices(rng)

    def run(self, plan: Plan) -> Appeal:
        a = self.actors
        routed = plan.target not in UNROUTED_TARGETS
        self.svc.start(plan.received_at)
        routing = (Routing(co_authority_codes=(plan.co_executor,) if plan.co_executor else ())
                   if routed else None)
        appeal = self.svc.appeal_register(
            actor=None if plan.channel == Channel.WEB else a.operator, routing=routing,
            intake=AppealIntake(
                channel=plan.channel, text=plan.text, questions=[QuestionData(plan.subtopic_code)],
                applicant=plan.applicant, cosigners=plan.cosigners, received_at=plan.received_at,
                subject=None if plan.applicant else Subject.ANONYMOUS,
                territory_code=plan.territory_code,
            ),
        )
        if appeal.status == AppealStatus.NOT_CONSIDERED:
            # An anonymous letter is not considered from the door on (ст.8): nothing more to play.
            return appeal
        step = getattr(self, f"_to_{plan.target}")
        step(appeal, plan)
        return appeal

    # --- the centre's decisions at the door ---------------------------------------------------

    def _to_registered(self, appeal: Appeal, plan: Plan) -> None:
        return None

    def _to_forwarded(self, appeal: Appeal, plan: Plan) -> None:
        self.svc.appeal_forward(actor=self.actors.supervisor, appeal=appeal,
                                to_body=self.rng.choice(FORWARD_TO), note="ст.7 Закону")

    def _to_not_considered(self, appeal: Appeal, plan: Plan) -> None:
        reason = (NotConsideredReason.ANONYMOUS if appeal.applicant_id is None
                  else NotConsideredReason.REPEATED)
        self.svc.appeal_not_considered(actor=self.actors.supervisor, appeal=appeal, reason=reason)

    def _to_returned_missing(self, appeal: Appeal, plan: Plan) -> None:
        self.svc.appeal_return_missing_content(actor=self.actors.supervisor, appeal=appeal,
                                               note=self.rng.choice(MISSING_NOTES))

    # --- the executors' work ------------------------------------------------------------------

    def _assignments(self, appeal: Appeal) -> list[Assignment]:
        """The appeal's assignments in force, main first. Services re-read and lock what they
        are given by its id, so light instances (id, authority, role) are enough here."""
        rows = (Assignment.objects.filter(question__appeal=appeal,
                                          status__in=ACTIVE_ASSIGNMENT_STATUSES)
                .order_by("role", "id").values_list("pk", "authority_id", "role"))
        return [Assignment(pk=pk, authority_id=authority_id, role=role)
                for pk, authority_id, role in rows]

    def _main(self, appeal: Appeal) -> Assignment:
        return next(x for x in self._assignments(appeal) if x.role == AssignmentRole.MAIN)

    def _to_assigned(self, appeal: Appeal, plan: Plan) -> None:
        if plan.returned_first:
            main = self._main(appeal)
            self.svc.reply_submit(actor=self.actors.executor_for(main), assignment=main,
                                  result=ReplyResult.NOT_IN_COMPETENCE,
                                  text="Питання не належить до повноважень нашого органу.")
            self.svc.appeal_assign(actor=self.actors.supervisor, appeal=appeal,
                                   routing=Routing(main_authority_code=self.fallback_authority))

    def _to_in_work(self, appeal: Appeal, plan: Plan) -> None:
        self._to_assigned(appeal, plan)
        main = self._main(appeal)
        self.svc.assignment_accept(actor=self.actors.executor_for(main), assignment=main)

    def _to_extension_requested(self, appeal: Appeal, plan: Plan) -> None:
        self._to_in_work(appeal, plan)
        main = self._main(appeal)
        self.svc.extension_request(actor=self.actors.executor_for(main), assignment=main,
                                   new_due=self._longer(appeal),
                                   reason="Потрібне комісійне обстеження на місці")

    def _to_extended(self, appeal: Appeal, plan: Plan) -> None:
        self._to_in_work(appeal, plan)
        body = self._main(appeal).authority.name
        self.svc.appeal_extend(actor=self.actors.supervisor, appeal=appeal,
                               new_due=self._longer(appeal),
                               reason="Потрібні додаткові роботи та погодження",
                               decider=services.Decider(
                                   name="Іван Попович", position="Заступник керівника", body=body,
                                   document_number=f"{appeal.seq}-р",
                                   # The replayed clock runs only inside service calls.
                                   document_date=clock.local_date(plan.received_at)))

    def _longer(self, appeal: Appeal) -> dt.date:
        appeal.refresh_from_db(fields=["due_date", "max_due_date"])
        # An appeal in work always has its term (only a not-considered one has none).
        due, cap = appeal.due_date or clock.today(), appeal.max_due_date or clock.today()
        span = (cap - due).days
        return due + dt.timedelta(days=self.rng.randint(max(1, span // 2), span))

    def _to_answered(self, appeal: Appeal, plan: Plan) -> None:
        # Half the executors take the assignment into work first; the others answer at once
        # (the answer takes it into work by itself).
        if self.rng.random() < 0.5:
            self._to_in_work(appeal, plan)
        else:
            self._to_assigned(appeal, plan)
        for assignment in reversed(self._assignments(appeal)):  # co-executors first, then main
            result = plan.result if assignment.role == AssignmentRole.MAIN else ReplyResult.DONE
            self.svc.reply_submit(actor=self.actors.executor_for(assignment), assignment=assignment,
                                  result=result, text=ANSWERS[result],
                                  outgoing_number=f"{assignment.pk}/01-24",
                                  outgoing_date=clock.local_date(plan.received_at),
                                  signatory_name="Марія Балога",
                                  signatory_position="Керівник")

    def _to_awaiting(self, appeal: Appeal, plan: Plan) -> None:
        self._to_answered(appeal, plan)
        self.svc.answer_review(actor=self.actors.supervisor, appeal=appeal, accept=True)

    def _to_closed(self, appeal: Appeal, plan: Plan) -> None:
        # Often the call-back to the applicant comes before the centre's review of the answer.
        if self.rng.random() < 0.6:
            self._to_awaiting(appeal, plan)
        else:
            self._to_answered(appeal, plan)
        self.svc.feedback_record(actor=self.actors.operator, appeal=appeal, confirmed=True,
                                 rating=plan.rating)

    def _to_closed_by_supervisor(self, appeal: Appeal, plan: Plan) -> None:
        self._to_awaiting(appeal, plan)
        self.svc.appeal_close(actor=self.actors.supervisor, appeal=appeal,
                              note=self.rng.choice(CLOSE_NOTES))

    def _to_revision(self, appeal: Appeal, plan: Plan) -> None:
        self._to_awaiting(appeal, plan)
        if self.rng.random() < 0.5:
            self.svc.feedback_record(actor=self.actors.operator, appeal=appeal, confirmed=False,
                                     rating=None, comment="Проблему не усунено")
        else:
            self.svc.feedback_record(actor=self.actors.operator, appeal=appeal, confirmed=True,
                                     rating=self.rng.choice((1, 2)))


ANSWERS: dict[str, str] = {
    ReplyResult.DONE: "Роботи виконано. Заявника повідомлено телефоном.",
    ReplyResult.EXPLAINED: "Заявнику надано роз'яснення щодо порядку вирішення питання.",
    ReplyResult.IMPOSSIBLE_NOW: "Роботи включено до плану на наступний рік за наявності "
                                "фінансування.",
}


def age_in_days(received_at: dt.datetime) -> int:
    return (clock.today() - clock.local_date(received_at)).days
