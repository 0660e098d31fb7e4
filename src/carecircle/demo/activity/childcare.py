"""Demo activity: childcare filings (备案), 1+N networks and a brand chain.

* Every demo childcare provider on record as filed gets its approved first filing, dated by its
  ``filed_on``, with the five required documents (providers added by users are left alone, and
  filing numbers continue after any already given). The documents are records without file
  content (shown as "无电子件"): scans of real certificates cannot be invented, and the demo
  stays fast and leaves no files behind when it is removed.
* Providers not yet filed have filings in progress: one submitted so long ago that the
  5-working-day deadline has passed, one submitted on the last working day, one sent back with a
  published notice of problems (its fire-safety certificate is missing), one still a draft; the
  others have not started. When fewer providers are unfiled, filed ones take the submitted and
  sent-back roles with a change filing (变更备案).
* The providers designated as 1+N hubs each lead a network of the nearest community points; the
  providers designated as brand-chain institutions form one brand chain with two other private
  centres.

Brand chains refer to providers only through their members, so the demo's chains are removed
here before writing (``clear_demo`` removes the member links with the providers).
"""

from __future__ import annotations

import datetime as dt
import math
import random

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from carecircle.childcare.choices import (
    AUTHORITY_BY_TYPE,
    REQUIRED_DOCUMENTS,
    DocumentKind,
    FilingKind,
    FilingPurpose,
    FilingState,
    PremisesTenure,
    RegistrationType,
    filing_kind_for,
)
from carecircle.childcare.models import (
    BrandChain,
    CareNetwork,
    Filing,
    FilingDocument,
    FilingNotice,
)
from carecircle.childcare.workdays import WorkingCalendar, filing_days
from carecircle.core.bulk import allocate_ids
from carecircle.core.dates import add_years
from carecircle.demo.bulk import BulkWriter, demo_rows, demo_uuid, purge
from carecircle.demo.providers import CHILDCARE_BRANDS, CreditCodes
from carecircle.institutions.choices import (
    CHILDCARE_KINDS,
    DesignationKind,
    FilingStatus,
    Ownership,
    ProviderKind,
)
from carecircle.institutions.models import Designation, Provider

REGISTRATION_BY_OWNERSHIP = {
    Ownership.PUBLIC: RegistrationType.PUBLIC_INSTITUTION,
    Ownership.PUBLIC_BUILT_PRIVATE_RUN: RegistrationType.SOCIAL_SERVICE,
    Ownership.PRIVATE: RegistrationType.FOR_PROFIT,
}
CODE_PREFIX = {
    RegistrationType.PUBLIC_INSTITUTION: "12",
    RegistrationType.SOCIAL_SERVICE: "52",
    RegistrationType.FOR_PROFIT: "91",
}
SCOPES = {
    FilingKind.INSTITUTION: "托育服务；婴幼儿照护服务；早期发展指导",
    FilingKind.FAMILY_POINT: "家庭托育服务",
}
PLACES_PER_CLASS = 15
PLACES_PER_CARER = 5
OVERDUE_BY = 9  # working days before today (the deadline is 5)
NOTICE_TEXT = (
    "经审核，备案材料存在以下问题：\n"
    "1. 未提交消防安全检查合格证明，请补充；\n"
    "2. 场地租赁合同签章页不清晰，请重新上传。\n"
    "请补正后重新提交。"
)
CHANGE_TEXT = "托位数由{old}个调整为{new}个，增设托小班1个"
DOCUMENT_NAMES = {kind: f"{DocumentKind(kind).label}（扫描件）" for kind in DocumentKind.values}
FILING_FIELDS = (
    "id",
    "uuid",
    "provider_id",
    "kind",
    "purpose",
    "previous_id",
    "state",
    "registration_type",
    "registration_authority",
    "credit_code",
    "business_scope",
    "premises_address",
    "premises_tenure",
    "lease_starts_on",
    "lease_ends_on",
    "places",
    "classes_planned",
    "carers",
    "change_summary",
    "commitment_signed",
    "submitted_on",
    "first_submitted_on",
    "decided_on",
    "filing_no",
    "created_at",
    "updated_at",
)


def _lease_in_force(facts: dict, day: dt.date) -> dict:
    """The lease renewed for the same term until it covers ``day``: a filing is submitted with
    a lease in force (``services.check_filing`` refuses an expired one)."""
    start, end = facts["lease_starts_on"], facts["lease_ends_on"]
    if start is None or end > day:
        return facts
    term = end.year - start.year
    while end <= day:
        start, end = end, add_years(end, term)
    return {**facts, "lease_starts_on": start, "lease_ends_on": end}


class _Writer:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.calendar = WorkingCalendar()
        self.codes = CreditCodes(rng)
        self.filings = BulkWriter(Filing, FILING_FIELDS)
        self.documents = BulkWriter(
            FilingDocument,
            (
                "uuid",
                "filing_id",
                "kind",
                "original_name",
                "content_type",
                "size",
                "uploaded_at",
                "created_at",
                "updated_at",
            ),
            parent=self.filings,
        )
        self.notices = BulkWriter(
            FilingNotice,
            ("uuid", "filing_id", "issued_on", "text", "published", "created_at", "updated_at"),
            parent=self.filings,
        )
        # Filing numbers continue after those already given (filings of non-demo providers).
        self.numbers: dict[int, int] = {}
        for number in Filing.objects.exclude(filing_no="").values_list("filing_no", flat=True):
            year, seq = number[2:6], number[6:]
            if number.startswith("TY") and year.isdigit() and seq.isdigit():
                self.numbers[int(year)] = max(self.numbers.get(int(year), 0), int(seq))
        self.ids: list[int] = []

    def next_id(self) -> int:
        return self.ids.pop(0)

    def filing_no(self, day: dt.date) -> str:
        self.numbers[day.year] = self.numbers.get(day.year, 0) + 1
        return f"TY{day.year}{self.numbers[day.year]:04d}"

    def working_days_before(self, day: dt.date, count: int) -> dt.date:
        while count > 0:
            day -= dt.timedelta(days=1)
            if self.calendar.is_working_day(day):
                count -= 1
        return day

    def facts(self, p: dict) -> dict:
        rng = self.rng
        registration = REGISTRATION_BY_OWNERSHIP.get(p["ownership"], RegistrationType.FOR_PROFIT)
        kind = filing_kind_for(p["kind"])
        places = p["places"] or rng.randrange(20, 80)
        owned = registration == RegistrationType.PUBLIC_INSTITUTION or rng.random() < 0.2
        lease_start = p["opened_on"] - dt.timedelta(days=rng.randrange(30, 120))
        return {
            "kind": kind,
            "registration_type": registration,
            "registration_authority": AUTHORITY_BY_TYPE[registration],
            "credit_code": p["credit_code"]
            or self.codes.make(CODE_PREFIX[registration], p["opened_on"]),
            "business_scope": SCOPES[kind],
            "premises_address": p["address"] or p["name"],
            "premises_tenure": PremisesTenure.OWNED if owned else PremisesTenure.LEASED,
            "lease_starts_on": None if owned else lease_start,
            "lease_ends_on": None
            if owned
            else lease_start.replace(year=lease_start.year + rng.choice((5, 8, 10))),
            "places": places,
            "classes_planned": max(1, math.ceil(places / PLACES_PER_CLASS)),
            "carers": max(1, math.ceil(places / PLACES_PER_CARER)),
        }

    def add_filing(
        self,
        p: dict,
        facts: dict,
        *,
        state: str,
        submitted_on: dt.date | None,
        decided_on: dt.date | None = None,
        purpose: str = FilingPurpose.INITIAL,
        previous_id: int | None = None,
        change_summary: str = "",
        documents=REQUIRED_DOCUMENTS,
    ) -> int:
        pk = self.next_id()
        facts = _lease_in_force(facts, submitted_on or self.today)
        row = {
            "id": pk,
            "uuid": demo_uuid(self.rng),
            "provider_id": p["pk"],
            "purpose": purpose,
            "previous_id": previous_id,
            "state": state,
            **facts,
            "change_summary": change_summary,
            "commitment_signed": state != FilingState.DRAFT or self.rng.random() < 0.5,
            "submitted_on": submitted_on,
            "first_submitted_on": submitted_on,
            "decided_on": decided_on,
            "filing_no": self.filing_no(decided_on) if state == FilingState.FILED else "",
            "created_at": self.now,
            "updated_at": self.now,
        }
        self.filings.add(tuple(row[name] for name in FILING_FIELDS))
        uploaded = dt.datetime.combine(
            submitted_on or self.today, dt.time(9, 30), tzinfo=timezone.get_current_timezone()
        )
        for kind in documents:
            self.documents.add(
                (
                    demo_uuid(self.rng),
                    pk,
                    kind,
                    DOCUMENT_NAMES[kind],
                    "",
                    0,
                    uploaded,
                    self.now,
                    self.now,
                )
            )
        return pk

    def flush(self) -> None:
        for writer in (self.filings, self.documents, self.notices):
            writer.flush()


def _childcare_providers(today: dt.date) -> list[dict]:
    capacity = {
        p.pk: p.cap_places_total
        for p in Provider.objects.filter(kind__in=CHILDCARE_KINDS).with_capacity(today)
    }
    # The demo's own providers (not those users added), without filings of their own yet.
    rows = (
        demo_rows(Provider)
        .filter(kind__in=CHILDCARE_KINDS)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=today), opened_on__lte=today)
        .exclude(Exists(Filing.objects.filter(provider=OuterRef("pk"))))
        .order_by("pk")
        .values(
            "pk",
            "kind",
            "name",
            "credit_code",
            "address",
            "ownership",
            "filing_status",
            "filed_on",
            "opened_on",
            "latitude",
            "longitude",
        )
    )
    return [{**row, "places": capacity.get(row["pk"])} for row in rows]


def _filings(writer: _Writer, providers: list[dict]) -> dict[str, int]:
    rng, today, calendar = writer.rng, writer.today, writer.calendar
    filed = [p for p in providers if p["filing_status"] == FilingStatus.FILED and p["filed_on"]]
    unfiled = [p for p in providers if p["filing_status"] == FilingStatus.NOT_FILED]
    writer.ids = allocate_ids(Filing, len(filed) + len(unfiled) + 3)
    in_force: dict[int, tuple[int, dict]] = {}
    for p in filed:
        decided = p["filed_on"]
        submitted = writer.working_days_before(decided, rng.randrange(1, filing_days() + 1))
        facts = writer.facts(p)
        pk = writer.add_filing(
            p, facts, state=FilingState.FILED, submitted_on=submitted, decided_on=decided
        )
        in_force[p["pk"]] = (pk, facts)

    # Roles of the filings in progress: unfiled providers first, then changes of filed ones.
    roles = ["overdue", "recent", "notice", "draft"]
    pending = [(p, FilingPurpose.INITIAL) for p in unfiled]
    spare = [p for p in filed if p["kind"] != ProviderKind.KINDERGARTEN_CLASS]
    rng.shuffle(spare)
    while len(pending) < len(roles) - 1 and spare:  # a draft only from an unfiled provider
        pending.append((spare.pop(), FilingPurpose.CHANGE))
    counts = {"overdue": 0, "submitted": 0, "notice": 0, "draft": 0}
    last_working_day = writer.working_days_before(today, 1)
    for (p, purpose), role in zip(pending, roles, strict=False):
        previous_id, facts, summary, documents = None, writer.facts(p), "", REQUIRED_DOCUMENTS
        if purpose == FilingPurpose.CHANGE:
            previous_id, facts = in_force[p["pk"]]
            new_places = facts["places"] + PLACES_PER_CLASS
            summary = CHANGE_TEXT.format(old=facts["places"], new=new_places)
            facts = {**facts, "places": new_places, "classes_planned": facts["classes_planned"] + 1}
            documents = (DocumentKind.PREMISES, DocumentKind.STAFF)
        if role == "notice":
            documents = tuple(k for k in documents if k != DocumentKind.FIRE_SAFETY)
        if role == "draft":
            documents = documents[: rng.randrange(0, len(documents))]
        submitted = {
            "overdue": writer.working_days_before(today, OVERDUE_BY),
            "recent": last_working_day,
            "notice": writer.working_days_before(today, 12),
            "draft": None,
        }[role]
        state = {
            "overdue": FilingState.SUBMITTED,
            "recent": FilingState.SUBMITTED,
            "notice": FilingState.NEEDS_CORRECTION,
            "draft": FilingState.DRAFT,
        }[role]
        pk = writer.add_filing(
            p,
            facts,
            state=state,
            submitted_on=submitted,
            purpose=purpose,
            previous_id=previous_id,
            change_summary=summary,
            documents=documents,
        )
        if role == "notice":
            issued = calendar.add(submitted, filing_days() - 1)
            writer.notices.add(
                (demo_uuid(rng), pk, issued, NOTICE_TEXT, True, writer.now, writer.now)
            )
        counts["submitted" if role == "recent" else role] += 1
    writer.flush()
    return {
        "childcare_filings": writer.filings.written,
        "childcare_filings_filed": len(filed),
        "childcare_filings_overdue": counts["overdue"],
        "childcare_filing_documents": writer.documents.written,
        "childcare_filing_notices": writer.notices.written,
    }


def _distance2(a: dict, b: dict) -> float:
    if a["latitude"] is None or b["latitude"] is None:
        return float("inf")
    return float(a["latitude"] - b["latitude"]) ** 2 + float(a["longitude"] - b["longitude"]) ** 2


def _networks(rng: random.Random, providers: list[dict], today: dt.date) -> int:
    by_pk = {p["pk"]: p for p in providers}
    hubs = (
        Designation.objects.filter(
            kind=DesignationKind.HUB_1N, provider__in=list(by_pk), granted_on__lte=today
        )
        .order_by("granted_on", "provider_id")
        .values_list("provider_id", "granted_on")
    )
    points = [p for p in providers if p["kind"] == ProviderKind.COMMUNITY_POINT]
    networks = BulkWriter(
        CareNetwork, ("id", "uuid", "name", "hub_id", "established_on", "created_at", "updated_at")
    )
    link = CareNetwork.satellites.through
    links = BulkWriter(link, ("carenetwork_id", "provider_id"), parent=networks)
    hubs = list(dict(hubs).items())
    ids = allocate_ids(CareNetwork, len(hubs))
    now = timezone.now()
    for index, ((hub_pk, granted), pk) in enumerate(zip(hubs, ids, strict=True)):
        hub = by_pk[hub_pk]
        share = math.ceil(len(points) / (len(hubs) - index))  # the points shared out evenly
        nearest = sorted(points, key=lambda q, h=hub: (_distance2(h, q), q["pk"]))[:share]
        for point in nearest:
            points.remove(point)
        networks.add(
            (pk, demo_uuid(rng), f"{hub['name']}“1+N”托育服务网络", hub_pk, granted, now, now)
        )
        for point in nearest:
            links.add((pk, point["pk"]))
    links.flush()
    return networks.written


def _brand_chain(rng: random.Random, providers: list[dict], today: dt.date) -> int:
    by_pk = {p["pk"]: p for p in providers}
    designated = list(
        Designation.objects.filter(
            kind=DesignationKind.BRAND_CHAIN, provider__in=list(by_pk), granted_on__lte=today
        )
        .order_by("granted_on", "provider_id")
        .values_list("provider_id", "granted_on")
    )
    if not designated:
        return 0
    members = [pk for pk, _granted in designated]
    others = [
        p["pk"]
        for p in providers
        if p["kind"] == ProviderKind.CHILDCARE_STANDALONE
        and p["ownership"] == Ownership.PRIVATE
        and p["pk"] not in members
    ]
    members += rng.sample(others, min(2, len(others)))
    lead = by_pk[members[0]]["name"]
    brand = next((b for b in CHILDCARE_BRANDS if b in lead), rng.choice(CHILDCARE_BRANDS))
    pk = allocate_ids(BrandChain, 1)[0]
    now = timezone.now()
    chains = BulkWriter(
        BrandChain,
        (
            "id",
            "uuid",
            "name",
            "operator_name",
            "operator_credit_code",
            "established_on",
            "created_at",
            "updated_at",
        ),
    )
    started = designated[0][1]
    operator_code = CreditCodes(rng).make("91", started)
    operator = f"海安{brand}托育服务有限公司"
    chains.add((pk, demo_uuid(rng), f"{brand}托育", operator, operator_code, started, now, now))
    link = BulkWriter(BrandChain.members.through, ("brandchain_id", "provider_id"), parent=chains)
    for member in members:
        link.add((pk, member))
    link.flush()
    return len(members)


def generate(seed: int, today: dt.date) -> dict[str, int]:
    rng = random.Random(f"{seed}:childcare")
    purge(demo_rows(BrandChain))  # left without members by the last clear_demo
    providers = _childcare_providers(today)
    counts = _filings(_Writer(rng, today), providers)
    counts["childcare_networks"] = _networks(rng, providers, today)
    counts["childcare_chain_members"] = _brand_chain(rng, providers, today)
    return counts
