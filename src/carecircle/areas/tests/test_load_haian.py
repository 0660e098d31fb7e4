from carecircle.areas.loaders import load_haian
from carecircle.areas.models import Area


def test_haian_divisions_are_loaded_with_levels_and_urban_flags(db):
    assert Area.objects.filter(code__startswith="320685").count() == 251
    assert Area.objects.count() == 253
    villages = Area.objects.filter(level="village")
    assert villages.count() == 239
    assert villages.filter(is_urban=True).count() == 105
    town = Area.objects.get(code="320685100")
    assert town.kind == "town"
    assert Area.objects.subtree(town, include_self=False).count() == 58


def test_reloading_changes_nothing(db):
    result = load_haian()
    assert result.created == 0
    assert result.updated == 0
    assert result.unchanged == 253
