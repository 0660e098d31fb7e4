from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from carecircle.core.api import check_candidate
from carecircle.funds.forms import receiving_areas
from carecircle.funds.models import LotteryAllocation


class ReceivingAreaField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return receiving_areas(getattr(request, "user", None))


class LotteryAllocationSerializer(serializers.ModelSerializer):
    area = ReceivingAreaField(help_text=_("接收区划代码：市本级6位或镇（街道）9位"))
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = LotteryAllocation
        fields = [
            "uuid",
            "year",
            "allocated_on",
            "area",
            "area_name",
            "project",
            "purpose",
            "amount",
            "doc_no",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["uuid", "created_at", "updated_at"]
        validators: list = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        check_candidate(LotteryAllocation, self.instance, attrs, clean=True)
        return attrs
