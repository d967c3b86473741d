"""What the reports endpoint accepts."""

from rest_framework import serializers

from chat.serializers import BIGINT_MAX
from moderation.models import REPORT_REASON_MAX_LENGTH


class ReportCreateSerializer(serializers.Serializer[None]):
    user = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)
    message = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX, required=False, allow_null=True)
    reason = serializers.CharField(max_length=REPORT_REASON_MAX_LENGTH, trim_whitespace=True)
