from __future__ import annotations

from rest_framework import viewsets

from carecircle.core.api import ScopedViewSetMixin
from carecircle.funds.api.serializers import LotteryAllocationSerializer
from carecircle.funds.filters import LotteryAllocationFilter
from carecircle.funds.models import LotteryAllocation


class LotteryAllocationViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Welfare-lottery fund allocations of the caller's area subtree."""

    queryset = LotteryAllocation.objects.all()
    serializer_class = LotteryAllocationSerializer
    filterset_class = LotteryAllocationFilter
    lookup_field = "uuid"
    select_related = ("area",)
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
