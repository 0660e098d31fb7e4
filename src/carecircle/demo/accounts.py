"""Demo accounts, one per kind of user, and their departments.

Accounts are matched by username and updated in place on every (re)load, so audit events and
sessions that refer to them stay valid. An existing account of the same name that is not a demo
account is never taken over.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from carecircle.accounts.choices import DepartmentKind, Role
from carecircle.accounts.models import Department, User
from carecircle.areas.models import Area
from carecircle.core.choices import ScopeDomain
from carecircle.demo.population import CITY_CODE

TOWN_CODE = "320685102"  # 曲塘镇

# key → (name, kind, area code); None means the village chosen at load time.
DEPARTMENTS = {
    "coordination": ("海安市发展和改革委员会", DepartmentKind.COORDINATION, CITY_CODE),
    "civil_affairs": ("海安市民政局", DepartmentKind.CIVIL_AFFAIRS, CITY_CODE),
    "health": ("海安市卫生健康委员会", DepartmentKind.HEALTH, CITY_CODE),
    "town": ("曲塘镇人民政府", DepartmentKind.TOWN, TOWN_CODE),
    "village": (None, DepartmentKind.VILLAGE, None),
    "it": ("海安市信息中心", DepartmentKind.IT, CITY_CODE),
    "human_resources": ("海安市人力资源和社会保障局", DepartmentKind.HUMAN_RESOURCES, CITY_CODE),
    "medical_insurance": ("海安市医疗保障局", DepartmentKind.MEDICAL_INSURANCE, CITY_CODE),
    "town_health": ("曲塘镇卫生院", DepartmentKind.HEALTH, TOWN_CODE),
}

ROLE_ENGLISH = {
    Role.CITY_OFFICER: "city coordination officer",
    Role.CIVIL_AFFAIRS_OFFICER: "civil-affairs officer",
    Role.HEALTH_OFFICER: "health-commission officer",
    Role.TOWN_OFFICER: "town officer",
    Role.DEPARTMENT_OFFICER: "department reporting officer",
    Role.VILLAGE_WORKER: "village worker",
    Role.ASSESSOR: "ability assessor",
    Role.HEALTH_WORKER: "primary health worker",
    Role.INSTITUTION_STAFF: "institution employee",
    Role.AUDIT_ADMIN: "audit administrator",
    Role.SYSTEM_ADMIN: "system administrator",
}
DOMAIN_ENGLISH = {
    ScopeDomain.ELDERLY: "elderly care",
    ScopeDomain.CHILDCARE: "childcare",
    ScopeDomain.BOTH: "elderly care and childcare",
}


@dataclass(frozen=True)
class AccountSpec:
    username: str
    role: str
    # "city", "town", "village", or the institution of an institution employee: "institution"
    # (a private care home), "home_care" (a home-care station), "childcare" (a childcare
    # provider); None for no scope
    scope: str | None
    domain: str
    department: str | None
    full_name: str
    is_staff: bool = False


ACCOUNTS = (
    AccountSpec("city", Role.CITY_OFFICER, "city", ScopeDomain.BOTH, "coordination", "陈立新"),
    AccountSpec(
        "minzheng",
        Role.CIVIL_AFFAIRS_OFFICER,
        "city",
        ScopeDomain.ELDERLY,
        "civil_affairs",
        "王海燕",
    ),
    # The health commission runs childcare filing and infant health as well as the elders'
    # health management and medical-care referrals: both domains.
    AccountSpec("weijian", Role.HEALTH_OFFICER, "city", ScopeDomain.BOTH, "health", "李静"),
    AccountSpec("qutang", Role.TOWN_OFFICER, "town", ScopeDomain.BOTH, "town", "徐志刚"),
    AccountSpec("village", Role.VILLAGE_WORKER, "village", ScopeDomain.BOTH, "village", "顾春梅"),
    AccountSpec("jigou", Role.INSTITUTION_STAFF, "institution", ScopeDomain.BOTH, None, "朱丽华"),
    # A contracted home-care provider's dispatcher, and an assessor of the commissioned
    # ability-assessment agency (city-wide, elders only).
    AccountSpec("fuwu", Role.INSTITUTION_STAFF, "home_care", ScopeDomain.BOTH, None, "黄晓红"),
    AccountSpec("pinggu", Role.ASSESSOR, "city", ScopeDomain.ELDERLY, None, "钱文博"),
    # The childcare provider's director (classes, applications, enrolment), and a health worker
    # of the town health centre (elders' health checks and infant health services).
    AccountSpec("tuoyu", Role.INSTITUTION_STAFF, "childcare", ScopeDomain.BOTH, None, "陆婷婷"),
    AccountSpec("weisheng", Role.HEALTH_WORKER, "town", ScopeDomain.BOTH, "town_health", "冒建华"),
    AccountSpec("audit", Role.AUDIT_ADMIN, None, ScopeDomain.BOTH, "it", "缪晓东"),
    AccountSpec("sysadmin", Role.SYSTEM_ADMIN, "city", ScopeDomain.BOTH, "it", "吴昊", True),
    # Departments that report indicator values (pension, medical and long-term care insurance).
    AccountSpec(
        "renshe", Role.DEPARTMENT_OFFICER, "city", ScopeDomain.BOTH, "human_resources", "周建国"
    ),
    AccountSpec(
        "yibao", Role.DEPARTMENT_OFFICER, "city", ScopeDomain.BOTH, "medical_insurance", "孙晓梅"
    ),
)
USERNAMES = tuple(spec.username for spec in ACCOUNTS)


class DemoAccountConflict(RuntimeError):
    pass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    role_label: str
    role_english: str
    scope: str
    scope_english: str


def create_accounts(village: Area, institutions: dict[str, int | None]) -> list[User]:
    """Create or update the demo accounts and their departments. ``institutions`` maps the
    institution scopes ("institution", "home_care", "childcare") to provider ids."""
    taken = list(
        User.objects.filter(username__in=USERNAMES, is_demo=False).values_list(
            "username", flat=True
        )
    )
    if taken:
        raise DemoAccountConflict(
            f"accounts {', '.join(taken)} exist and are not demo accounts; rename them first"
        )
    areas = {a.code: a for a in Area.objects.filter(code__in=[CITY_CODE, TOWN_CODE])}
    areas[village.code] = village
    departments = {}
    for key, (name, kind, code) in DEPARTMENTS.items():
        if key == "village":
            name, code = f"{village.name}", village.code
        departments[key], _created = Department.objects.get_or_create(
            area=areas[code], name=name, defaults={"kind": kind}
        )
    scopes = {"city": areas[CITY_CODE], "town": areas[TOWN_CODE], "village": village}
    now = timezone.now()
    # One hash for all: the demo password is public anyway, and Argon2 is slow on purpose.
    password = make_password(settings.DEMO_ACCOUNT_PASSWORD)
    users = []
    for spec in ACCOUNTS:
        user = User.objects.filter(username=spec.username).first() or User(username=spec.username)
        old_department_id = user.department_id
        user.first_name = spec.full_name
        user.last_name = ""
        user.role = spec.role
        user.scope_area = scopes.get(spec.scope) if spec.scope else None
        user.institution_id = institutions.get(spec.scope) if spec.scope else None
        user.scope_domain = spec.domain
        user.department = departments[spec.department] if spec.department else None
        user.is_staff = spec.is_staff
        user.is_superuser = False
        user.is_active = True
        user.is_demo = True
        user.must_change_password = False
        user.password_changed_at = now
        user.password = password
        user.save()
        users.append(user)
        if old_department_id and old_department_id != user.department_id:
            # A village department left behind by an earlier load at another scale.
            Department.objects.filter(pk=old_department_id, users__isnull=True).delete()
    return users


def describe_accounts() -> list[DemoAccount]:
    users = {
        u.username: u
        for u in User.objects.filter(username__in=USERNAMES, is_demo=True).select_related(
            "scope_area", "institution"
        )
    }
    accounts = []
    for spec in ACCOUNTS:
        user = users.get(spec.username)
        if user is None:
            continue
        if user.institution_id:
            scope, english = user.institution.name, "institution"
        elif user.scope_area_id:
            area = user.scope_area
            scope = f"{area.name}（{area.code}）· {user.get_scope_domain_display()}"
            english = DOMAIN_ENGLISH.get(user.scope_domain, user.scope_domain)
        else:
            scope, english = "无", "no area scope"
        accounts.append(
            DemoAccount(
                username=user.username,
                password=settings.DEMO_ACCOUNT_PASSWORD,
                role=user.role,
                role_label=str(Role(user.role).label),
                role_english=ROLE_ENGLISH.get(user.role, user.role),
                scope=scope,
                scope_english=english,
            )
        )
    return accounts
