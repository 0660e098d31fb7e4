"""Indicator endpoints: catalogue, targets, values, drill-down, gap lists and DHIS2 exchange.

Everything starts from the caller's scope: values through ``IndicatorValue.objects.for_user``,
areas through ``queries.area_for_user`` (404 outside the caller's subtree), the records behind a
value through the registry's own scoped queryset and view permission. People and staff appear by
masked name only.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from carecircle.core.api import CappedPagination, ScopedViewSetMixin
from carecircle.indicators import exchange, queries, records
from carecircle.indicators.api import serializers
from carecircle.indicators.api.filters import IndicatorFilter, IndicatorValueFilter, TargetFilter
from carecircle.indicators.models import Indicator, IndicatorValue, Target
from carecircle.indicators.periods import Period, PeriodError, parse, window

PARTS = ("numerator", "denominator")


def has_perms(*perms: str) -> type[permissions.BasePermission]:
    class HasPerms(permissions.BasePermission):
        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(perms))

    HasPerms.__name__ = "Has_" + "_".join(p.replace(".", "_") for p in perms)
    return HasPerms


CanViewValues = has_perms("indicators.view_indicatorvalue")
CanExportValues = has_perms("indicators.view_indicatorvalue", "core.export_data")
CanReportValues = has_perms("indicators.report_value")


class _DocumentRenderer(BaseRenderer):
    """Passes a prepared document through; errors (dicts) come out as JSON."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | str):
            return data
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


class DataValueSetRenderer(_DocumentRenderer):
    media_type = "application/json"
    format = "dhis2-json"


class AdxRenderer(_DocumentRenderer):
    media_type = "application/adx+xml"
    format = "adx"


class AdxParser(BaseParser):
    """An ADX document, handed over as bytes."""

    media_type = "application/adx+xml"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read()


class XmlParser(AdxParser):
    media_type = "application/xml"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


AREA_PARAM = OpenApiParameter(
    "area", str, description=gettext_lazy("区划代码，须在本人管辖范围内（默认：本人管辖区划）")
)
PERIOD_PARAM = OpenApiParameter(
    "period", str, description=gettext_lazy("期间，DHIS2 写法：2025、2025Q1、202503（默认：本年）")
)


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """The indicator catalogue, and per indicator the records behind a value and the gap list."""

    queryset = Indicator.objects.all()
    serializer_class = serializers.IndicatorSerializer
    filterset_class = IndicatorFilter
    lookup_field = "code"

    def get_queryset(self):
        # Indicators are about areas: a user without one (institution staff) sees none.
        if getattr(self.request.user, "scope_area_id", None) is None:
            return Indicator.objects.none()
        return Indicator.objects.order_by("code")

    # Area and period of the query string, in the caller's scope.

    def _area(self):
        code = (self.request.query_params.get("area") or "").strip()
        return queries.area_for_user(self.request.user, code or self.request.user.scope_area.code)

    def _period(self) -> Period:
        code = (self.request.query_params.get("period") or "").strip()
        if not code:
            code = str(timezone.localdate().year)
        try:
            return parse(code)
        except PeriodError as exc:
            raise ValidationError({"period": [str(exc)]}) from exc

    @staticmethod
    def _record_meta(indicator, area, period: Period, **extra) -> dict:
        """What a page of records is about: the indicator, area and period, then ``extra``."""
        return {"indicator": indicator.code, "area": area.code, "period": period.code, **extra}

    def _record_page(self, request, qs, area_lookup: str, period: Period, meta: dict):
        """A page of records as the drill-down pages list them (masked names, scoped rows)."""
        if not request.user.has_perm(records.view_permission(qs.model)):
            raise PermissionDenied(_("您无权查看该类记录"))
        on = window(period).on
        visible, spec = records.prepared(records.for_user(qs, request.user), on)
        if area_lookup == "pk":
            code_of = _area_code_self
        else:
            visible = visible.annotate(cc_area_code=F(f"{area_lookup}__code"))
            code_of = _area_code_annotated
        paginator = CappedPagination()
        page = paginator.paginate_queryset(visible, request, view=self)
        columns = spec.columns(on)
        results = [
            {
                "id": _public_id(obj),
                "area": code_of(obj),
                "values": [_cell(column.value(obj)) for column in columns],
            }
            for obj in page
        ]
        return Response(
            {
                **meta,
                "model": qs.model._meta.label,
                "columns": [str(c.header) for c in columns],
                "count": paginator.page.paginator.count,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": results,
            }
        )

    @extend_schema(
        parameters=[
            AREA_PARAM,
            PERIOD_PARAM,
            OpenApiParameter("part", str, enum=list(PARTS), description=gettext_lazy("分子或分母")),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: serializers.RecordPageSerializer},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="records",
        permission_classes=[CanViewValues],
        filter_backends=[],
        pagination_class=None,
    )
    def records(self, request, code=None):
        """The records counted in the numerator or denominator of the indicator's value."""
        indicator = self.get_object()
        area, period = self._area(), self._period()
        part = request.query_params.get("part") or "numerator"
        if part not in PARTS:
            raise ValidationError({"part": [_("应为 numerator 或 denominator")]})
        result = queries.drilldown(indicator, area, period, part)
        if result is None:
            raise Http404
        measure, qs = result
        meta = self._record_meta(indicator, area, period, part=part, label=str(measure.label))
        return self._record_page(request, qs, measure.area, period, meta)

    @extend_schema(
        parameters=[
            AREA_PARAM,
            PERIOD_PARAM,
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: serializers.RecordPageSerializer},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="gap",
        permission_classes=[CanViewValues],
        filter_backends=[],
        pagination_class=None,
    )
    def gap(self, request, code=None):
        """The records that must change for the target to be met (the field worklist)."""
        indicator = self.get_object()
        area, period = self._area(), self._period()
        result = queries.gap(indicator, area, period)
        if result is None:
            raise Http404
        rule, qs = result
        meta = self._record_meta(indicator, area, period, label=str(rule.label))
        return self._record_page(request, qs, rule.area, period, meta)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=list(exchange.FORMATS),
                description=gettext_lazy("dhis2-json（默认）或 adx"),
            ),
            PERIOD_PARAM,
            AREA_PARAM,
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                serializers.DATA_VALUE_SET_SCHEMA, description=gettext_lazy("DHIS2 dataValueSets")
            ),
            (200, "application/adx+xml"): OpenApiResponse(
                OpenApiTypes.STR, description=gettext_lazy("ADX（urn:ihe:qrph:adx:2015）")
            ),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="export",
        permission_classes=[CanExportValues],
        renderer_classes=[DataValueSetRenderer, AdxRenderer],
        filter_backends=[],
        pagination_class=None,
    )
    def export(self, request):
        """Values (not n/a ones) of an area and every unit below it for a period (audited)."""
        if request.user.scope_area_id is None:
            raise Http404
        fmt = request.accepted_renderer.format
        area, period = self._area(), self._period()
        values = list(exchange.export_values(area, [period.code], user=request.user))
        document = exchange.export_document(fmt, values)
        exchange.record_export(request, fmt=fmt, area=area, periods=[period.code], rows=len(values))
        filename = exchange.export_filename(fmt, area, period.code)
        return Response(
            document, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
        )

    @extend_schema(
        request={
            "application/json": serializers.DATA_VALUE_SET_SCHEMA,
            "application/adx+xml": OpenApiTypes.STR,
        },
        parameters=[
            OpenApiParameter(
                "dry_run", bool, description=gettext_lazy("只检查、不写入（整个导入回滚）")
            )
        ],
        responses={200: serializers.ImportSummarySerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        permission_classes=[CanReportValues],
        parser_classes=[JSONParser, AdxParser, XmlParser],
        filter_backends=[],
        pagination_class=None,
    )
    def import_values(self, request):
        """Reported values from a DHIS2 dataValueSets JSON (or ADX) document, entered as the
        caller and submitted for approval; each value is imported, updated, ignored (already
        there) or returned as a conflict with its reason."""
        if request.user.scope_area_id is None:
            raise PermissionDenied
        data = request.data
        if not data:
            raise ValidationError({"detail": [_("请求体为空")]})
        if isinstance(data, bytes) and len(data) > settings.IMPORT_MAX_BYTES:
            raise ValidationError({"detail": [_("文件过大")]})
        if not isinstance(data, dict | bytes):
            raise ValidationError(
                {"detail": [_("不是 DHIS2 dataValueSets 文件：缺少 dataValues 列表")]}
            )
        try:
            summary = exchange.import_document(
                request.user,
                data,
                dry_run=_flag(request.query_params.get("dry_run")),
                request=request,
                label=_("指标数据交换导入（API）"),
            )
        except exchange.ExchangeError as exc:
            raise ValidationError({"detail": [str(exc)]}) from exc
        return Response(summary.as_dict(), status=status.HTTP_200_OK)


def _area_code_self(obj) -> str | None:
    return getattr(obj, "code", None)


def _area_code_annotated(obj) -> str | None:
    return getattr(obj, "cc_area_code", None)


def _public_id(obj) -> str:
    for name in ("uuid", "code"):
        value = getattr(obj, name, None)
        if value:
            return str(value)
    return str(obj.pk)


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class TargetViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """2025 targets and yearly milestones (published figures: any user with an area reads them)."""

    queryset = Target.objects.all()
    serializer_class = serializers.TargetSerializer
    filterset_class = TargetFilter
    select_related = ("indicator", "area")


class IndicatorValueViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Values of the areas in the caller's subtree (computed and approved reported ones)."""

    queryset = IndicatorValue.objects.all()
    serializer_class = serializers.IndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    select_related = ("indicator", "area")
