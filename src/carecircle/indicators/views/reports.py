"""The leading-group report as a download (xlsx or PDF), scoped and audited like every export."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from carecircle.indicators import reports
from carecircle.indicators.exchange import record_export
from carecircle.indicators.views.common import chosen_area, chosen_period, monitor_view


@require_GET
@monitor_view()
def report_download(request):
    """``?area=&period=&format=xlsx|pdf``: the report of an area of the user's scope (404
    outside it); needs the export permission, and every download is audited (R18)."""
    if not request.user.has_perm("core.export_data"):
        raise PermissionDenied
    fmt = (request.GET.get("format") or "xlsx").strip().lower()
    if fmt not in reports.FORMATS:
        raise Http404
    area = chosen_area(request)
    period = chosen_period(request)
    report = reports.build(area, period)
    data = reports.render(report, fmt)
    record_export(
        request,
        fmt=fmt,
        area=area,
        periods=[period.code],
        rows=len(report.rows),
        label=report.title,
    )
    response = HttpResponse(data, content_type=reports.CONTENT_TYPES[fmt])
    # Server-generated ASCII filename (R16); the Chinese title is inside the document.
    response["Content-Disposition"] = f'attachment; filename="{report.filename(fmt)}"'
    return response
