"""Benchmark: bulk import of home-care service orders, month-end settlement, and the peer.

    .venv/bin/python bench/services.py                       # SQLite (temporary data dir)
    .venv/bin/python bench/services.py --postgres            # PostgreSQL, database dropped after
    .venv/bin/python bench/services.py --rows 100000 --xlsx-rows 20000 --peer-rows 5000  # quick
    .venv/bin/pip install -e '.[bench]'                      # django-import-export (the peer)

A fresh database is loaded with the demo city at ``--scale`` (not timed here; see demo_load.py).
If the demo has no home-care menu yet, the few menu items the file needs are created. Then, each
step in a fresh process:

* **files**: a deterministic CSV of ``--rows`` (1,000,000) completed, cancelled, missed and open
  orders over the twelve months before this one, for the demo's home-care providers, elders
  (each served by a provider of their town), workers and menu items; an xlsx of ``--xlsx-rows``
  (200,000) further orders typed as a spreadsheet holds them; a CSV with one bad row.
* **peer**: django-import-export 4.4.3 importing the first ``--peer-rows`` (50,000) rows of the
  same CSV through a ``ModelResource`` (foreign-key widgets for provider, elder, item and worker,
  model validation on), into the empty order table; then the same rows by our import; both
  removed again.
* **ours**: the whole CSV (rows/s including reading and every check), the same file again
  (idempotent: nothing created or updated), the xlsx, and the file with one bad row (must write
  nothing and name the row).
* **settlement**: ``homecare.settlement.settle_month`` for the last complete month, every
  provider of the city.

Target (issue 4): the CSV at 20,000 rows/s or more, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
CSV_TARGET = 20_000
SEED = 20250301
# Elders receiving home care: about one in nine of the demo's elders at scale 1.
SERVED_ELDERS = 30_000


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _child(env: dict[str, str], *args: str) -> dict:
    out = subprocess.run([_python(), __file__, *args], env=env, capture_output=True, text=True)
    if out.returncode:
        sys.stderr.write(out.stderr[-6000:])
        raise SystemExit(f"worker {args[:2]} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


# Reference rows ---------------------------------------------------------------------------------

# Used only when the demo has no menu yet: code, name, category, unit, price.
MENU = (
    ("ZC01", "送餐上门", "meal", "meal", "12.00"),
    ("ZJ01", "居室清洁", "cleaning", "hour", "30.00"),
    ("ZY01", "上门助浴", "bathing", "time", "80.00"),
    ("ZI01", "陪同就医", "medical", "hour", "35.00"),
    ("ZX01", "助行陪护", "mobility", "hour", "30.00"),
    ("DB01", "代办服务", "errands", "time", "20.00"),
    ("TS01", "探视问候", "visiting", "time", "15.00"),
    ("JW01", "精神慰藉", "companionship", "hour", "30.00"),
    ("SH01", "生活照料", "daily_care", "hour", "35.00"),
)


def ensure_menu() -> int:
    from carecircle.homecare.models import ServiceItem
    from carecircle.homecare.services import HOME_CARE_KINDS

    if ServiceItem.objects.filter(active=True).exists():
        return 0
    for code, name, category, unit, price in MENU:
        ServiceItem.objects.create(
            code=code,
            name=name,
            category=category,
            unit=unit,
            price=Decimal(price),
            provider_kinds=[str(kind) for kind in HOME_CARE_KINDS],
        )
    return len(MENU)


# Files ------------------------------------------------------------------------------------------

HEADERS = [
    "服务机构统一社会信用代码",
    "工单编号",
    "老人身份证号",
    "服务项目编码",
    "服务人员身份证号",
    "状态",
    "预约开始时间",
    "预约结束时间",
    "签到时间",
    "签退时间",
    "服务数量",
    "资金来源",
    "单价",
    "金额",
    "评分",
    "投诉内容",
]
COMPLAINTS = ("服务人员迟到", "清洁不彻底", "饭菜偏凉", "服务时间不足")


def _months(today: dt.date) -> list[dt.date]:
    first = today.replace(day=1)
    months = []
    for back in range(12, 0, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(dt.date(year, month + 1, 1))
    return months


class World:
    """What the orders refer to, read in a fixed order so the files are deterministic."""

    def __init__(self, rng: random.Random):
        from carecircle.core import crypto
        from carecircle.core.fields import ID_INDEX_PURPOSE
        from carecircle.homecare.models import ServiceItem
        from carecircle.homecare.services import HOME_CARE_KINDS
        from carecircle.institutions.models import Provider, Staff
        from carecircle.persons.models import Person

        def plain(token: str) -> str:
            return crypto.decrypt(token, context=ID_INDEX_PURPOSE)

        self.providers = list(
            Provider.objects.filter(kind__in=HOME_CARE_KINDS, domain="elderly")
            .exclude(credit_code="")
            .order_by("pk")
            .values_list("pk", "credit_code", "kind", "area__code")
        )
        if not self.providers:
            raise SystemExit("the demo has no home-care providers")
        self.items = [
            (code, unit, price, kinds)
            for code, unit, price, kinds in ServiceItem.objects.filter(active=True)
            .order_by("code")
            .values_list("code", "unit", "price", "provider_kinds")
        ]
        start = _months(dt.date.today())[0]
        living = list(
            Person.objects.filter(
                domain="elderly", death_date__isnull=True, merged_into__isnull=True
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        chosen = sorted(rng.sample(living, min(SERVED_ELDERS, len(living))))
        by_town: dict[str, list[int]] = {}
        for index, (_pk, _code, _kind, area_code) in enumerate(self.providers):
            by_town.setdefault(area_code[:9], []).append(index)
        self.elders: list[tuple[str, int]] = []  # (ID number, provider index)
        for offset in range(0, len(chosen), 5000):
            rows = (
                Person.objects.filter(pk__in=chosen[offset : offset + 5000])
                .order_by("pk")
                .values_list("id_number_encrypted", "area__code")
            )
            for token, area_code in rows:
                near = by_town.get(area_code[:9]) or range(len(self.providers))
                self.elders.append((plain(token), rng.choice(list(near))))
        self.workers: dict[int, list[str]] = {}
        staff = (
            Staff.objects.filter(
                provider_id__in=[p[0] for p in self.providers],
                left_on__isnull=True,
                hired_on__lte=start,
            )
            .order_by("pk")
            .values_list("provider_id", "id_number_encrypted")
        )
        by_pk = {p[0]: i for i, p in enumerate(self.providers)}
        for provider_id, token in staff:
            self.workers.setdefault(by_pk[provider_id], []).append(plain(token))
        self.menus = [
            [item for item in self.items if not item[3] or kind in item[3]] or self.items
            for _pk, _code, kind, _area in self.providers
        ]


def _orders(world: World, rng: random.Random, count: int, prefix: str, today: dt.date):
    """Rows of valid orders: (text cells, typed cells) for CSV and xlsx alike."""
    months = _months(today)
    for n in range(count):
        id_number, p = world.elders[n % len(world.elders)]
        _pk, credit_code, _kind, _area = world.providers[p]
        code, unit, price, _kinds = rng.choice(world.menus[p])
        month = months[n * len(months) // count]
        day = month + dt.timedelta(days=rng.randrange(28))
        start = dt.datetime.combine(day, dt.time(8 + rng.randrange(10), rng.choice((0, 30))))
        quantity = Decimal(rng.choice((1, 1, 2))) if unit == "hour" else Decimal(1)
        booked = int(quantity * 60) if unit == "hour" else 60
        end = start + dt.timedelta(minutes=booked)
        roll = rng.random()
        status = "已完成" if roll < 0.88 else "已取消" if roll < 0.94 else "未上门"
        checked_in = checked_out = None
        rating = None
        complaint = ""
        if status == "已完成":
            checked_in = start + dt.timedelta(minutes=rng.randrange(-5, 15))
            checked_out = checked_in + dt.timedelta(minutes=booked + rng.randrange(-10, 20))
            if rng.random() < 0.7:
                rating = rng.choice((3, 4, 4, 5, 5, 5))
            if rng.random() < 0.01:
                complaint = rng.choice(COMPLAINTS)
        staff = world.workers.get(p)
        worker = rng.choice(staff) if staff and status != "未上门" else ""
        funding = "政府购买" if rng.random() < 0.85 else "自费"
        cost = (quantity * price).quantize(Decimal("0.01"))
        yield (
            credit_code,
            f"{prefix}{n:08d}",
            id_number,
            code,
            worker,
            status,
            start,
            end,
            checked_in,
            checked_out,
            quantity,
            funding,
            price,
            cost,
            rating,
            complaint,
        )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def write_files(directory: Path, rows: int, xlsx_rows: int, bad_rows: int) -> dict:
    from openpyxl import Workbook

    rng = random.Random(SEED)
    today = dt.date.today()
    started = time.perf_counter()
    world = World(rng)
    out = {"elders_served": len(world.elders), "providers": len(world.providers)}
    paths = {"csv": directory / "orders.csv", "xlsx": directory / "orders.xlsx"}
    with paths["csv"].open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for order in _orders(world, random.Random(SEED + 1), rows, "C", today):
            writer.writerow([_text(v) for v in order])
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("服务工单")
    sheet.append(HEADERS)
    for order in _orders(world, random.Random(SEED + 2), xlsx_rows, "X", today):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in order])
    workbook.save(paths["xlsx"])
    # One bad row near the end of otherwise new, valid orders: 金额 not quantity × price.
    bad_path = directory / "one-bad-row.csv"
    bad_at = bad_rows - 7
    with bad_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for n, order in enumerate(_orders(world, random.Random(SEED + 3), bad_rows, "B", today)):
            cells = [_text(v) for v in order]
            if n == bad_at:
                cells[13] = str(Decimal(cells[13]) + 1)
            writer.writerow(cells)
    peer_path = directory / "peer.csv"
    with (
        paths["csv"].open(encoding="utf-8") as source,
        peer_path.open("w", encoding="utf-8") as sink,
    ):
        for _n, line in zip(range(PEER_ROWS_MAX + 1), source, strict=False):
            sink.write(line)
    out.update(
        files_seconds=time.perf_counter() - started,
        csv=str(paths["csv"]),
        xlsx=str(paths["xlsx"]),
        bad=str(bad_path),
        bad_row=bad_at + 2,
        peer_csv=str(peer_path),
        csv_mb=paths["csv"].stat().st_size / 1e6,
        xlsx_mb=paths["xlsx"].stat().st_size / 1e6,
        settle_month=_months(today)[-1].isoformat(),
    )
    return out


PEER_ROWS_MAX = 50_000


# The peer ---------------------------------------------------------------------------------------


def peer_resource():
    """django-import-export's way to import the same file: a ModelResource with a widget per
    column (labels of choices, ID numbers through the blind index)."""
    from import_export import fields, resources, widgets

    from carecircle.core.fields import id_number_index
    from carecircle.homecare.choices import Funding, OrderStatus
    from carecircle.homecare.models import ServiceItem, ServiceOrder
    from carecircle.institutions.models import Provider, Staff
    from carecircle.persons.models import Person

    class ChoiceWidget(widgets.CharWidget):
        def __init__(self, choices):
            super().__init__()
            self.codes = {str(label): value for value, label in choices.choices}

        def clean(self, value, row=None, **kwargs):
            return self.codes.get(value, value)

    class IdNumberWidget(widgets.ForeignKeyWidget):
        def get_queryset(self, value, row, *args, **kwargs):
            return self.model.objects.filter(merged_into__isnull=True)

        def clean(self, value, row=None, **kwargs):
            if not value:
                return None
            return self.get_queryset(value, row).get(id_number_index=id_number_index(value))

    class WorkerWidget(widgets.ForeignKeyWidget):
        def clean(self, value, row=None, **kwargs):
            if not value:
                return None
            return Staff.objects.filter(
                id_number_index=id_number_index(value),
                provider__credit_code=row["服务机构统一社会信用代码"],
                left_on__isnull=True,
            ).first()

    datetime = widgets.DateTimeWidget(format="%Y-%m-%d %H:%M")

    class OrderResource(resources.ModelResource):
        provider = fields.Field(
            "provider",
            "服务机构统一社会信用代码",
            widgets.ForeignKeyWidget(Provider, "credit_code"),
        )
        external_ref = fields.Field("external_ref", "工单编号")
        person = fields.Field("person", "老人身份证号", IdNumberWidget(Person))
        item = fields.Field("item", "服务项目编码", widgets.ForeignKeyWidget(ServiceItem, "code"))
        worker = fields.Field("worker", "服务人员身份证号", WorkerWidget(Staff))
        status = fields.Field("status", "状态", ChoiceWidget(OrderStatus))
        scheduled_start = fields.Field("scheduled_start", "预约开始时间", datetime)
        scheduled_end = fields.Field("scheduled_end", "预约结束时间", datetime)
        checked_in_at = fields.Field("checked_in_at", "签到时间", datetime)
        checked_out_at = fields.Field("checked_out_at", "签退时间", datetime)
        quantity = fields.Field("quantity", "服务数量", widgets.DecimalWidget())
        funding = fields.Field("funding", "资金来源", ChoiceWidget(Funding))
        unit_price = fields.Field("unit_price", "单价", widgets.DecimalWidget())
        cost = fields.Field("cost", "金额", widgets.DecimalWidget())
        rating = fields.Field("rating", "评分", widgets.IntegerWidget())
        complaint = fields.Field("complaint", "投诉内容", widgets.CharWidget())

        class Meta:
            model = ServiceOrder
            import_id_fields = ("provider", "external_ref")
            fields = (
                "provider",
                "external_ref",
                "person",
                "item",
                "worker",
                "status",
                "scheduled_start",
                "scheduled_end",
                "checked_in_at",
                "checked_out_at",
                "quantity",
                "funding",
                "unit_price",
                "cost",
                "rating",
                "complaint",
            )
            skip_unchanged = True
            clean_model_instances = True

        def before_save_instance(self, instance, row, **kwargs):
            if instance.checked_in_at and instance.checked_out_at:
                seconds = (instance.checked_out_at - instance.checked_in_at).total_seconds()
                instance.duration_minutes = int(seconds // 60)

    return OrderResource()


def run_peer(path: str) -> dict:
    import tablib

    text = Path(path).read_text(encoding="utf-8")
    dataset = tablib.Dataset().load(text, format="csv")
    started = time.perf_counter()
    result = peer_resource().import_data(dataset, dry_run=False, use_transactions=True)
    seconds = time.perf_counter() - started
    totals = dict(result.totals)
    errors = len(result.base_errors) + sum(len(r.errors) for r in result.rows if r.errors)
    invalid = len(result.invalid_rows)
    return {
        "peer_rows": len(dataset),
        "peer_seconds": seconds,
        "peer_created": totals.get("new", 0),
        "peer_errors": errors + invalid,
    }


# Measuring --------------------------------------------------------------------------------------


def _server_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine: read from
    /proc), or None on SQLite (its work is in this process's CPU time)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ours(path: str, **kwargs) -> dict:
    from carecircle.homecare.bulk import import_orders

    server = _server_cpu()
    started = time.perf_counter()
    outcome = import_orders(path, **kwargs)
    seconds = time.perf_counter() - started
    after = _server_cpu()
    return {
        "rows": outcome.rows,
        "seconds": seconds,
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "errors": outcome.error_count,
        "first_error": outcome.errors[0].describe() if outcome.errors else "",
        "phases": {k: round(v, 2) for k, v in outcome.seconds.items()},
        "cpu": {k: round(v, 2) for k, v in outcome.cpu_seconds.items()},
        "server_cpu": None if server is None or after is None else round(after - server, 2),
    }


def _remove_orders() -> None:
    from carecircle.homecare.models import ServiceOrder

    ServiceOrder.objects.filter(external_ref__regex=r"^[CXB][0-9]{8}$")._raw_delete("default")


def measure(files: dict) -> dict:
    from carecircle.homecare.models import ServiceOrder

    out: dict = {}
    before = ServiceOrder.objects.count()
    out["peer"] = run_peer(files["peer_csv"])
    _remove_orders()
    out["ours_peer_rows"] = _ours(files["peer_csv"])
    _remove_orders()
    out["csv"] = _ours(files["csv"])
    out["csv_again"] = _ours(files["csv"])
    out["xlsx"] = _ours(files["xlsx"])
    after = ServiceOrder.objects.count()
    out["bad"] = _ours(files["bad"])
    out["bad"]["written"] = ServiceOrder.objects.count() - after
    out["orders_before"] = before
    out["orders_after"] = after
    out["settlement"] = settle(dt.date.fromisoformat(files["settle_month"]))
    return out


def settle(month: dt.date) -> dict:
    from carecircle.homecare.models import ServiceOrder, Settlement, SettlementException
    from carecircle.homecare.settlement import settle_month

    started = time.perf_counter()
    settlements = settle_month(month)
    seconds = time.perf_counter() - started
    ids = [s.pk for s in settlements]
    orders = sum(s.orders_count for s in settlements)
    return {
        "month": month.isoformat(),
        "seconds": seconds,
        "settlements": len(settlements),
        "completed_orders": orders,
        "exceptions": SettlementException.objects.filter(settlement_id__in=ids).count(),
        "government_amount": str(sum((s.government_amount for s in settlements), Decimal(0))),
        "orders_in_table": ServiceOrder.objects.count(),
        "drafts": Settlement.objects.filter(pk__in=ids, status="draft").count(),
    }


def worker(action: str, ns: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    if action == "load":
        call_command("migrate", interactive=False, verbosity=0)
        from carecircle.demo.loader import ensure_demo
        from carecircle.persons.models import Person

        started = time.perf_counter()
        ensure_demo(scale=ns.scale, progress=False)
        load_seconds = time.perf_counter() - started
        created = ensure_menu()
        print(
            json.dumps(
                {
                    "load_seconds": load_seconds,
                    "persons": Person.objects.count(),
                    "menu_items_created_by_bench": created,
                }
            )
        )
    elif action == "files":
        print(json.dumps(write_files(Path(ns.dir), ns.rows, ns.xlsx_rows, ns.bad_rows)))
    elif action == "measure":
        files = json.loads(Path(ns.dir, "files.json").read_text())
        print(json.dumps(measure(files)))


# Driver -----------------------------------------------------------------------------------------


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def run(ns: argparse.Namespace) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="carecircle.conf.dev")
    tmp = Path(tempfile.mkdtemp(prefix="cc-bench-services-"))
    env["CARECIRCLE_DATA_DIR"] = str(tmp)
    if ns.postgres:
        _pg(f"DROP DATABASE IF EXISTS {ns.pg_database} WITH (FORCE)")
        _pg(f"CREATE DATABASE {ns.pg_database}")
        env["DATABASE_URL"] = f"{PG_SERVER}/{ns.pg_database}"
    common = ["--dir", str(tmp), "--scale", str(ns.scale), "--rows", str(ns.rows)]
    common += ["--xlsx-rows", str(ns.xlsx_rows), "--bad-rows", str(ns.bad_rows)]
    try:
        load = _child(env, "--worker", "load", *common)
        files = _child(env, "--worker", "files", *common)
        files["peer_rows"] = ns.peer_rows
        if ns.peer_rows < PEER_ROWS_MAX:
            _truncate(files["peer_csv"], ns.peer_rows)
        Path(tmp, "files.json").write_text(json.dumps(files))
        measured = _child(env, "--worker", "measure", *common)
    finally:
        if ns.postgres and not ns.keep:
            _pg(f"DROP DATABASE IF EXISTS {ns.pg_database} WITH (FORCE)")
    if ns.keep:
        print(f"kept: CARECIRCLE_DATA_DIR={tmp} {env.get('DATABASE_URL', '')}", flush=True)
    return {"database": "postgresql" if ns.postgres else "sqlite", **load, **files, **measured}


def _truncate(path: str, rows: int) -> None:
    lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
    Path(path).write_text("".join(lines[: rows + 1]), encoding="utf-8")


def _rate(step: dict) -> float:
    return step["rows"] / step["seconds"] if step["seconds"] else 0.0


def _import_rate(step: dict) -> float:
    """Rows/s of the import itself: the indicator recomputation that follows the commit is
    reported apart."""
    seconds = step["seconds"] - step["phases"].get("indicators", 0.0)
    return step["rows"] / seconds if seconds else 0.0


def report(result: dict) -> list[str]:
    problems = []
    peer = result["peer"]
    peer_rate = peer["peer_rows"] / peer["peer_seconds"] if peer["peer_seconds"] else 0.0
    lines = [
        f"== {result['database']}: demo {result['persons']} persons, "
        f"{result['providers']} home-care providers, {result['elders_served']} elders served; "
        f"files written in {result['files_seconds']:.0f} s "
        f"(CSV {result['csv_mb']:.0f} MB, xlsx {result['xlsx_mb']:.0f} MB)",
        f"{'step':<34}{'rows':>10}{'seconds':>10}{'rows/s':>10}  result",
    ]

    def line(name: str, step: dict) -> None:
        counts = (
            f"created {step['created']}, updated {step['updated']}, "
            f"unchanged {step['unchanged']}, errors {step['errors']}"
        )
        lines.append(
            f"{name:<34}{step['rows']:>10}{step['seconds']:>10.1f}{_rate(step):>10,.0f}  {counts}"
        )
        lines.append(f"{'':<34}wall s: {step['phases']}")
        server = step.get("server_cpu")
        lines.append(
            f"{'':<34}CPU s:  {step.get('cpu', {})}"
            + (f", PostgreSQL backend {server:.1f}" if server is not None else "")
        )

    line("CSV import (all checks)", result["csv"])
    csv_step = result["csv"]
    cpu = csv_step["cpu"].get("total", 0.0) + (csv_step.get("server_cpu") or 0.0)
    lines.append(
        f"{'':<34}without the indicator recomputation after commit: "
        f"{_import_rate(csv_step):,.0f} rows/s; per CPU second (this process"
        f"{' + PostgreSQL backend' if csv_step.get('server_cpu') is not None else ''}, "
        f"indicators included): {csv_step['rows'] / cpu if cpu else 0:,.0f} rows"
    )
    line("same CSV again (idempotent)", result["csv_again"])
    line("xlsx import", result["xlsx"])
    line("CSV with one bad row", result["bad"])
    line("ours, the peer's rows", result["ours_peer_rows"])
    lines.append(
        f"{'django-import-export 4.4.3':<34}{peer['peer_rows']:>10}{peer['peer_seconds']:>10.1f}"
        f"{peer_rate:>10,.0f}  created {peer['peer_created']}, errors {peer['peer_errors']}"
    )
    ratio = _rate(result["csv"]) / peer_rate if peer_rate else float("inf")
    same = _rate(result["ours_peer_rows"]) / peer_rate if peer_rate else float("inf")
    lines.append(
        f"ratio ours ÷ peer: {ratio:,.0f}× (CSV of {result['csv']['rows']:,} rows vs "
        f"{peer['peer_rows']:,}); on the same {peer['peer_rows']:,} rows: {same:,.0f}×"
    )
    settled = result["settlement"]
    lines.append(
        f"month-end settlement {settled['month'][:7]}, all providers: {settled['seconds']:.1f} s "
        f"({settled['settlements']} settlements, {settled['completed_orders']} completed orders, "
        f"{settled['exceptions']} exceptions, government {settled['government_amount']} 元; "
        f"{settled['orders_in_table']} orders in the table)"
    )
    bad = result["bad"]
    lines.append(
        f"one bad row (row {result['bad_row']}): {bad['errors']} error(s), "
        f"{bad['written']} rows written; {bad['first_error']}"
    )
    print("\n".join(lines), flush=True)
    if _import_rate(result["csv"]) < CSV_TARGET:
        problems.append(f"CSV {_import_rate(result['csv']):,.0f} rows/s < {CSV_TARGET:,}")
    if result["csv"]["created"] != result["csv"]["rows"]:
        problems.append("the CSV did not create every row")
    if result["csv_again"]["created"] or result["csv_again"]["updated"]:
        problems.append("re-importing the CSV changed rows")
    if (
        bad["errors"] != 1
        or bad["written"] != 0
        or f"第{result['bad_row']}行" not in (bad["first_error"])
    ):
        problems.append("the file with one bad row was not refused as it should be")
    if peer["peer_errors"]:
        problems.append(f"the peer reported {peer['peer_errors']} errors")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--pg-database", default="carecircle_bench_services")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--bad-rows", type=int, default=100_000)
    parser.add_argument("--peer-rows", type=int, default=PEER_ROWS_MAX)
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    parser.add_argument("--worker")
    parser.add_argument("--dir")
    ns = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    if ns.worker:
        worker(ns.worker, ns)
        return 0
    ns.peer_rows = min(ns.peer_rows, PEER_ROWS_MAX, ns.rows)
    result = run(ns)
    Path(tempfile.gettempdir(), f"bench-services-{result['database']}.json").write_text(
        json.dumps(result, indent=1, ensure_ascii=False)
    )
    problems = report(result)
    for problem in problems:
        print("TARGET MISSED:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
