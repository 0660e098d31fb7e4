"""The ``carecircle`` console command.

carecircle demo [--load-only] [--scale S] [--port P]   Hai'an demo city, served locally
carecircle areas load-haian | load-national DIR       division codes
carecircle stats --json [--area CODE]                 data summary of an area
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

    sub.add_parser("manage", help="Django management commands", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        return cmd_manage(argv[1:])
    ns = build_parser().parse_args(argv)
    handlers = {"demo": cmd_demo, "areas": cmd_areas, "stats": cmd_stats}
    return handlers[ns.command](ns)


if __name__ == "__main__":
    sys.exit(main())
