"""The change feed: what changed in the appeals this key sees, in the order it was committed."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from vikno.api.base import LIST_ERRORS, ApiView
from vikno.appeals.selectors_partner import FEED_LIMIT, appeal_changes_for


class ChangeItem(serializers.Serializer):
    seq = serializers.IntegerField(help_text="The change's place in the audit trail.")
    at = serializers.DateTimeField()
    action = serializers.CharField(help_text="What changed, e.g. appeal.assign, appeal.answer.")
    number = serializers.CharField(help_text="The appeal's number.")


class ChangesOutput(serializers.Serializer):
    changes = ChangeItem(many=True)
    next_cursor = serializers.CharField(help_text="Pass it as `cursor` on the next call.")
    has_more = serializers.BooleanField(help_text="False: you are up to date; call again later "
                                                  "with `next_cursor`.")


class ChangeFeedView(ApiView):
    class Filters(serializers.Serializer):
        cursor = serializers.IntegerField(required=False, default=0, min_value=0,
                                          max_value=2**62,
                                          help_text="`next_cursor` of the previous call; 0 or "
                                                    "absent: from the beginning.")
        limit = serializers.IntegerField(required=False, default=FEED_LIMIT, min_value=1,
                                         max_value=FEED_LIMIT)

    @extend_schema(operation_id="change_feed", summary="Changes of the appeals this key sees",
                   parameters=[Filters], responses={200: ChangesOutput, **LIST_ERRORS})
    def get(self, request: Request) -> Response:
        filters = self.Filters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = appeal_changes_for(user=request.user, after=filters.validated_data["cursor"],
                                  limit=filters.validated_data["limit"])
        return Response(ChangesOutput({"changes": page.changes, "next_cursor": str(page.cursor),
                                       "has_more": page.more}).data)
