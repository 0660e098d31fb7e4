"""What each role may do with the childcare records (filing, classes, enrolment, portal
applications). Merged into ``roles.ROLE_PERMISSIONS``.

Filing (备案) is decided by the county health commission; a childcare provider's own staff draft,
document and submit its filing (rows limited to their institution by scope). Networks and
brand chains are kept by the commission and read by the area officers.
"""

from __future__ import annotations

from carecircle.accounts.choices import Role


def _perms(actions: tuple[str, ...], models: tuple[str, ...]) -> set[str]:
    return {f"childcare.{action}_{model}" for model in models for action in actions}


VIEW = ("view",)
EDIT = ("view", "add", "change")
FILING = ("filing",)
NETWORKS = ("carenetwork", "brandchain")
SUPPLY = {"childcare.view_supply_demand"}

CHILDCARE: dict[str, set[str]] = {
    Role.HEALTH_OFFICER: _perms(EDIT, FILING)
    | _perms(EDIT, NETWORKS)
    | {"childcare.review_filing"}
    | SUPPLY,
    Role.INSTITUTION_STAFF: _perms(EDIT, FILING) | _perms(VIEW, NETWORKS),
    Role.CITY_OFFICER: _perms(VIEW, FILING) | _perms(VIEW, NETWORKS) | SUPPLY,
    Role.TOWN_OFFICER: _perms(VIEW, FILING) | _perms(VIEW, NETWORKS) | SUPPLY,
    Role.VILLAGE_WORKER: _perms(VIEW, FILING) | _perms(VIEW, NETWORKS),
    # The working-day calendar (holidays, make-up working days) is kept in the admin site.
    Role.SYSTEM_ADMIN: {
        "childcare.view_workingcalendarday",
        "childcare.add_workingcalendarday",
        "childcare.change_workingcalendarday",
        "childcare.delete_workingcalendarday",
    },
}
