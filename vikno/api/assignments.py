"""An executor key's assignments: list them, accept one, answer it, return it as not in
competence. Another authority's assignment is "not found" and nothing changes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from vikno.api.base import (
    IDEMPOTENCY_HEADER,
    LIST_ERRORS,
    WRITE_ERRORS,
    ApiView,
    cursor_page,
    once,
)
from vikno.appeals.access import ACCEPT, REPLY, assignment_get_for
from vikno.appeals.lifecycle import AssignmentStatus
from vikno.appeals.models import Assignment, ReplyResult
from vikno.appeals.selectors_partner import partner_assignments
from vikno.appeals.services import assignment_accept, reply_submit

ANSWER_RESULTS = [(value, label) for value, label in ReplyResult.choices
                  if value != ReplyResult.NOT_IN_COMPETENCE]


class AssignmentCursor(CursorPagination):
    ordering = "-id"
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class AssignmentItem(serializers.Serializer):
    id = serializers.IntegerField()
    appeal_number = serializers.CharField(source="question.appeal.number")
    subtopic_code = serializers.CharField(source="question.subtopic.code")
    role = serializers.CharField()
    status = serializers.ChoiceField(AssignmentStatus.choices)
    due_date = serializers.DateField()
    instructions = serializers.CharField()


class AssignmentState(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(AssignmentStatus.choices)
    appeal_number = serializers.CharField()
    appeal_status = serializers.CharField()


def _state(assignment: Assignment) -> dict[str, Any]:
    assignment.refresh_from_db(fields=["status"])
    appeal = assignment.question.appeal
    appeal.refresh_from_db(fields=["status"])
    return dict(AssignmentState({"id": assignment.pk, "status": assignment.status,
                                 "appeal_number": appeal.number,
                                 "appeal_status": appeal.status}).data)


class AssignmentListView(ApiView):
    class Filters(serializers.Serializer):
        status = serializers.MultipleChoiceField(choices=AssignmentStatus.choices, required=False)

    @extend_schema(operation_id="assignment_list", summary="The key's authority's assignments",
                   parameters=[Filters],
                   responses={200: cursor_page("AssignmentPage", AssignmentItem), **LIST_ERRORS})
    def get(self, request: Request) -> Response:
        filters = self.Filters(data={"status": request.query_params.getlist("status")})
        filters.is_valid(raise_exception=True)
        qs = partner_assignments(user=request.user,
                                 statuses=sorted(filters.validated_data.get("status") or []))
        paginator = AssignmentCursor()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(AssignmentItem(page, many=True).data)


class AssignmentAcceptView(ApiView):
    @extend_schema(operation_id="assignment_accept", summary="Take the assignment into work",
                   request=None, responses={200: AssignmentState, **WRITE_ERRORS},
                   parameters=[IDEMPOTENCY_HEADER])
    def post(self, request: Request, pk: int) -> Response:
        def run() -> tuple[int, Any]:
            assignment = assignment_get_for(user=request.user, pk=pk, action=ACCEPT)
            assignment_accept(actor=request.user, assignment=assignment)
            return 200, _state(assignment)
        return once(request, run)


class AnswerInput(serializers.Serializer):
    result = serializers.ChoiceField(ANSWER_RESULTS)
    text = serializers.CharField(max_length=20_000)
    outgoing_number = serializers.CharField(max_length=64, required=False, default="",
                                            allow_blank=True)
    outgoing_date = serializers.DateField(required=False, allow_null=True, default=None)
    signatory_name = serializers.CharField(max_length=200, required=False, default="",
                                           allow_blank=True)
    signatory_position = serializers.CharField(max_length=200, required=False, default="",
                                               allow_blank=True)
    refusal_reasons = serializers.CharField(required=False, default="", allow_blank=True)
    legal_basis = serializers.CharField(required=False, default="", allow_blank=True)
    appeal_procedure = serializers.CharField(required=False, default="", allow_blank=True)


class AssignmentAnswerView(ApiView):
    @extend_schema(operation_id="assignment_answer", summary="Answer the assignment (the main "
                   "executor's answer is the body's letter: number, date, signatory; a refusal "
                   "states reasons, legal basis and how to appeal it)",
                   request=AnswerInput, responses={200: AssignmentState, **WRITE_ERRORS},
                   parameters=[IDEMPOTENCY_HEADER])
    def post(self, request: Request, pk: int) -> Response:
        serializer = AnswerInput(data=request.data)
        serializer.is_valid(raise_exception=True)

        def run() -> tuple[int, Any]:
            assignment = assignment_get_for(user=request.user, pk=pk, action=REPLY)
            reply_submit(actor=request.user, assignment=assignment, **serializer.validated_data)
            return 200, _state(assignment)
        return once(request, run)


class ReturnInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text="Why the question is not in this "
                                                              "body's competence.")


class AssignmentReturnView(ApiView):
    @extend_schema(operation_id="assignment_return", summary="Return the assignment to the "
                   "centre as not in competence", request=ReturnInput,
                   responses={200: AssignmentState, **WRITE_ERRORS}, parameters=[IDEMPOTENCY_HEADER])
    def post(self, request: Request, pk: int) -> Response:
        serializer = ReturnInput(data=request.data)
        serializer.is_valid(raise_exception=True)

        def run() -> tuple[int, Any]:
            assignment = assignment_get_for(user=request.user, pk=pk, action=REPLY)
            reply_submit(actor=request.user, assignment=assignment,
                         result=ReplyResult.NOT_IN_COMPETENCE,
                         text=serializer.validated_data["reason"])
            return 200, _state(assignment)
        return once(request, run)
