"""Test helpers shared by every app: named users and small record builders.

Kept in the package (not only in conftest) so benches and helpers can build the same objects.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools

from openpyxl import Workbook, load_workbook

from carecircle.accounts.choices import Role
from carecircle.accounts.models import User
from carecircle.areas.models import Area
from carecircle.core.choices import Domain, ScopeDomain
from carecircle.core.idnumbers import make_credit_code, make_resident_id

# Two villages of one town, a village of another town (海安镇, 城东镇).
TOWN_A = "320685100"
VILLAGE_A1 = "320685100200"  # 钟涵村委会
VILLAGE_A2 = "320685100201"  # 拥徐村委会
TOWN_B = "320685101"
CITY = "320685"

_sequence = itertools.count(1)


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def make_user(
    role: str,
    *,
    area_code: str | None = None,
    institution=None,
    domain=ScopeDomain.BOTH,
    username: str | None = None,
    **extra,
) -> User:
    username = username or f"{role}-{next(_sequence)}"
    user = User.objects.create_user(
        username=username,
        password="Test-Password-2025!",
        role=role,
        scope_area=area(area_code) if area_code else None,
        institution=institution,
        scope_domain=domain,
        **extra,
    )
    return user


def resident_id(area_code: str = "320685", birth: dt.date | None = None, male: bool = True) -> str:
    birth = birth or dt.date(1950, 5, 17)
    seq = next(_sequence) * 2 % 998 + (1 if male else 2)
    return make_resident_id(area_code, birth, seq)


def make_person(
    area_code: str,
    *,
    birth: dt.date | None = None,
    name: str = "张三丰",
    domain: str = Domain.ELDERLY,
    **extra,
):
    from carecircle.persons.models import Person, Residence

    person = Person(domain=domain, name=name, area=area(area_code), **extra)
    person.set_id_number(resident_id(birth=birth or dt.date(1950, 5, 17)))
    person.save()
    Residence.objects.create(person=person, area=person.area, valid_from=dt.date(2020, 1, 1))
    return person


def credit_code(n: int | None = None) -> str:
    n = n if n is not None else next(_sequence)
    return make_credit_code(f"52320685MJ{n:07d}")


def make_provider(
    area_code: str, *, kind: str = "private_institution", name: str | None = None, **extra
):
    from carecircle.institutions.models import Provider

    return Provider.objects.create(
        name=name or f"测试机构{next(_sequence)}",
        kind=kind,
        domain=Provider.domain_of(kind),
        ownership=extra.pop("ownership", "private"),
        area=area(area_code),
        **extra,
    )


ALL_ROLES = [role for role, _ in Role.choices]
DOMAINS = Domain


def xlsx(headers: list[str], rows) -> bytes:
    """An upload: a workbook whose first sheet holds ``headers`` and then ``rows``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_text(data: bytes) -> str:
    """Every cell of every sheet, joined: to assert what an export contains."""
    workbook = load_workbook(io.BytesIO(data))
    return "\n".join(
        "\t".join("" if v is None else str(v) for v in row)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def filtered_list(client, url: str, query: dict, **extra):
    """GET a registry list with ``query``; a name filter goes the way the page sends it: POSTed
    and parked behind a token (R25), then the list is fetched from the redirect."""
    if "q" not in query:
        return client.get(url, query, **extra)
    redirect = client.post(url, query)
    assert redirect.status_code == 302, redirect.status_code
    return client.get(redirect["Location"], **extra)
