"""Scoring (GB/T 42195-2022 Appendix C), validation and recording of an assessment.

C.2 the initial score is the sum of the 26 item scores; C.3 the initial level comes from the
score bands; C.4 changes it: a person in a coma is graded 4 (完全失能) directly; dementia
(F00–F03) or a diagnosed mental disorder (F04–F99) raises it one level; two or more care-risk
events in the 30 days up to the assessment raise it one level; never beyond 4. Whether the two
raises add up is the setting ``CARECIRCLE_ASSESSMENT_UPGRADES`` ("once", the default, or "add"):
the standard leaves it open (domain-facts §1.2 open point b).

The form, the API and the Excel import all go through ``check``/``record_assessment``, so the
rules and their Chinese messages are the same everywhere.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecircle.assessments.choices import UpgradeMode
from carecircle.assessments.models import Assessment, valid_q
from carecircle.assessments.standard import Domain, Item, standard
from carecircle.core.choices import Domain as PersonDomain
from carecircle.core.dates import years_before
from carecircle.persons.models import ELDER_AGE, Person

COMA, MENTAL, RISK, ONCE, CAP = "coma", "mental_disorder", "risk_events", "upgrades_once", "cap"

DEFAULT_UPGRADES = UpgradeMode.ONCE.value
UPGRADE_MODES = frozenset(UpgradeMode.values)
DEFAULT_VALIDITY_MONTHS = 12
DEFAULT_DUE_DAYS = 30


# Settings ------------------------------------------------------------------------------------


def upgrade_mode() -> str:
    mode = getattr(settings, "CARECIRCLE_ASSESSMENT_UPGRADES", DEFAULT_UPGRADES)
    if mode not in UPGRADE_MODES:
        raise ImproperlyConfigured(
            f"CARECIRCLE_ASSESSMENT_UPGRADES must be one of {sorted(UPGRADE_MODES)}, not {mode!r}"
        )
    return mode


def validity_months() -> int:
    months = int(
        getattr(settings, "CARECIRCLE_ASSESSMENT_VALIDITY_MONTHS", DEFAULT_VALIDITY_MONTHS)
    )
    if months < 1:
        raise ImproperlyConfigured("CARECIRCLE_ASSESSMENT_VALIDITY_MONTHS must be at least 1")
    return months


def due_days() -> int:
    """How many days before expiry an elder appears on the due worklist."""
    return int(getattr(settings, "CARECIRCLE_ASSESSMENT_DUE_DAYS", DEFAULT_DUE_DAYS))


# Dates ---------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; a day missing in that month becomes its last day."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until_for(assessed_on: dt.date) -> dt.date:
    """The last valid day (inclusive): assessed 2025-03-15 with 12 months → 2026-03-14."""
    return add_months(assessed_on, validity_months()) - dt.timedelta(days=1)


def risk_window(assessed_on: dt.date) -> tuple[dt.date, dt.date]:
    """The 30 days (from the data file) ending on the assessment day, both ends included."""
    days = standard().rules[RISK].window_days
    return assessed_on - dt.timedelta(days=days - 1), assessed_on


# Scoring -------------------------------------------------------------------------------------


def _item_label(item: Item) -> str:
    return f"{item.code} {item.name}"


def _points(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() else None


def check_items(item_scores: Mapping[str, Any], *, partial: bool = False) -> dict[str, int]:
    """Every item answered with one of its listed options (``partial``: blanks allowed).

    Raises ``ValidationError`` keyed by item code with a Chinese message naming the item.
    """
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    known = {item.code for item in standard().items}
    for code in item_scores:
        if code not in known:
            errors[str(code)] = _("未知的评估项目“%(c)s”") % {"c": code}
    for item in standard().items:
        raw = item_scores.get(item.code)
        if raw is None or raw == "":
            if not partial:
                errors[item.code] = _("%(i)s：未评分，每一项都必须评分") % {"i": _item_label(item)}
            continue
        points = _points(raw)
        if points is None or item.option(points) is None:
            allowed = "、".join(str(o.points) for o in item.options)
            errors[item.code] = _("%(i)s：“%(v)s”不是本项的选项，可选：%(a)s") % {
                "i": _item_label(item),
                "v": raw,
                "a": allowed,
            }
            continue
        clean[item.code] = points
    if errors:
        raise ValidationError(errors)
    return clean


def domain_totals(item_scores: Mapping[str, int]) -> list[tuple[Domain, int]]:
    return [
        (domain, sum(item_scores.get(item.code, 0) for item in domain.items))
        for domain in standard().domains
    ]


def count_risk_events(events: Iterable[Mapping[str, Any]], assessed_on: dt.date) -> int:
    """Events in the window; an event without a date was declared as within it (Excel import)."""
    first, last = risk_window(assessed_on)
    count = 0
    for event in events:
        day = event.get("date")
        if isinstance(day, str) and day:
            day = dt.date.fromisoformat(day)
        if not day or first <= day <= last:
            count += 1
    return count


def adjust(
    initial_level: int,
    *,
    coma: bool,
    diseases: Iterable[str],
    risk_events: int,
    mode: str | None = None,
) -> tuple[int, list[str]]:
    """C.4: the final level and the codes of the rules that changed it (in order)."""
    top = standard().top_level
    if coma:
        return top, [COMA]
    mode = mode or upgrade_mode()
    raising = {d.code for d in standard().diseases if d.raises_level}
    applied: list[str] = []
    if raising & set(diseases):
        applied.append(MENTAL)
    if risk_events >= standard().rules[RISK].min_events:
        applied.append(RISK)
    steps = len(applied)
    if steps > 1 and mode == UpgradeMode.ONCE:
        steps = 1
        applied.append(ONCE)
    final = initial_level + steps
    if final > top:
        final = top
        applied.append(CAP)
    return final, applied


@dataclass
class Result:
    """What scoring gives for a (possibly unfinished) form."""

    item_scores: dict[str, int]
    domains: list[tuple[Domain, int]]
    score: int
    missing: list[Item]
    risk_events: int
    initial_level: int | None = None
    final_level: int | None = None
    adjustments: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def evaluate(
    item_scores: Mapping[str, Any],
    *,
    coma: bool = False,
    diseases: Iterable[str] = (),
    risk_events: Iterable[Mapping[str, Any]] = (),
    assessed_on: dt.date | None = None,
    partial: bool = False,
) -> Result:
    """Score and grade; with ``partial`` an unfinished form gives its running total only."""
    clean = check_items(item_scores, partial=partial)
    on = assessed_on or timezone.localdate()
    events = count_risk_events(risk_events, on)
    result = Result(
        item_scores=clean,
        domains=domain_totals(clean),
        score=sum(clean.values()),
        missing=[item for item in standard().items if item.code not in clean],
        risk_events=events,
    )
    if result.complete:
        result.initial_level = standard().level_for(result.score)
        result.final_level, result.adjustments = adjust(
            result.initial_level, coma=coma, diseases=diseases, risk_events=events
        )
    elif coma:
        # A coma decides the level whatever the items say.
        result.final_level, result.adjustments = standard().top_level, [COMA]
    return result


def explain(adjustments: Iterable[str]) -> list[str]:
    """The Chinese wording of each applied rule, for the result page."""
    rules = standard().rules
    return [rules[code].text for code in adjustments if code in rules]


# Validation of the other inputs ----------------------------------------------------------------


def check_person(person: Person, assessed_on: dt.date | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if person.domain != PersonDomain.ELDERLY:
        errors["person"] = _("只能评估老年人")
    elif person.merged_into_id:
        errors["person"] = _("该记录已合并，请评估保留的记录")
    if assessed_on is None or errors:
        return errors
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = _("评估日期不能晚于今天")
    elif person.death_date and assessed_on >= person.death_date:
        errors["assessed_on"] = _("评估日期不能晚于死亡日期")
    elif person.birth_date > years_before(assessed_on, ELDER_AGE):
        errors["assessed_on"] = _("评估日期时该人员未满60周岁")
    return errors


def check_assessors(name: str, medical: bool, second: str, second_medical: bool) -> dict[str, str]:
    """Two different assessors, at least one of them with a medical background."""
    errors: dict[str, str] = {}
    name, second = (name or "").strip(), (second or "").strip()
    if not name:
        errors["assessor_name"] = _("请填写评估员姓名")
    if not second:
        errors["second_assessor_name"] = _("每次评估须由两名评估员进行，请填写第二评估员")
    elif name and name == second:
        errors["second_assessor_name"] = _("两名评估员不能是同一人")
    if not (medical or second_medical):
        errors["assessor_medical"] = _("两名评估员中至少一名须具有医学背景")
    return errors


def check_diseases(codes: Iterable[str]) -> dict[str, str]:
    unknown = [code for code in codes if standard().disease(code) is None]
    if unknown:
        return {"diseases": _("未知的疾病编码：%(c)s") % {"c": "、".join(map(str, unknown))}}
    return {}


def normalise_events(events: Iterable[Mapping[str, Any]]) -> list[dict[str, str | None]]:
    """[{kind, date}] with ISO dates (``None`` when the date is not known)."""
    out = []
    for event in events:
        day = event.get("date")
        if isinstance(day, dt.date):
            day = day.isoformat()
        out.append({"kind": str(event.get("kind") or ""), "date": day or None})
    return out


def check_risk_events(
    events: Iterable[Mapping[str, Any]], assessed_on: dt.date | None
) -> dict[str, str]:
    problems = []
    for number, event in enumerate(events, start=1):
        kind = event.get("kind") or ""
        if kind and standard().risk_kind(kind) is None:
            problems.append(_("第%(n)d条：未知的事件类型“%(k)s”") % {"n": number, "k": kind})
        day = event.get("date")
        if not day or assessed_on is None:
            continue
        try:
            day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
        except ValueError:
            problems.append(_("第%(n)d条：日期格式应为 YYYY-MM-DD") % {"n": number})
            continue
        first, last = risk_window(assessed_on)
        if not first <= day <= last:
            problems.append(
                _("第%(n)d条：日期须在评估日前30天内（%(a)s至%(b)s）")
                % {"n": number, "a": first.isoformat(), "b": last.isoformat()}
            )
    return {"risk_events": "；".join(problems)} if problems else {}


def check_first(person: Person, assessed_on: dt.date, reason: str, exclude_pk=None) -> dict:
    """Reason 首次评估 only when the person has no earlier assessment."""
    if reason != "first" or person.pk is None:
        return {}
    earlier = Assessment.objects.filter(person=person, assessed_on__lt=assessed_on)
    if exclude_pk:
        earlier = earlier.exclude(pk=exclude_pk)
    if earlier.exists():
        return {"reason": _("该老年人此前已有评估记录，评估原因不能为“首次评估”")}
    return {}


def check_duplicate(assessment: Assessment) -> dict[str, str]:
    same = Assessment.objects.filter(
        person_id=assessment.person_id,
        assessed_on=assessment.assessed_on,
        reason=assessment.reason,
    ).exclude(pk=assessment.pk)
    if assessment.person_id and same.exists():
        return {"assessed_on": _("该老年人同一日期已有同一原因的评估")}
    return {}


def check(assessment: Assessment) -> Result:
    """Every rule on an unsaved or changed assessment; raises one ``ValidationError`` naming
    each field (item codes for the items)."""
    errors: dict[str, Any] = {}
    on = assessment.assessed_on
    if on is None:
        errors["assessed_on"] = _("请填写评估日期")
    if assessment.person_id is None:
        errors["person"] = _("请先选择被评估的老年人")
    else:
        errors.update(check_person(assessment.person, on))
    if standard().reason(assessment.reason) is None:
        errors["reason"] = _("请选择评估原因")
    elif on is not None and assessment.person_id is not None:
        errors.update(check_first(assessment.person, on, assessment.reason, assessment.pk))
        errors.update(check_duplicate(assessment))
    errors.update(
        check_assessors(
            assessment.assessor_name,
            assessment.assessor_medical,
            assessment.second_assessor_name,
            assessment.second_assessor_medical,
        )
    )
    errors.update(check_diseases(assessment.diseases or []))
    errors.update(check_risk_events(assessment.risk_events or [], on))
    result = None
    try:
        result = evaluate(
            assessment.item_scores or {},
            coma=assessment.coma,
            diseases=assessment.diseases or [],
            risk_events=assessment.risk_events or [],
            assessed_on=on,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return result


# Recording -----------------------------------------------------------------------------------


def apply_result(assessment: Assessment, result: Result) -> None:
    assessment.item_scores = result.item_scores
    assessment.initial_score = result.score
    assessment.initial_level = result.initial_level
    assessment.final_level = result.final_level
    assessment.adjustments = result.adjustments
    assessment.valid_until = valid_until_for(assessment.assessed_on)
    assessment.diseases = sorted(set(assessment.diseases or []), key=disease_order)
    assessment.risk_events = normalise_events(assessment.risk_events or [])


def disease_order(code: str) -> int:
    codes = [d.code for d in standard().diseases]
    return codes.index(code) if code in codes else len(codes)


@transaction.atomic
def record_assessment(assessment: Assessment, *, user=None) -> Assessment:
    """Check, score and save; an immediate assessment or review replaces the person's
    previous still-valid assessments from its date on (``invalidated_on``)."""
    result = check(assessment)
    apply_result(assessment, result)
    if assessment.pk is None and user is not None and user.is_authenticated:
        assessment.assessor = user
    if assessment.pk is not None:
        release_superseded(assessment)
        keep_own_replacement(assessment)
    assessment.save()
    supersede_previous(assessment)
    superseded_by_later(assessment)
    return assessment


def release_superseded(assessment: Assessment) -> None:
    """Undo what an assessment replaced before it is changed (its date or reason may change)."""
    for old in Assessment.objects.select_for_update().filter(superseded_by=assessment):
        old.invalidated_on = None
        old.superseded_by = None
        old.save(update_fields=["invalidated_on", "superseded_by", "updated_at"])


def keep_own_replacement(assessment: Assessment) -> None:
    """After an edit of its date, an assessment stays replaced only if its replacement still
    falls within its validity."""
    later = assessment.superseded_by
    if later is not None and not (
        assessment.assessed_on <= later.assessed_on <= assessment.valid_until
    ):
        assessment.invalidated_on = None
        assessment.superseded_by = None


def supersede_previous(assessment: Assessment) -> int:
    reason = standard().reason(assessment.reason)
    if reason is None or not reason.invalidates_previous:
        return 0
    previous = (
        Assessment.objects.select_for_update()
        .filter(valid_q(assessment.assessed_on), person_id=assessment.person_id)
        .exclude(pk=assessment.pk)
    )
    count = 0
    for old in previous:
        old.invalidated_on = assessment.assessed_on
        old.superseded_by = assessment
        old.save(update_fields=["invalidated_on", "superseded_by", "updated_at"])
        count += 1
    return count


def superseded_by_later(assessment: Assessment) -> bool:
    """An assessment entered after a later-dated immediate assessment or review (back-filled, or
    imported out of order) is replaced by it just as if it had been entered first."""
    invalidating = [r.code for r in standard().reasons if r.invalidates_previous]
    later = (
        Assessment.objects.filter(
            person_id=assessment.person_id,
            reason__in=invalidating,
            assessed_on__gt=assessment.assessed_on,
            assessed_on__lte=assessment.valid_until,
        )
        .exclude(pk=assessment.pk)
        .order_by("assessed_on", "pk")
        .first()
    )
    if later is None:
        return False
    assessment.invalidated_on = later.assessed_on
    assessment.superseded_by = later
    assessment.save(update_fields=["invalidated_on", "superseded_by", "updated_at"])
    return True
