"""API endpoints: the same scope, permissions and FilterSets as the HTML pages (R1, R2).

Reads follow each model's ``for_user``; writes are narrower: population facts and estates only
for the lowest-level units of the caller's own subtree, areas only inside that subtree.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers as drf_serializers
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from carecircle.areas import services
from carecircle.areas.api import serializers
from carecircle.areas.filters import AreaFilter, PopulationFactFilter, ResidentialAreaFilter
from carecircle.areas.models import Area, PopulationFact, ResidentialArea
from carecircle.core.api import ScopedViewSetMixin

# Records keep their history: nothing is deleted through the API.
READ_AND_EDIT = ["get", "put", "patch", "head", "options"]
READ_WRITE = ["get", "post", "put", "patch", "head", "options"]


class ListFilterMixin:
    """FilterSets narrow lists only: a detail URL finds its object whatever the list defaults
    (e.g. an abolished area, hidden from the default list, still has its page)."""

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


@extend_schema_view(
    list=extend_schema(summary="区划列表（统计用区划代码）"),
    retrieve=extend_schema(summary="按区划代码查看区划"),
    update=extend_schema(summary="修改区划的描述信息（坐标、边界、城乡、停用日期）"),
    partial_update=extend_schema(summary="修改区划的描述信息（部分字段）"),
)
class AreaViewSet(ListFilterMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """Division codes are public reference data: every scoped user reads the whole tree.
    Descriptive fields may be corrected (``areas.change_area``) inside the caller's subtree."""

    queryset = Area.objects.all()
    serializer_class = serializers.AreaSerializer
    filterset_class = AreaFilter
    lookup_field = "code"
    select_related = ("parent",)
    http_method_names = READ_AND_EDIT

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.method in SAFE_METHODS:
            return queryset
        scope = self.request.user.scope_area
        return queryset.subtree(scope) if scope is not None else queryset.none()

    @extend_schema(
        summary="区划人口（由村、社区数据逐级汇总）",
        parameters=[
            OpenApiParameter(
                "year", OpenApiTypes.INT, description="只返回该年份；缺省时返回所有年份"
            )
        ],
        responses=serializers.PopulationRollupSerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="population",
        filter_backends=[],
        pagination_class=None,
    )
    def population(self, request, code=None):
        area = self.get_object()
        year = request.query_params.get("year")
        if year not in (None, ""):
            try:
                year = int(year)
            except ValueError as exc:
                raise drf_serializers.ValidationError({"year": [_("年份应为整数")]}) from exc
        else:
            year = None
        rows = services.yearly_rollup(area, year)
        return Response(serializers.PopulationRollupSerializer(rows, many=True).data)


class PopulationFactViewSet(ListFilterMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """Population facts of villages and communities; written only for the caller's own."""

    queryset = PopulationFact.objects.all()
    serializer_class = serializers.PopulationFactSerializer
    filterset_class = PopulationFactFilter
    select_related = ("area",)
    http_method_names = READ_WRITE

    def get_queryset(self):
        if self.request.method in SAFE_METHODS:
            return super().get_queryset()
        return services.writable_facts(self.request.user).select_related("area")


class ResidentialAreaViewSet(ListFilterMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    """Residential estates with their service-room allocation against the norms."""

    queryset = ResidentialArea.objects.all()
    serializer_class = serializers.ResidentialAreaSerializer
    filterset_class = ResidentialAreaFilter
    lookup_field = "uuid"
    select_related = ("area",)
    http_method_names = READ_WRITE
