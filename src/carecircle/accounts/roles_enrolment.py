"""What each role may do with classes, applications, waiting lists and enrolments of childcare
providers. Merged into ``roles.ROLE_PERMISSIONS``.

An application's personal data (the child's ID number, the guardian's name and phone) is for the
chosen institution and the health commission only: ``view_application``, ``view_offer``,
``view_enrolment`` and ``view_staffduty`` go to institution staff (their own provider, by scope)
and health officers. Town and village workers and the city coordination office see the classes
with their counts (occupancy, vacancies, waiting) and nothing about the children.
"""

from __future__ import annotations

from carecircle.accounts.choices import Role

CLASS_COUNTS = {"enrolment.view_classrule", "enrolment.view_childcareclass"}

PERSONAL = {
    "enrolment.view_application",
    "enrolment.view_offer",
    "enrolment.view_enrolment",
    "enrolment.view_staffduty",
    "enrolment.view_applicant_contact",
}

ENROLMENT: dict[str, set[str]] = {
    # The health commission keeps the rules and priority groups and oversees every class.
    Role.HEALTH_OFFICER: CLASS_COUNTS
    | PERSONAL
    | {
        "enrolment.change_classrule",
        "enrolment.view_prioritygroup",
        "enrolment.add_prioritygroup",
        "enrolment.change_prioritygroup",
    },
    # A childcare provider runs its classes, rosters, applications, offers and enrolments.
    Role.INSTITUTION_STAFF: CLASS_COUNTS
    | PERSONAL
    | {
        "enrolment.view_prioritygroup",
        "enrolment.add_childcareclass",
        "enrolment.change_childcareclass",
        "enrolment.add_staffduty",
        "enrolment.add_application",
        "enrolment.change_application",
        "enrolment.add_offer",
        "enrolment.change_offer",
        "enrolment.change_enrolment",
    },
    Role.CITY_OFFICER: set(CLASS_COUNTS),
    # Holds what the village workers it manages hold (``grantable_roles``); with its elderly
    # domain it sees no childcare class.
    Role.CIVIL_AFFAIRS_OFFICER: set(CLASS_COUNTS),
    Role.TOWN_OFFICER: set(CLASS_COUNTS),
    Role.VILLAGE_WORKER: set(CLASS_COUNTS),
}
