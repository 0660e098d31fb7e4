"""Importing a FHIR Bundle of referrals: every entry checked first, then all written or none.

1. The file must be JSON, a ``Bundle`` of type ``collection`` or ``transaction`` whose entries
   hold only ``Patient``, ``Organization`` and ``ServiceRequest`` resources.
2. The ``fhir.resources`` R4B models check structure, cardinality and primitive formats.
3. Our own checks of each ``ServiceRequest``: the referral identifier, ``status``, ``intent``,
   the direction category, ``subject`` (a Patient with a resident ID number registered here),
   ``requester`` and ``performer`` (Organizations identified by a unified social credit code
   and known here, on the sides the direction says), ``reasonCode`` with an ICD-10 coding,
   ``authoredOn`` with time and zone, the reason (``note``) and the workflow extension.
4. The referral identifier (``Referral.fhir_id``) decides: new → created, same content →
   unchanged, different → updated. Referrals, people and organisations outside the importing
   user's scope are treated as unknown.
5. New and changed referrals are written in one transaction, each in a savepoint: a row the
   table's constraints refuse is reported with the constraint's message, and then nothing is
   kept. (Checking the constraints row by row beforehand costs a query per constraint and row.)

Every problem names the entry (``entry[i]``) and the path inside it, in Chinese.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError as PydanticError

from carecircle.core.fields import id_number_index
from carecircle.core.idnumbers import mask_id_number, normalise_credit_code, parse_resident_id
from carecircle.institutions.models import Provider
from carecircle.persons.models import Person
from carecircle.referrals import fhir
from carecircle.referrals.choices import Direction, ReferralStatus, Urgency
from carecircle.referrals.icd10 import icd10_problem, normalise_icd10
from carecircle.referrals.models import Hospital, Referral
from carecircle.referrals.services import place_sides, provider_problem

S = ReferralStatus
RESOURCE_TYPES = ("Patient", "Organization", "ServiceRequest")
BUNDLE_TYPES = ("collection", "transaction")
# FHIR status → workflow status when the workflow extension is absent.
FROM_FHIR_STATUS = {"active": S.INITIATED, "completed": S.COMPLETED, "revoked": S.CANCELLED}
PRIORITIES = {
    "routine": Urgency.ROUTINE,
    "urgent": Urgency.URGENT,
    "asap": Urgency.URGENT,
    "stat": Urgency.URGENT,
}
# Relations come from the database already (no existence check needed per row).
RELATIONS = ["person", "from_provider", "to_provider", "from_hospital", "to_hospital"]
# The fields an import writes, compared to tell "unchanged" from "updated".
COMPARED = (
    "person_id",
    "direction",
    "from_provider_id",
    "to_provider_id",
    "from_hospital_id",
    "to_hospital_id",
    "referred_on",
    "reason",
    "diagnosis_code",
    "diagnosis_text",
    "urgency",
    "status",
    "accepted_at",
    "completed_at",
    "reject_reason",
)


@dataclass
class BundleError:
    entry: int | None  # index in Bundle.entry, None for the Bundle itself
    path: str
    message: str

    def describe(self) -> str:
        if self.entry is None:
            where = self.path or "Bundle"
        else:
            where = _("第%(n)d条（entry[%(i)d]）") % {"n": self.entry + 1, "i": self.entry}
            where += self.path
        return f"{where}：{self.message}"


@dataclass
class BundleOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    requests: int = 0
    errors: list[BundleError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def messages(self, limit: int = 100) -> list[str]:
        return [error.describe() for error in self.errors[:limit]]


class Invalid(Exception):
    def __init__(self, path: str, message: str, entry: int | None = None):
        super().__init__(message)
        self.path, self.message, self.entry = path, message, entry


# Reading the file ------------------------------------------------------------------------------


def parse_json(data: bytes | str | dict) -> dict:
    if isinstance(data, dict):
        parsed = data
    elif len(data) > settings.IMPORT_MAX_BYTES:
        raise Invalid("", _("文件过大"))
    else:
        try:
            parsed = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise Invalid("", _("文件不是有效的JSON")) from exc
    if not isinstance(parsed, dict) or parsed.get("resourceType") != "Bundle":
        raise Invalid("resourceType", _("应为FHIR Bundle资源"))
    return parsed


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _pydantic_message(error: dict) -> str:
    kind = str(error.get("type", ""))
    if kind.endswith("missing"):
        return _("缺少必填字段")
    if kind == "extra_forbidden":
        return _("不是该资源的字段")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return _("取值类型不正确")
    if kind in ("value_error", "string_pattern_mismatch"):
        return _("取值格式不正确")
    return _("取值无效")


def structural_errors(bundle: dict) -> list[BundleError]:
    """Shape and the R4B models' checks; an empty list means the Bundle is well-formed."""
    errors: list[BundleError] = []
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        return [BundleError(None, "entry", _("应为数组"))]
    if len(entries) > settings.IMPORT_MAX_ROWS:
        limit = settings.IMPORT_MAX_ROWS
        return [BundleError(None, "entry", _("条目数超过上限 %(n)d") % {"n": limit})]
    if bundle.get("type") not in BUNDLE_TYPES:
        errors.append(BundleError(None, "type", _("Bundle类型应为 collection 或 transaction")))
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            errors.append(BundleError(index, "resource", _("缺少资源")))
        elif resource.get("resourceType") not in RESOURCE_TYPES:
            errors.append(
                BundleError(
                    index,
                    "resource.resourceType",
                    _("资源类型应为 Patient、Organization 或 ServiceRequest"),
                )
            )
    if errors:
        return errors
    try:
        Bundle.model_validate(bundle)
    except PydanticError as exc:
        for error in exc.errors():
            loc = list(error.get("loc", ()))
            if len(loc) >= 2 and loc[0] == "entry" and isinstance(loc[1], int):
                errors.append(BundleError(loc[1], _path(loc[2:]), _pydantic_message(error)))
            else:
                errors.append(BundleError(None, _path(loc), _pydantic_message(error)))
    except Exception:  # noqa: BLE001 - the models raise other errors on odd input; still the file
        errors.append(BundleError(None, "", _("无法按FHIR R4解析该Bundle")))
    return errors


def _well_shaped(bundle: dict) -> bool:
    """Entries are objects holding a resource of a known type (what the reader relies on)."""
    entries = bundle.get("entry", [])
    return isinstance(entries, list) and all(
        isinstance(entry, dict)
        and isinstance(entry.get("resource"), dict)
        and entry["resource"].get("resourceType") in RESOURCE_TYPES
        for entry in entries
    )


def _datetime(value: Any, path: str) -> dt.datetime:
    if not isinstance(value, str) or "T" not in value:
        raise Invalid(path, _("应为带时间和时区的日期时间，如 2025-03-01T09:30:00+08:00"))
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(path, _("日期时间格式不正确")) from exc
    if parsed.tzinfo is None:
        raise Invalid(path, _("日期时间须带时区"))
    return parsed


def _identifier(resource: dict, system: str) -> str | None:
    for identifier in resource.get("identifier") or []:
        if identifier.get("system") == system and identifier.get("value"):
            return str(identifier["value"]).strip()
    return None


# Checking each ServiceRequest ----------------------------------------------------------------


class BundleReader:
    """Resolves references and identifiers within the user's scope (all rows without a user)."""

    def __init__(self, bundle: dict, user=None, refused: set[int] | None = None):
        self.user = user
        self.entries: list[dict] = bundle.get("entry", [])
        self.refused = refused or set()
        self.by_reference: dict[str, int] = {}
        for index, entry in enumerate(self.entries):
            resource = entry["resource"]
            if index in self.refused:
                continue
            if entry.get("fullUrl"):
                self.by_reference[entry["fullUrl"]] = index
            if resource.get("id"):
                self.by_reference[f"{resource['resourceType']}/{resource['id']}"] = index
        self._persons: dict[int, Person] = {}
        self._by_index: dict[str, Person] | None = None
        self._orgs: dict[int, Provider | Hospital] = {}

    def scoped(self, model):
        manager = model.objects
        return manager.all() if self.user is None else manager.for_user(self.user)

    def resolve(self, reference: dict | None, kind: str, path: str) -> tuple[int, dict]:
        ref = (reference or {}).get("reference")
        if not ref:
            raise Invalid(path, _("缺少对%(k)s的引用") % {"k": kind})
        index = self.by_reference.get(ref)
        refused = next((i for i in self.refused if self.entries[i].get("fullUrl") == ref), None)
        if index is None and refused is not None:
            raise Invalid(
                path, _("引用的%(k)s（entry[%(i)d]）本身有误，见该条") % {"k": kind, "i": refused}
            )
        resource = self.entries[index]["resource"] if index is not None else None
        if resource is None or resource["resourceType"] != kind:
            raise Invalid(path, _("引用的%(k)s“%(r)s”不在本Bundle中") % {"k": kind, "r": ref})
        return index, resource

    def _registered(self) -> dict[str, Person]:
        """Blind index → the person it names, for every Patient of the Bundle (one query per
        500 patients; a living record before a deceased one)."""
        if self._by_index is None:
            indexes = set()
            for index, entry in enumerate(self.entries):
                resource = entry["resource"]
                if index in self.refused:
                    continue
                raw = _identifier(resource, fhir.ID_NUMBER_SYSTEM)
                if resource["resourceType"] == "Patient" and raw:
                    try:
                        indexes.add(id_number_index(parse_resident_id(raw).number))
                    except ValidationError:
                        continue  # reported when a ServiceRequest refers to it
            self._by_index = {}
            ordered = sorted(indexes)
            for start in range(0, len(ordered), 500):
                found = (
                    self.scoped(Person)
                    .filter(id_number_index__in=ordered[start : start + 500])
                    .filter(merged_into__isnull=True)
                    .order_by(F("death_date").asc(nulls_first=True), "-pk")
                )
                for person in found:
                    self._by_index.setdefault(person.id_number_index, person)
        return self._by_index

    def person(self, reference: dict | None) -> Person:
        index, patient = self.resolve(reference, "Patient", "resource.subject")
        if index in self._persons:
            return self._persons[index]
        where = _("Patient（entry[%(i)d]）") % {"i": index}
        raw = _identifier(patient, fhir.ID_NUMBER_SYSTEM)
        if raw is None:
            raise Invalid(
                "resource.subject",
                _("%(w)s缺少居民身份证号（identifier.system 为 %(s)s）")
                % {"w": where, "s": fhir.ID_NUMBER_SYSTEM},
            )
        try:
            parsed = parse_resident_id(raw)
        except ValidationError as exc:
            raise Invalid("resource.subject", f"{where}{'；'.join(exc.messages)}") from exc
        person = self._registered().get(id_number_index(parsed.number))
        if person is None:
            raise Invalid(
                "resource.subject",
                _("%(w)s身份证号 %(m)s 的人员未在本平台登记（或不在您的管辖范围内）")
                % {"w": where, "m": mask_id_number(parsed.number)},
            )
        birth = patient.get("birthDate")
        if birth and birth != person.birth_date.isoformat():
            raise Invalid("resource.subject", _("%(w)s出生日期与身份证号不一致") % {"w": where})
        self._persons[index] = person
        return person

    def organization(self, reference: dict | None, path: str) -> Provider | Hospital:
        index, resource = self.resolve(reference, "Organization", path)
        if index in self._orgs:
            return self._orgs[index]
        where = _("Organization（entry[%(i)d]）") % {"i": index}
        raw = _identifier(resource, fhir.USCC_SYSTEM)
        if raw is None:
            raise Invalid(
                path,
                _("%(w)s缺少统一社会信用代码（identifier.system 为 %(s)s）")
                % {"w": where, "s": fhir.USCC_SYSTEM},
            )
        try:
            code = normalise_credit_code(raw)
        except ValidationError as exc:
            raise Invalid(path, f"{where}{'；'.join(exc.messages)}") from exc
        org = self.scoped(Hospital).filter(credit_code=code).first() or (
            self.scoped(Provider).filter(credit_code=code).first()
        )
        if org is None:
            raise Invalid(
                path,
                _("%(w)s统一社会信用代码 %(c)s 对应的机构未在本平台登记（或不在您的管辖范围内）")
                % {"w": where, "c": code},
            )
        self._orgs[index] = org
        return org


def _direction(resource: dict) -> str:
    for concept in resource.get("category") or []:
        for coding in concept.get("coding") or []:
            if coding.get("system") == fhir.DIRECTION_SYSTEM:
                if coding.get("code") in Direction.values:
                    return coding["code"]
                raise Invalid(
                    "resource.category",
                    _("转诊方向代码“%(c)s”无效，应为 up（上转）或 down（下转）")
                    % {"c": coding.get("code")},
                )
    raise Invalid(
        "resource.category",
        _("缺少转诊方向（coding.system 为 %(s)s）") % {"s": fhir.DIRECTION_SYSTEM},
    )


def _diagnosis(resource: dict) -> tuple[str, str]:
    for index, concept in enumerate(resource.get("reasonCode") or []):
        for coding in concept.get("coding") or []:
            if coding.get("system") != fhir.ICD10_SYSTEM:
                continue
            code = normalise_icd10(str(coding.get("code") or ""))
            problem = icd10_problem(code)
            if problem:
                raise Invalid(f"resource.reasonCode[{index}].coding", problem)
            text = (coding.get("display") or concept.get("text") or "").strip()
            if not text:
                raise Invalid(f"resource.reasonCode[{index}]", _("缺少诊断名称（display 或 text）"))
            return code, text[:100]
    raise Invalid(
        "resource.reasonCode",
        _("缺少ICD-10诊断编码（coding.system 为 %(s)s）") % {"s": fhir.ICD10_SYSTEM},
    )


def _workflow(resource: dict, fhir_status: str) -> dict[str, Any]:
    """Workflow status and its dates from the extension, or from the FHIR status alone."""
    for index, extension in enumerate(resource.get("extension") or []):
        if extension.get("url") != fhir.WORKFLOW_EXTENSION:
            continue
        path = f"resource.extension[{index}]"
        parts = {part.get("url"): part for part in extension.get("extension") or []}
        status = (parts.get("status") or {}).get("valueCode")
        if status not in S.values:
            raise Invalid(path, _("工作流状态应为 %(v)s") % {"v": "、".join(S.values)})
        if fhir.FHIR_STATUS[S(status)] != fhir_status:
            raise Invalid(
                path,
                _("工作流状态“%(w)s”与 status“%(s)s”不一致") % {"w": status, "s": fhir_status},
            )
        values: dict[str, Any] = {"status": status, "accepted_at": None, "completed_at": None}
        for name, key in (("acceptedAt", "accepted_at"), ("completedAt", "completed_at")):
            if name in parts:
                values[key] = _datetime(parts[name].get("valueDateTime"), f"{path}.{name}")
        values["reject_reason"] = str((parts.get("rejectReason") or {}).get("valueString") or "")
        return values
    if fhir_status not in FROM_FHIR_STATUS:
        raise Invalid(
            "resource.status",
            _("不支持的状态“%(s)s”，应为 active、completed 或 revoked") % {"s": fhir_status},
        )
    return {
        "status": FROM_FHIR_STATUS[fhir_status],
        "accepted_at": None,
        "completed_at": None,
        "reject_reason": "",
    }


def referral_values(reader: BundleReader, resource: dict) -> dict[str, Any]:
    """The referral a ServiceRequest describes, or ``Invalid`` naming the first problem."""
    fhir_id = _identifier(resource, fhir.REFERRAL_SYSTEM)
    if not fhir_id:
        raise Invalid(
            "resource.identifier",
            _("缺少转诊单标识（system 为 %(s)s）") % {"s": fhir.REFERRAL_SYSTEM},
        )
    if len(fhir_id) > 64:
        raise Invalid("resource.identifier", _("转诊单标识不能超过64个字符"))
    status = resource.get("status")
    if status not in FROM_FHIR_STATUS:
        raise Invalid(
            "resource.status",
            _("不支持的状态“%(s)s”，应为 active、completed 或 revoked") % {"s": status},
        )
    if resource.get("intent") != "order":
        raise Invalid("resource.intent", _("intent 应为 order"))
    direction = _direction(resource)
    priority = resource.get("priority") or "routine"
    if priority not in PRIORITIES:
        raise Invalid("resource.priority", _("紧急程度应为 routine 或 urgent"))
    if "authoredOn" not in resource:
        raise Invalid("resource.authoredOn", _("缺少转诊时间"))
    referred_on = _datetime(resource["authoredOn"], "resource.authoredOn")
    notes = [note.get("text", "").strip() for note in resource.get("note") or []]
    reason = "；".join(text for text in notes if text)
    if not reason:
        raise Invalid("resource.note", _("缺少转诊原因"))
    code, text = _diagnosis(resource)
    person = reader.person(resource.get("subject"))
    requester = reader.organization(resource.get("requester"), "resource.requester")
    performers = resource.get("performer") or []
    if len(performers) != 1:
        raise Invalid("resource.performer", _("应有且只有一个接收方"))
    performer = reader.organization(performers[0], "resource.performer[0]")
    if direction == Direction.UP:
        provider, hospital = requester, performer
        sides = ("resource.requester", "resource.performer[0]")
    else:
        hospital, provider = requester, performer
        sides = ("resource.performer[0]", "resource.requester")
    if not isinstance(provider, Provider):
        raise Invalid(sides[0], _("%(d)s的这一方应为养老机构") % {"d": Direction(direction).label})
    if not isinstance(hospital, Hospital):
        raise Invalid(sides[1], _("%(d)s的这一方应为医院") % {"d": Direction(direction).label})
    problem = provider_problem(provider)
    if problem:
        raise Invalid(sides[0], problem)
    return {
        "fhir_id": fhir_id,
        "person": person,
        "direction": direction,
        "provider": provider,
        "hospital": hospital,
        "referred_on": referred_on,
        "reason": reason[:500],
        "diagnosis_code": code,
        "diagnosis_text": text,
        "urgency": PRIORITIES[priority],
        **_workflow(resource, status),
    }


def _apply_values(referral: Referral, values: dict[str, Any]) -> None:
    referral.direction = values["direction"]
    place_sides(referral, values["provider"], values["hospital"])
    for name in (
        "person",
        "referred_on",
        "reason",
        "diagnosis_code",
        "diagnosis_text",
        "urgency",
        "status",
        "accepted_at",
        "completed_at",
        "reject_reason",
    ):
        setattr(referral, name, values[name])


def _snapshot(referral: Referral) -> tuple:
    return tuple(getattr(referral, name) for name in COMPARED)


def _existing(fhir_ids: list[str]) -> dict[str, Referral]:
    found: dict[str, Referral] = {}
    for start in range(0, len(fhir_ids), 500):
        chunk = fhir_ids[start : start + 500]
        found.update({r.fhir_id: r for r in Referral.objects.filter(fhir_id__in=chunk)})
    return found


# The import ---------------------------------------------------------------------------------


def import_bundle(data: bytes | str | dict, user=None) -> BundleOutcome:
    """Check the whole Bundle; write nothing if anything is wrong (``user=None``: unscoped, for
    the management command)."""
    outcome = BundleOutcome()
    try:
        bundle = parse_json(data)
    except Invalid as exc:
        outcome.errors.append(BundleError(None, exc.path, exc.message))
        return outcome
    structural = structural_errors(bundle)
    if not _well_shaped(bundle) or any(error.entry is None for error in structural):
        outcome.errors = structural
        return outcome
    # Entries the R4B models refused are reported as such; the others still get our checks,
    # so that one upload lists every problem.
    refused = {error.entry for error in structural}
    reader = BundleReader(bundle, user, refused)
    requests = [
        (index, entry["resource"])
        for index, entry in enumerate(reader.entries)
        if entry["resource"]["resourceType"] == "ServiceRequest" and index not in refused
    ]
    outcome.requests = sum(
        1 for entry in reader.entries if entry["resource"]["resourceType"] == "ServiceRequest"
    )
    existing = _existing(
        [i for i in (_identifier(r, fhir.REFERRAL_SYSTEM) for _x, r in requests) if i]
    )
    visible = (
        None
        if user is None
        else set(
            Referral.objects.for_user(user)
            .filter(pk__in=[r.pk for r in existing.values()])
            .values_list("pk", flat=True)
        )
    )
    planned: list[tuple[int, Referral, str]] = []
    seen: dict[str, int] = {}
    for index, resource in requests:
        try:
            values = referral_values(reader, resource)
            fhir_id = values["fhir_id"]
            if fhir_id in seen:
                raise Invalid(
                    "resource.identifier",
                    _("转诊单标识与第%(n)d条重复") % {"n": seen[fhir_id] + 1},
                )
            seen[fhir_id] = index
            referral = existing.get(fhir_id)
            if referral is not None and visible is not None and referral.pk not in visible:
                raise Invalid("resource.identifier", _("该转诊单已登记，但不在您的管辖范围内"))
            before = _snapshot(referral) if referral is not None else None
            if referral is None:
                referral = Referral(fhir_id=fhir_id)
            _apply_values(referral, values)
            result = "created" if before is None else "updated"
            if before == _snapshot(referral):
                result = "unchanged"  # stored as it is: nothing to check or write
            else:
                try:
                    # Field rules here; the table's constraints when it is written (below).
                    referral.clean_fields(exclude=RELATIONS)
                except ValidationError as exc:
                    raise Invalid("resource", "；".join(exc.messages)) from exc
        except Invalid as exc:
            outcome.errors.append(BundleError(index, exc.path, exc.message))
            continue
        planned.append((index, referral, result))
    if structural or outcome.errors:
        outcome.errors = sorted(structural + outcome.errors, key=lambda e: e.entry)
        return outcome
    with transaction.atomic():
        for index, referral, result in planned:
            if result != "unchanged":
                try:
                    with transaction.atomic():
                        referral.save()
                except IntegrityError as exc:
                    outcome.errors.append(BundleError(index, "resource", constraint_message(exc)))
                    continue
            setattr(outcome, result, getattr(outcome, result) + 1)
        if outcome.errors:
            # All or nothing: one entry the database refuses undoes the others.
            transaction.set_rollback(True)
            outcome.created = outcome.updated = outcome.unchanged = 0
    return outcome


def constraint_message(exc: IntegrityError) -> str:
    """The Chinese message of the constraint the database names in ``exc``."""
    text = str(exc)
    for constraint in Referral._meta.constraints:
        if constraint.name in text:
            return str(constraint.violation_error_message)
    if "fhir_id" in text:
        return _("转诊单标识已被其他转诊单使用")
    return _("写入时与其他数据冲突，未导入任何数据，请重试")
