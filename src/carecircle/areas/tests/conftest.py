import pytest

from carecircle.areas.models import PopulationFact, ResidentialArea
from carecircle.core import testing as t


def fact(code: str, year: int, total: int, **extra) -> PopulationFact:
    """A consistent fact: half men, half women; urban or rural as the unit is; 30% aged 60+."""
    area = t.area(code)
    values = {
        "male": total // 2,
        "female": total - total // 2,
        "urban": total if area.is_urban else 0,
        "rural": 0 if area.is_urban else total,
        "aged_60_plus": total * 3 // 10,
        "aged_65_plus": total * 2 // 10,
        "aged_80_plus": total // 20,
        "under_3": total // 50,
        "births": total // 150,
        "family_households": total * 4 // 10,
        "collective_households": 1,
    }
    values.update(extra)
    return PopulationFact.objects.create(area=area, year=year, total=total, **values)


@pytest.fixture
def facts(db):
    """2023 and 2024 facts for villages A1, A2 (town A) and a community of town B."""
    return [
        fact(t.VILLAGE_A1, 2023, 1000),
        fact(t.VILLAGE_A2, 2023, 2000),
        fact("320685101001", 2023, 4000),
        fact(t.VILLAGE_A1, 2024, 1100),
        fact(t.VILLAGE_A2, 2024, 2100),
    ]


def estate(code: str, name: str = "钟涵花园", **extra) -> ResidentialArea:
    values = {
        "kind": "new",
        "households": 400,
        "elderly_room_m2": 150,  # 37.5 m² per 100 households (norm 30)
        "childcare_room_m2": 60,  # 15 per 100 (norm 20): below
    }
    values.update(extra)
    return ResidentialArea.objects.create(area=t.area(code), name=name, **values)
