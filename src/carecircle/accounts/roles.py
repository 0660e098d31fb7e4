"""What each role may do. Roles are disjoint (R4) and a user without a role may do nothing (R2).

Permissions use Django's ``app_label.codename`` names so that ``user.has_perm`` works the same in
views, the API and the admin. Scope (which rows) is separate: see ``ScopedQuerySet.for_user``.
"""

from __future__ import annotations

from carecircle.accounts import roles_childcare, roles_childhealth, roles_enrolment
from carecircle.accounts.choices import Role
from carecircle.core.choices import ScopeDomain

REGISTRY_MODELS = {
    "areas": ["area", "populationfact", "residentialarea"],
    "institutions": [
        "provider",
        "capacityrecord",
        "designation",
        "grade",
        "institutionpair",
        "staff",
        "staffcertificate",
        "training",
        "residency",
        "creditlisting",
    ],
    "persons": ["person", "residence", "hardshipflag", "contact"],
}


def _perms(actions: tuple[str, ...], apps: tuple[str, ...] = ("areas", "institutions", "persons")):
    return {
        f"{app}.{action}_{model}"
        for app in apps
        for model in REGISTRY_MODELS[app]
        for action in actions
    }


# Indicator monitoring: everyone with an area reads it; departments report their indicators; the
# coordination office (city officer) approves, sets targets and closes periods.
INDICATOR_VIEW = {
    "indicators.view_indicator",
    "indicators.view_indicatorvalue",
    "indicators.view_target",
    "indicators.view_reportedvalue",
    "indicators.view_valuenote",
}
INDICATOR_REPORT = INDICATOR_VIEW | {"indicators.report_value", "indicators.add_valuenote"}
INDICATOR_COORDINATE = INDICATOR_REPORT | {
    "indicators.approve_value",
    "indicators.unlock_value",
    "indicators.change_indicator",
    "indicators.add_target",
    "indicators.change_target",
    "indicators.delete_target",
    "indicators.add_baseline",
    "indicators.change_baseline",
    "indicators.add_reportingdeadline",
    "indicators.change_reportingdeadline",
    "indicators.close_period",
}

VIEW = ("view",)
EDIT = ("view", "add", "change")

# Elderly services (issue 4): the records each service app keeps, by app.
SERVICE_MODELS = {
    "assessments": ["assessment"],
    "homecare": [
        "serviceitem",
        "providercontract",
        "entitlementrule",
        "entitlement",
        "serviceorder",
        "settlement",
    ],
    "visits": ["visit", "helper", "pairing", "helplog", "carewish"],
    "adaptations": ["adaptationproject", "familycarebed"],
    "emergency": ["calldevice", "callevent"],
    "referrals": ["hospital", "referral"],
    "health": ["elderhealthcheck"],
    "funds": ["lotteryallocation"],
}


def _service(actions: tuple[str, ...], models: dict[str, list[str]] | None = None) -> set[str]:
    """``app.action_model`` for the service records (all of them unless ``models`` narrows)."""
    chosen = models if models is not None else SERVICE_MODELS
    return {
        f"{app}.{action}_{model}"
        for app, names in chosen.items()
        for model in names
        for action in actions
    }


SERVICE_IMPORTS = {
    "assessments.import_assessment",
    "homecare.import_serviceorder",
    "health.import_elderhealthcheck",
    "referrals.exchange_referral",
}
# What a village (community) worker records where it happens: visits, pairs and help, wishes
# for institutional care, call devices and calls.
FIELD_RECORDS = {
    "visits": ["visit", "helper", "pairing", "helplog", "carewish"],
    "emergency": ["calldevice", "callevent"],
}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.CITY_OFFICER: _perms(VIEW) | _service(VIEW) | {"core.export_data"} | INDICATOR_COORDINATE,
    Role.DEPARTMENT_OFFICER: {"core.export_data"} | INDICATOR_REPORT,
    Role.CIVIL_AFFAIRS_OFFICER: _perms(EDIT)
    | {
        "persons.view_full_id_number",
        "persons.merge_person",
        "persons.import_person",
        "institutions.import_provider",
        "core.export_data",
        "accounts.manage_users",
        "homecare.settle_settlement",
    }
    | _service(EDIT)
    | SERVICE_IMPORTS
    | INDICATOR_REPORT,
    Role.HEALTH_OFFICER: _perms(EDIT)
    | {
        "persons.view_full_id_number",
        "persons.import_person",
        "institutions.import_provider",
        "core.export_data",
        "accounts.manage_users",
        "health.import_elderhealthcheck",
        "referrals.exchange_referral",
    }
    | _service(VIEW)
    | _service(EDIT, {"health": ["elderhealthcheck"], "referrals": ["hospital", "referral"]})
    | INDICATOR_REPORT,
    Role.TOWN_OFFICER: _perms(EDIT)
    | {
        "persons.view_full_id_number",
        "persons.merge_person",
        "persons.import_person",
        "core.export_data",
        "accounts.manage_users",
    }
    | _service(VIEW)
    | _service(EDIT, {**FIELD_RECORDS, "adaptations": ["adaptationproject", "familycarebed"]})
    | INDICATOR_VIEW
    | {"indicators.add_valuenote"},
    Role.VILLAGE_WORKER: _perms(VIEW)
    | _perms(("add", "change"), ("persons",))
    | _service(VIEW)
    | _service(EDIT, FIELD_RECORDS)
    | {"core.export_data"}
    | INDICATOR_VIEW,
    # Assessors of a commissioned assessment agency: they read the elders' register and record
    # ability assessments in the area they are commissioned for.
    Role.ASSESSOR: {"persons.view_person", "assessments.import_assessment", "core.export_data"}
    | _service(EDIT, {"assessments": ["assessment"]}),
    # Primary-care health workers (township health centres) keep the elders' annual health
    # checks (E06) here; their infant health services are in ``roles_childhealth``.
    Role.HEALTH_WORKER: _service(EDIT, {"health": ["elderhealthcheck"]})
    | {"health.import_elderhealthcheck"},
    Role.INSTITUTION_STAFF: _perms(VIEW, ("institutions", "persons"))
    | {
        "institutions.change_provider",
        "institutions.add_capacityrecord",
        "institutions.add_staff",
        "institutions.change_staff",
        "institutions.add_staffcertificate",
        "institutions.add_training",
        "institutions.add_residency",
        "institutions.change_residency",
        "core.export_data",
        # A contracted home-care provider records and completes its orders; an institution
        # keeps its family care beds and referrals. Rows are limited to its own by scope.
        "homecare.import_serviceorder",
    }
    | _service(VIEW, {"homecare": ["serviceitem", "providercontract", "entitlement"]})
    | _service(VIEW, {"homecare": ["settlement"], "emergency": ["callevent"]})
    | _service(EDIT, {"homecare": ["serviceorder"], "adaptations": ["familycarebed"]})
    | _service(EDIT, {"referrals": ["referral"]})
    | _service(VIEW, {"referrals": ["hospital"], "assessments": ["assessment"]}),
    Role.SYSTEM_ADMIN: {
        "accounts.manage_users",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_department",
        "accounts.add_department",
        "accounts.change_department",
        "areas.view_area",
        "areas.add_area",
        "areas.change_area",
        # Reference data the admin site shows (no personal data).
        "institutions.view_provider",
        "institutions.view_capacityrecord",
        "institutions.view_designation",
        "institutions.view_grade",
    },
    Role.SECURITY_ADMIN: {"accounts.unlock_user"},
    Role.AUDIT_ADMIN: {"audit.view_auditevent"},
}

# Roles whose accounts stay locked after repeated failures until someone unlocks them (R9).
ADMIN_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}


# Childcare services and infant health (issue 5) keep their role grants in their own modules.
for _extra in (
    roles_childcare.CHILDCARE,
    roles_enrolment.ENROLMENT,
    roles_childhealth.CHILD_HEALTH,
):
    for _role, _granted in _extra.items():
        ROLE_PERMISSIONS.setdefault(_role, set()).update(_granted)


def permissions_for(role: str) -> set[str]:
    return ROLE_PERMISSIONS.get(role, set())


# Roles an area administrator may hand out in the user-management screens. Admin roles are
# never among them: those accounts are created by the system administrator in the admin site.
BUSINESS_ROLES = (
    Role.CITY_OFFICER,
    Role.CIVIL_AFFAIRS_OFFICER,
    Role.HEALTH_OFFICER,
    Role.DEPARTMENT_OFFICER,
    Role.TOWN_OFFICER,
    Role.VILLAGE_WORKER,
    Role.ASSESSOR,
    Role.HEALTH_WORKER,
    Role.INSTITUTION_STAFF,
)


def grantable_roles(user) -> set[str]:
    """Roles ``user`` may grant: business roles whose permissions the granter holds itself.

    An area administrator cannot hand out more than it has (a town officer cannot create a
    civil-affairs officer, who may import providers). The system administrator holds no data
    permissions, so it is the one exception: it may grant any business role (R4: it still can
    never grant an admin role from these screens).
    """
    if not getattr(user, "is_authenticated", False) or not user.has_perm("accounts.manage_users"):
        return set()
    if user.role == Role.SYSTEM_ADMIN:
        return set(BUSINESS_ROLES)
    own = permissions_for(user.role)
    return {role for role in BUSINESS_ROLES if counted_permissions(role, user) <= own}


def counted_permissions(role: str, granter) -> set[str]:
    """The permissions of ``role`` that ``granter`` must hold itself to grant it.

    A granter limited to one domain creates users limited to it, who cannot use the other
    domain's service records; an institution account's service permissions reach only its own
    institution's records (orders, referrals, beds, filings, classes). Neither counts.
    """
    skipped = set(DOMAIN_SERVICE_APPS.get(_other_domain(granter.scope_domain), set()))
    if role == Role.INSTITUTION_STAFF:
        skipped |= set().union(*DOMAIN_SERVICE_APPS.values())
    return {p for p in permissions_for(role) if p.split(".")[0] not in skipped}


# The service apps that hold only one domain's records.
DOMAIN_SERVICE_APPS = {
    ScopeDomain.ELDERLY: set(SERVICE_MODELS),
    ScopeDomain.CHILDCARE: {"childcare", "enrolment", "childhealth", "portal"},
}


def _other_domain(domain: str) -> str | None:
    return {
        ScopeDomain.ELDERLY: ScopeDomain.CHILDCARE,
        ScopeDomain.CHILDCARE: ScopeDomain.ELDERLY,
    }.get(domain)
