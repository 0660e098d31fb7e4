"""What each role may do with the infant health records (newborn visits, screening,
vaccinations, health checks, development guidance). Merged into ``roles.ROLE_PERMISSIONS``.

The primary-care health workers (基层卫生人员) record and import the services of their area; the
health commission (卫健委) and the city coordination office read them and the indicators they
feed; town officers and village (community) workers read them to follow up families. The
immunisation schedule (``VaccineDose``) is reference data: readable with the records, kept by
the system administrator in the admin site.
"""

from __future__ import annotations

from carecircle.accounts.choices import Role

RECORDS = (
    "newbornvisit",
    "newbornscreening",
    "vaccination",
    "childhealthcheck",
    "developmentguidance",
)


def _perms(actions: tuple[str, ...], models: tuple[str, ...] = RECORDS) -> set[str]:
    return {f"childhealth.{action}_{model}" for model in models for action in actions}


VIEW = ("view",)
EDIT = ("view", "add", "change")
SCHEDULE = _perms(VIEW, ("vaccinedose",))
IMPORT = {"childhealth.import_childhealthrecords"}
# A health worker follows the C01–C05 and X06 gap lists down to the children (residence rows).
INDICATORS = {
    "indicators.view_indicator",
    "indicators.view_indicatorvalue",
    "indicators.view_target",
    "indicators.view_reportedvalue",
    "indicators.view_valuenote",
}

CHILD_HEALTH: dict[str, set[str]] = {
    Role.HEALTH_WORKER: _perms(EDIT)
    | SCHEDULE
    | IMPORT
    | INDICATORS
    | {"persons.view_person", "persons.view_residence", "core.export_data"},
    Role.HEALTH_OFFICER: _perms(VIEW) | SCHEDULE,
    Role.CITY_OFFICER: _perms(VIEW) | SCHEDULE,
    Role.TOWN_OFFICER: _perms(VIEW) | SCHEDULE,
    Role.VILLAGE_WORKER: _perms(VIEW) | SCHEDULE,
    Role.SYSTEM_ADMIN: _perms(("view", "add", "change"), ("vaccinedose",)),
}
