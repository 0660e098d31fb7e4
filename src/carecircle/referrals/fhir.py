"""Referrals as HL7 FHIR R4 resources: the identifier systems and codes, and the export.

A referral is a ``ServiceRequest`` (intent ``order``, code SNOMED CT 3457005 "Patient referral")
whose ``subject`` is the resident's ``Patient``, ``requester`` the sending organisation and
``performer`` the receiving one, both ``Organization`` resources identified by their unified
social credit code. An export is a ``Bundle`` of type ``collection`` holding every resource it
references, checked against the ``fhir.resources`` R4B models before it leaves. R4B shares R4's
definitions of these resources, so the file is a valid R4 Bundle.

The file carries full ID numbers and names (the receiving system must match people), so the
export requires ``persons.view_full_id_number`` and ``referrals.exchange_referral`` and is audited.
``docs/services/referrals.md`` documents the mapping field by field.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from fhir.resources.R4B.bundle import Bundle

from carecircle.institutions.models import Provider
from carecircle.referrals.choices import Direction, ReferralStatus
from carecircle.referrals.models import Hospital, Referral

# 居民身份证号: the identifier root of WS/T 500 (电子病历共享文档规范) for a patient's resident ID
# card number ("患者身份证件号码"), written as an OID URN. (2.16.156.10011.1.1 in the same
# scheme names the document serial number, not a person.)
ID_NUMBER_SYSTEM = "urn:oid:2.16.156.10011.1.3"
# 统一社会信用代码 (GB 32100-2015) has no published FHIR system or OID; this platform's own URN
# names it until a provincial profile defines one.
USCC_SYSTEM = "urn:carecircle:sid:uscc"
# The platform's referral number (``Referral.fhir_id``): the exchange key.
REFERRAL_SYSTEM = "urn:carecircle:sid:referral"
DIRECTION_SYSTEM = "urn:carecircle:cs:referral-direction"
WORKFLOW_EXTENSION = "urn:carecircle:ext:referral-workflow"
ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
SNOMED_SYSTEM = "http://snomed.info/sct"
REFERRAL_CODE = "3457005"  # Patient referral (procedure)
ORGANIZATION_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/organization-type"

# Our workflow status → FHIR RequestStatus. Accepted and initiated are both "active"; rejected
# and cancelled both "revoked": the workflow extension keeps the difference.
FHIR_STATUS = {
    ReferralStatus.INITIATED: "active",
    ReferralStatus.ACCEPTED: "active",
    ReferralStatus.COMPLETED: "completed",
    ReferralStatus.REJECTED: "revoked",
    ReferralStatus.CANCELLED: "revoked",
}
DIRECTION_DISPLAY = {Direction.UP: "上转", Direction.DOWN: "下转"}


def instant(value: dt.datetime) -> str:
    """A FHIR dateTime in local time with its offset (seconds kept exactly)."""
    return timezone.localtime(value).isoformat()


def urn(value: uuid.UUID) -> str:
    return f"urn:uuid:{value}"


def patient_resource(person) -> dict:
    return {
        "resourceType": "Patient",
        "id": str(person.uuid),
        "identifier": [{"use": "official", "system": ID_NUMBER_SYSTEM, "value": person.id_number}],
        "name": [{"text": person.name}],
        "gender": "male" if person.sex == "M" else "female",
        "birthDate": person.birth_date.isoformat(),
    }


def organization_resource(org: Provider | Hospital) -> dict:
    is_hospital = isinstance(org, Hospital)
    return {
        "resourceType": "Organization",
        "id": str(org.uuid),
        "identifier": [{"use": "official", "system": USCC_SYSTEM, "value": org.credit_code}],
        "active": True,
        "type": [
            {
                "coding": [
                    {
                        "system": ORGANIZATION_TYPE_SYSTEM,
                        "code": "prov" if is_hospital else "other",
                    }
                ],
                "text": "医院" if is_hospital else "养老机构",
            }
        ],
        "name": org.name,
    }


def workflow_extension(referral: Referral) -> dict:
    parts = [{"url": "status", "valueCode": referral.status}]
    if referral.accepted_at:
        parts.append({"url": "acceptedAt", "valueDateTime": instant(referral.accepted_at)})
    if referral.completed_at:
        parts.append({"url": "completedAt", "valueDateTime": instant(referral.completed_at)})
    if referral.reject_reason:
        parts.append({"url": "rejectReason", "valueString": referral.reject_reason})
    return {"url": WORKFLOW_EXTENSION, "extension": parts}


def service_request_resource(referral: Referral) -> dict:
    direction = Direction(referral.direction)
    return {
        "resourceType": "ServiceRequest",
        "id": str(referral.uuid),
        "extension": [workflow_extension(referral)],
        "identifier": [{"system": REFERRAL_SYSTEM, "value": referral.fhir_id}],
        "status": FHIR_STATUS[referral.status],
        "intent": "order",
        "category": [
            {
                "coding": [
                    {
                        "system": DIRECTION_SYSTEM,
                        "code": direction.value,
                        "display": DIRECTION_DISPLAY[direction],
                    }
                ]
            }
        ],
        "code": {
            "coding": [
                {"system": SNOMED_SYSTEM, "code": REFERRAL_CODE, "display": "Patient referral"}
            ],
            "text": "双向转诊",
        },
        "priority": referral.urgency,
        "subject": {"reference": urn(referral.person.uuid)},
        "authoredOn": instant(referral.referred_on),
        "requester": {"reference": urn(referral.source.uuid)},
        "performer": [{"reference": urn(referral.target.uuid)}],
        "reasonCode": [
            {
                "coding": [
                    {
                        "system": ICD10_SYSTEM,
                        "code": referral.diagnosis_code,
                        "display": referral.diagnosis_text,
                    }
                ],
                "text": referral.diagnosis_text,
            }
        ],
        "note": [{"text": referral.reason}],
    }


class ExportError(Exception):
    """The referrals cannot be exported as they are (an organisation without a credit code)."""


def build_bundle(referrals: QuerySet[Referral] | Iterable[Referral]) -> dict:
    """A ``collection`` Bundle of the referrals and the patients and organisations they name,
    validated by the R4B models (a ``pydantic`` error here is a bug, not a user's mistake)."""
    if isinstance(referrals, QuerySet):
        referrals = referrals.select_related(
            "person", "from_provider", "to_provider", "from_hospital", "to_hospital"
        ).order_by("referred_on", "pk")
    organizations: dict[uuid.UUID, dict] = {}
    patients: dict[uuid.UUID, dict] = {}
    requests: list[dict] = []
    missing: set[str] = set()
    for referral in referrals:
        for org in (referral.source, referral.target):
            if not org.credit_code:
                missing.add(org.name)
            elif org.uuid not in organizations:
                organizations[org.uuid] = organization_resource(org)
        if referral.person.uuid not in patients:
            patients[referral.person.uuid] = patient_resource(referral.person)
        requests.append(service_request_resource(referral))
    if missing:
        raise ExportError(
            _("以下机构没有统一社会信用代码，无法导出：%(n)s") % {"n": "、".join(sorted(missing))}
        )
    entries = [
        {"fullUrl": urn(key), "resource": resource}
        for group in (organizations, patients)
        for key, resource in group.items()
    ]
    entries += [{"fullUrl": urn(uuid.UUID(r["id"])), "resource": r} for r in requests]
    bundle = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": instant(timezone.now()),
        "entry": entries,
    }
    Bundle.model_validate(bundle)
    return bundle


def count_requests(bundle: dict) -> int:
    return sum(
        1
        for entry in bundle.get("entry", [])
        if entry.get("resource", {}).get("resourceType") == "ServiceRequest"
    )
