"""What each role may do. Roles are disjoint (R4) and a user without a role may do nothing (R2).

Permissions use Django's ``app_label.codename`` names so that ``user.has_perm`` works the same in
views, the API and the admin. Scope (which rows) is separate: see ``ScopedQuerySet.for_user``.
"""

from __future__ import annotations

from carecircle.accounts.choices import Role

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

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.CITY_OFFICER: _perms(VIEW) | {"core.export_data"} | INDICATOR_COORDINATE,
    Role.DEPARTMENT_OFFICER: {"core.export_data"} | INDICATOR_REPORT,
    Role.CIVIL_AFFAIRS_OFFICER: _perms(EDIT)
    | {
        "persons.view_full_id_number",
        "persons.merge_person",
        "persons.import_person",
        "institutions.import_provider",
        "core.export_data",
        "accounts.manage_users",
    }
    | INDICATOR_REPORT,
    Role.HEALTH_OFFICER: _perms(EDIT)
    | {
        "persons.view_full_id_number",
        "persons.import_person",
        "institutions.import_provider",
        "core.export_data",
        "accounts.manage_users",
    }
    | INDICATOR_REPORT,
    Role.TOWN_OFFICER: _perms(EDIT)
    | {
        "persons.view_full_id_number",
        "persons.merge_person",
        "persons.import_person",
        "core.export_data",
        "accounts.manage_users",
    }
    | INDICATOR_VIEW
    | {"indicators.add_valuenote"},
    Role.VILLAGE_WORKER: _perms(VIEW)
    | _perms(("add", "change"), ("persons",))
    | {"core.export_data"}
    | INDICATOR_VIEW,
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
    },
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
    return {role for role in BUSINESS_ROLES if permissions_for(role) <= own}
