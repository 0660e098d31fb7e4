"""The FHIR exchange: exported Bundles pass fhir.resources, import is checked, all-or-nothing,
idempotent and scoped, and a round trip gives the same referrals."""

import copy
import json

import pytest
from django.core.management import call_command
from fhir.resources.R4B.bundle import Bundle

from carecircle.core import testing as t
from carecircle.referrals import fhir, services
from carecircle.referrals.choices import Direction
from carecircle.referrals.fhir_import import COMPARED, import_bundle
from carecircle.referrals.models import Referral
from carecircle.referrals.tests.conftest import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrals(resident, other_resident, institution, other_institution, hospital, health_centre):
    accepted = services.accept(make_referral(resident, institution, hospital, days_ago=9))
    back = make_referral(
        resident, institution, hospital, direction=Direction.DOWN, days_ago=3, urgency="routine"
    )
    back = services.complete(services.accept(back))
    rejected = services.reject(
        make_referral(other_resident, other_institution, health_centre), "床位已满"
    )
    return [accepted, back, rejected]


def snapshot(queryset):
    return {r.fhir_id: tuple(getattr(r, name) for name in COMPARED) for r in queryset}


def entries_of(bundle, kind):
    return [
        (i, e["resource"])
        for i, e in enumerate(bundle["entry"])
        if e["resource"]["resourceType"] == kind
    ]


def test_export_is_a_valid_r4_bundle_with_the_referenced_resources(referrals, resident):
    bundle = fhir.build_bundle(Referral.objects.all())
    parsed = Bundle.model_validate(bundle)  # what the R4B models accept
    assert parsed.type == "collection"
    kinds = [e.resource.get_resource_type() for e in parsed.entry]
    assert kinds.count("ServiceRequest") == 3
    assert kinds.count("Patient") == 2 and kinds.count("Organization") == 4
    patient = next(r for _i, r in entries_of(bundle, "Patient") if r["id"] == str(resident.uuid))
    assert patient["identifier"] == [
        {"use": "official", "system": "urn:oid:2.16.156.10011.1.3", "value": resident.id_number}
    ]
    assert patient["name"] == [{"text": "王秀英"}] and patient["birthDate"] == "1940-03-02"
    request = next(
        r for _i, r in entries_of(bundle, "ServiceRequest") if r["id"] == str(referrals[0].uuid)
    )
    assert request["status"] == "active" and request["intent"] == "order"
    assert request["priority"] == "urgent"
    assert request["reasonCode"][0]["coding"][0] == {
        "system": "http://hl7.org/fhir/sid/icd-10",
        "code": "I63.9",
        "display": "脑梗死",
    }
    references = {e["fullUrl"] for e in bundle["entry"]}
    assert request["subject"]["reference"] in references
    assert request["requester"]["reference"] == f"urn:uuid:{referrals[0].from_provider.uuid}"
    assert request["performer"][0]["reference"] == f"urn:uuid:{referrals[0].to_hospital.uuid}"
    orgs = {r["name"]: r["identifier"][0] for _i, r in entries_of(bundle, "Organization")}
    assert orgs["海安市人民医院"]["system"] == fhir.USCC_SYSTEM
    assert orgs["海安市人民医院"]["value"] == referrals[0].to_hospital.credit_code


def test_round_trip_into_an_empty_state_gives_the_same_referrals(referrals):
    before = snapshot(Referral.objects.all())
    bundle = json.dumps(fhir.build_bundle(Referral.objects.all()))
    Referral.objects.all().delete()
    outcome = import_bundle(bundle)
    assert outcome.ok, outcome.messages()
    assert (outcome.created, outcome.updated, outcome.unchanged) == (3, 0, 0)
    assert snapshot(Referral.objects.all()) == before
    again = import_bundle(bundle)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot(Referral.objects.all()) == before


def test_export_then_import_changes_nothing_and_a_change_updates(referrals):
    bundle = fhir.build_bundle(Referral.objects.all())
    outcome = import_bundle(bundle)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 3)
    changed = copy.deepcopy(bundle)
    index, request = entries_of(changed, "ServiceRequest")[0]
    request["note"] = [{"text": "家属补充：夜间胸闷"}]
    request["extension"][0]["extension"] = [{"url": "status", "valueCode": "initiated"}]
    outcome = import_bundle(changed)
    assert outcome.ok, outcome.messages()
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 2)
    updated = Referral.objects.get(fhir_id=request["identifier"][0]["value"])
    assert updated.reason == "家属补充：夜间胸闷" and updated.status == "initiated"
    assert updated.accepted_at is None


def _first_request(bundle):
    return entries_of(bundle, "ServiceRequest")[0]


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (
            lambda r: r["reasonCode"][0]["coding"][0].update(code="X1"),
            "resource.reasonCode[0].coding",
            "ICD-10格式",
        ),
        (lambda r: r.pop("subject"), "resource.subject", "缺少必填字段"),
        (lambda r: r.pop("status"), "resource.status", "缺少必填字段"),
        (lambda r: r.pop("authoredOn"), "resource.authoredOn", "缺少转诊时间"),
        (lambda r: r.update(authoredOn="2025-13-01"), "resource.authoredOn", "取值格式不正确"),
        (lambda r: r.update(intent="plan"), "resource.intent", "intent 应为 order"),
        (lambda r: r.update(status="draft"), "resource.status", "不支持的状态"),
        (
            lambda r: r.update(reasonCode=[{"text": "肺炎"}]),
            "resource.reasonCode",
            "缺少ICD-10诊断编码",
        ),
        (lambda r: r.update(category=[]), "resource.category", "缺少转诊方向"),
        (lambda r: r.update(identifier=[]), "resource.identifier", "缺少转诊单标识"),
        (lambda r: r.update(note=[]), "resource.note", "缺少转诊原因"),
        (
            lambda r: r.update(subject={"reference": "Patient/none"}),
            "resource.subject",
            "不在本Bundle中",
        ),
        (lambda r: r.update(foo=1), "resource.foo", "不是该资源的字段"),
    ],
)
def test_import_errors_name_the_entry_and_path(referrals, change, path, message):
    bundle = fhir.build_bundle(Referral.objects.all())
    Referral.objects.all().delete()
    index, request = _first_request(bundle)
    change(request)
    outcome = import_bundle(bundle)
    assert not outcome.ok
    described = outcome.messages()
    assert any(
        e.entry == index and e.path == path and message in e.message for e in outcome.errors
    ), described
    assert any(d.startswith(f"第{index + 1}条（entry[{index}]）{path}：") for d in described)
    # All or nothing: the other two requests were fine, yet nothing is written.
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (
            [
                {"url": "status", "valueCode": "completed"},
                {"url": "acceptedAt", "valueDateTime": "2099-01-01T08:00:00+08:00"},
            ],
            "仅已完成的转诊有完成时间",
        ),
        (
            [
                {"url": "status", "valueCode": "accepted"},
                {"url": "acceptedAt", "valueDateTime": "2001-01-01T08:00:00+08:00"},
            ],
            "接收时间不能早于转诊时间",
        ),
    ],
)
def test_table_constraints_are_reported_per_entry(referrals, parts, message):
    bundle = fhir.build_bundle(Referral.objects.all())
    Referral.objects.all().delete()
    index, request = next(
        (i, r) for i, r in entries_of(bundle, "ServiceRequest") if r["status"] == "active"
    )
    request["extension"][0]["extension"] = parts
    if parts[0]["valueCode"] == "completed":
        request["status"] = "completed"
    outcome = import_bundle(bundle)
    assert [(e.entry, e.path) for e in outcome.errors] == [(index, "resource")]
    assert message in outcome.errors[0].message
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 0)
    assert not Referral.objects.exists()


def test_unknown_patient_is_an_error(referrals):
    bundle = fhir.build_bundle(Referral.objects.all())
    Referral.objects.all().delete()
    index, request = _first_request(bundle)
    patient_index = next(
        i for i, e in enumerate(bundle["entry"]) if e["fullUrl"] == request["subject"]["reference"]
    )
    stranger = t.resident_id(birth=t.dt.date(1941, 1, 1))
    bundle["entry"][patient_index]["resource"]["identifier"][0]["value"] = stranger
    bundle["entry"][patient_index]["resource"]["birthDate"] = "1941-01-01"
    outcome = import_bundle(bundle)
    errors = [e for e in outcome.errors if e.path == "resource.subject"]
    assert errors and "未在本平台登记" in errors[0].message
    assert stranger not in " ".join(outcome.messages())  # masked in the message
    assert not Referral.objects.exists()


def test_sides_must_match_the_direction(referrals):
    bundle = fhir.build_bundle(Referral.objects.all())
    index, request = _first_request(bundle)
    request["requester"], request["performer"] = request["performer"][0], [request["requester"]]
    outcome = import_bundle(bundle)
    assert any(e.entry == index and "应为养老机构" in e.message for e in outcome.errors)


def test_structure_problems_of_the_bundle(referrals):
    assert import_bundle(b"{not json").messages() == ["Bundle：文件不是有效的JSON"]
    assert import_bundle({"resourceType": "Patient"}).errors[0].path == "resourceType"
    bundle = fhir.build_bundle(Referral.objects.all())
    bundle["type"] = "searchset"
    bundle["entry"].append({"resource": {"resourceType": "Observation"}})
    messages = import_bundle(bundle).messages()
    assert "type：Bundle类型应为 collection 或 transaction" in messages
    assert any("资源类型应为 Patient、Organization 或 ServiceRequest" in m for m in messages)


def test_duplicate_identifiers_in_one_bundle(referrals):
    bundle = fhir.build_bundle(Referral.objects.all())
    (first, one), (second, other) = entries_of(bundle, "ServiceRequest")[:2]
    other["identifier"] = copy.deepcopy(one["identifier"])
    outcome = import_bundle(bundle)
    assert any(e.entry == second and "重复" in e.message for e in outcome.errors)


def test_import_is_scoped_to_the_user(referrals, village_worker, weijian):
    bundle = fhir.build_bundle(Referral.objects.all())
    Referral.objects.all().delete()
    # The village worker's village holds one of the two residents only.
    outcome = import_bundle(bundle, user=village_worker)
    assert not outcome.ok and not Referral.objects.exists()
    assert any("不在您的管辖范围内" in m for m in outcome.messages())
    outcome = import_bundle(bundle, user=weijian)
    assert outcome.ok and outcome.created == 3


def test_existing_referral_outside_scope_is_not_updated(referrals, other_staff):
    bundle = fhir.build_bundle(Referral.objects.filter(pk=referrals[0].pk))
    outcome = import_bundle(bundle, user=other_staff)
    assert not outcome.ok


def test_management_command_exports_and_imports(referrals, tmp_path, capsys):
    path = tmp_path / "bundle.json"
    call_command("referrals_fhir", "export", str(path))
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert fhir.count_requests(exported) == 3
    before = snapshot(Referral.objects.all())
    Referral.objects.all().delete()
    call_command("referrals_fhir", "import", str(path))
    assert snapshot(Referral.objects.all()) == before
    call_command("referrals_fhir", "import", str(path))
    assert "未变 unchanged 3" in capsys.readouterr().out


def test_every_problem_of_an_upload_is_listed(referrals):
    bundle = fhir.build_bundle(Referral.objects.all())
    Referral.objects.all().delete()
    (first, one), (second, two), (third, three) = entries_of(bundle, "ServiceRequest")
    one.pop("subject")  # refused by the R4B models
    two["reasonCode"][0]["coding"][0]["code"] = "肺炎"  # refused by our checks
    patient = next(
        i for i, e in enumerate(bundle["entry"]) if e["fullUrl"] == three["subject"]["reference"]
    )
    bundle["entry"][patient]["resource"]["birthDate"] = "1940-13-01"  # a refused Patient
    outcome = import_bundle(bundle)
    found = {(e.entry, e.path) for e in outcome.errors}
    assert (first, "resource.subject") in found
    assert (second, "resource.reasonCode[0].coding") in found
    assert (patient, "resource.birthDate") in found
    assert any(e.entry == third and "本身有误" in e.message for e in outcome.errors)
    assert [e.entry for e in outcome.errors] == sorted(e.entry for e in outcome.errors)
    assert not Referral.objects.exists()
