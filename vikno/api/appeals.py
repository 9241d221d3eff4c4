"""Appeals: register one, list those the key sees, read one, read its history."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from vikno.api.base import (
    IDEMPOTENCY_HEADER,
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    ApiView,
    cursor_page,
)
from vikno.appeals import selectors
from vikno.appeals.access import appeal_get_for
from vikno.appeals.intake import MAX_TEXT_LENGTH, AppealIntake, ApplicantData, QuestionData
from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import Appeal, ApplicantKind, Channel, Kind
from vikno.appeals.models.applicants import Language
from vikno.appeals.selectors_partner import partner_appeals
from vikno.appeals.services import appeal_register
from vikno.directory.geo import hromada_code_at

# The registrations of one key and one Idempotency-Key are one appeal (appeal_register).
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1c8f0e-3b8a-4f53-9d0e-2a4c1b7e5d90")
MAX_ATTACHMENTS = 10


class AppealCursor(CursorPagination):
    ordering = "-id"
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class ApplicantSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(ApplicantKind.choices, default=ApplicantKind.PERSON)
    last_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    first_name = serializers.CharField(max_length=150, required=False, default="",
                                       allow_blank=True)
    patronymic = serializers.CharField(max_length=150, required=False, default="",
                                       allow_blank=True)
    organisation_name = serializers.CharField(max_length=300, required=False, default="",
                                              allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    territory_code = serializers.CharField(max_length=32, required=False, default="",
                                           allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, default="", allow_blank=True)
    confidential = serializers.BooleanField(default=False)
    language = serializers.ChoiceField(Language.choices, default=Language.UK)


class QuestionSerializer(serializers.Serializer):
    subtopic_code = serializers.CharField(max_length=32)
    summary = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class AttachmentSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    content_base64 = serializers.CharField(help_text="The file's bytes in base64.")
    content_type = serializers.CharField(max_length=100, required=False, default="",
                                         allow_blank=True)

    def validate_content_base64(self, value: str) -> bytes:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError(_("Not valid base64.")) from None


class RegisterInput(serializers.Serializer):
    kind = serializers.ChoiceField(Kind.choices, default=Kind.APPLICATION)
    text = serializers.CharField(max_length=MAX_TEXT_LENGTH, trim_whitespace=False)
    summary = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    applicant = ApplicantSerializer(required=False, allow_null=True, default=None,
                                    help_text="Absent or null: an anonymous appeal.")
    questions = QuestionSerializer(many=True, allow_empty=False,  # type: ignore[call-arg]
                                   max_length=20)
    territory_code = serializers.CharField(max_length=32, required=False, default="",
                                           allow_blank=True)
    location = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                   default=None, min_value=-90, max_value=90)
    lon = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True,
                                   default=None, min_value=-180, max_value=180)
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    contested_authority_code = serializers.CharField(max_length=32, required=False, default="",
                                                     allow_blank=True)
    contested_decision_on = serializers.DateField(required=False, allow_null=True, default=None)
    decision_learned_on = serializers.DateField(required=False, allow_null=True, default=None)
    attachments = AttachmentSerializer(many=True, required=False,  # type: ignore[call-arg]
                                       default=list, max_length=MAX_ATTACHMENTS)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs["lat"] is None) != (attrs["lon"] is None):
            raise serializers.ValidationError({"lon": _("Give both latitude and longitude.")})
        return attrs


class MultipartRegisterInput(serializers.Serializer):
    # DRF moves declared fields off the class, so `data` does not hide Serializer.data.
    data = serializers.CharField(  # type: ignore[assignment]
        help_text="The registration as JSON (the JSON body's fields).")
    attachments = serializers.ListField(child=serializers.FileField(), required=False)


class RegisterOutput(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(AppealStatus.choices)
    received_at = serializers.DateTimeField()
    due_date = serializers.DateField(allow_null=True, help_text="The control date.")
    max_due_date = serializers.DateField(allow_null=True)


def _intake(data: dict[str, Any], *, files: list[Any], token: uuid.UUID | None) -> AppealIntake:
    applicant = data["applicant"]
    territory = data["territory_code"]
    if not territory and data["lat"] is not None:
        territory = hromada_code_at(data["lat"], data["lon"]) or ""
    attachments = [(a["name"], a["content_base64"], a["content_type"])
                   for a in data["attachments"]]
    attachments += [(f.name, f, getattr(f, "content_type", "") or "") for f in files]
    return AppealIntake(
        channel=Channel.API, text=data["text"], summary=data["summary"], kind=data["kind"],
        questions=[QuestionData(subtopic_code=q["subtopic_code"], summary=q["summary"])
                   for q in data["questions"]],
        applicant=ApplicantData(**applicant) if applicant else None,
        received_at=data["received_at"], territory_code=territory, location=data["location"],
        lat=data["lat"], lon=data["lon"],
        contested_authority_code=data["contested_authority_code"],
        contested_decision_on=data["contested_decision_on"],
        decision_learned_on=data["decision_learned_on"],
        idempotency_key=token, attachments=attachments)


class AppealRegisterView(ApiView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="appeal_register", summary="Register an appeal",
        request={"application/json": RegisterInput,
                 "multipart/form-data": MultipartRegisterInput},
        responses={201: RegisterOutput, **WRITE_ERRORS}, parameters=[IDEMPOTENCY_HEADER])
    def post(self, request: Request) -> Response:
        files: list[Any] = []
        payload: Any = request.data
        if request.content_type.startswith("multipart/"):
            form = MultipartRegisterInput(data=request.data)
            form.is_valid(raise_exception=True)
            try:
                payload = json.loads(form.validated_data["data"])
            except ValueError:
                raise serializers.ValidationError({"data": _("Not valid JSON.")}) from None
            files = request.FILES.getlist("attachments")
            if len(files) > MAX_ATTACHMENTS:
                raise serializers.ValidationError(
                    {"attachments": _("At most %(n)d files.") % {"n": MAX_ATTACHMENTS}})
        serializer = RegisterInput(data=payload)
        serializer.is_valid(raise_exception=True)
        header = request.headers.get("Idempotency-Key")
        token = (uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{request.auth.pk}:{header}")
                 if header is not None else None)
        appeal = appeal_register(actor=request.user,
                                 intake=_intake(serializer.validated_data, files=files, token=token))
        body = RegisterOutput(appeal).data
        return Response(body, status=201,
                        headers={"Location": reverse("api:appeal", args=[appeal.number])})


class AppealListItem(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(AppealStatus.choices)
    kind = serializers.ChoiceField(Kind.choices)
    channel = serializers.ChoiceField(Channel.choices)
    received_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    due_date = serializers.DateField(allow_null=True)
    summary = serializers.CharField()


class AppealListView(ApiView):
    class Filters(serializers.Serializer):
        status = serializers.MultipleChoiceField(choices=AppealStatus.choices, required=False)
        received_from = serializers.DateField(required=False)
        received_to = serializers.DateField(required=False)
        updated_since = serializers.DateTimeField(required=False)

    @extend_schema(operation_id="appeal_list", summary="Appeals this key sees, newest first",
                   parameters=[Filters],
                   responses={200: cursor_page("AppealPage", AppealListItem), **LIST_ERRORS})
    def get(self, request: Request) -> Response:
        filters = self.Filters(data={**request.query_params.dict(),
                                     "status": request.query_params.getlist("status")})
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        qs = partner_appeals(user=request.user, statuses=sorted(data.get("status") or []),
                             received_from=data.get("received_from"),
                             received_to=data.get("received_to"),
                             updated_since=data.get("updated_since"))
        paginator = AppealCursor()
        page = paginator.paginate_queryset(
            qs.only("number", "status", "kind", "channel", "received_at", "updated_at",
                    "due_date", "summary"), request, view=self)
        return paginator.get_paginated_response(AppealListItem(page, many=True).data)


class PersonOutput(serializers.Serializer):
    kind = serializers.CharField()
    last_name = serializers.CharField()
    first_name = serializers.CharField()
    patronymic = serializers.CharField()
    organisation_name = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class AssignmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    authority_code = serializers.CharField(source="authority.code")
    authority_name = serializers.CharField(source="authority.name")
    role = serializers.CharField()
    status = serializers.CharField()
    due_date = serializers.DateField()


class AnswerOutput(serializers.Serializer):
    authority_code = serializers.CharField(source="assignment.authority.code")
    result = serializers.CharField()
    text = serializers.CharField()
    outgoing_number = serializers.CharField()
    outgoing_date = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()


class ExtensionOutput(serializers.Serializer):
    old_due_date = serializers.DateField()
    new_due_date = serializers.DateField()
    status = serializers.CharField()


class QuestionOutput(serializers.Serializer):
    subtopic_code = serializers.CharField()
    subtopic_name = serializers.CharField()
    summary = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    assignments = AssignmentOutput(many=True)


class AppealDetailOutput(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(AppealStatus.choices)
    kind = serializers.ChoiceField(Kind.choices)
    channel = serializers.ChoiceField(Channel.choices)
    received_at = serializers.DateTimeField()
    registered_at = serializers.DateTimeField()
    due_date = serializers.DateField(allow_null=True)
    max_due_date = serializers.DateField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    summary = serializers.CharField()
    text = serializers.CharField()
    territory_code = serializers.CharField(allow_null=True)
    location = serializers.CharField()
    forwarded_to = serializers.CharField()
    not_considered_reason = serializers.CharField()
    answer_number = serializers.CharField()
    answer_date = serializers.DateField(allow_null=True)
    applicant = PersonOutput(allow_null=True,
                             help_text="Null for an anonymous appeal, or when this key may not "
                                       "see the applicant (ст.10).")
    questions = QuestionOutput(many=True)
    extensions = ExtensionOutput(many=True)
    answers = AnswerOutput(many=True)


def _detail(*, user: Any, appeal: Appeal) -> dict[str, Any]:
    people = selectors.appeal_personal_data(user=user, appeal=appeal)
    assignments = list(selectors.appeal_assignments(appeal=appeal))
    questions = []
    for question in appeal.questions.select_related("subtopic").order_by("pk"):
        questions.append({
            "subtopic_code": question.subtopic.code, "subtopic_name": question.subtopic.name,
            "summary": question.summary, "due_date": question.due_date,
            "assignments": [a for a in assignments if a.question_id == question.pk]})
    answers = [reply for a in assignments for reply in a.replies.all()]
    for reply in answers:
        reply.assignment = next(a for a in assignments if a.pk == reply.assignment_id)
    return AppealDetailOutput({
        **{name: getattr(appeal, name) for name in (
            "number", "status", "kind", "channel", "received_at", "registered_at", "due_date",
            "max_due_date", "closed_at", "summary", "text", "location", "forwarded_to",
            "not_considered_reason", "answer_number", "answer_date")},
        "territory_code": appeal.territory.code if appeal.territory else None,
        "applicant": people.applicant if people.visible else None,
        "questions": questions,
        "extensions": list(appeal.extensions.order_by("pk")),
        "answers": answers,
    }).data


class AppealDetailView(ApiView):
    @extend_schema(operation_id="appeal_read", summary="One appeal: state, questions, control "
                   "dates, forwarding, extensions, answers",
                   responses={200: AppealDetailOutput, **READ_ERRORS})
    def get(self, request: Request, number: str) -> Response:
        appeal = appeal_get_for(user=request.user, number=number)
        return Response(_detail(user=request.user, appeal=appeal))


class HistoryItem(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()


class AppealHistoryView(ApiView):
    @extend_schema(operation_id="appeal_history", summary="The appeal's history (who acted is "
                   "not shown)", responses={200: inline_serializer(
                       "AppealHistory", {"number": serializers.CharField(),
                                         "history": HistoryItem(many=True)}),
                                   **READ_ERRORS})
    def get(self, request: Request, number: str) -> Response:
        appeal = appeal_get_for(user=request.user, number=number)
        history = HistoryItem(selectors.appeal_timeline(appeal=appeal), many=True).data
        return Response({"number": appeal.number, "history": history})


class AppealCollectionView(AppealRegisterView, AppealListView):
    """/api/v1/appeals/: GET lists (AppealListView), POST registers (AppealRegisterView)."""
