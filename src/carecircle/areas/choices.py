from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("地级市")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")
    VILLAGE = "village", _("村级")


LEVEL_BY_CODE_LENGTH = {
    2: AreaLevel.PROVINCE,
    4: AreaLevel.CITY,
    6: AreaLevel.COUNTY,
    9: AreaLevel.TOWNSHIP,
    12: AreaLevel.VILLAGE,
}
LEVEL_DEPTH = {level: depth for depth, level in enumerate(LEVEL_BY_CODE_LENGTH.values())}


class AreaKind(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县/县级市/区")
    STREET = "street", _("街道")
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    FUNCTIONAL_ZONE = "functional_zone", _("功能区")
    FARM = "farm", _("农场")
    COMMUNITY = "community", _("社区")
    VILLAGE = "village", _("村")
    OTHER = "other", _("其他")


def kind_from_name(name: str, level: str) -> str:
    """Kind of unit, read from the suffix of its published name."""
    if level == AreaLevel.PROVINCE:
        return AreaKind.PROVINCE
    if level == AreaLevel.CITY:
        return AreaKind.CITY
    if level == AreaLevel.COUNTY:
        return AreaKind.COUNTY
    if level == AreaLevel.VILLAGE:
        if name.endswith(("居委会", "社区", "居民委员会")):
            return AreaKind.COMMUNITY
        if name.endswith(("村委会", "村民委员会", "村")):
            return AreaKind.VILLAGE
        return AreaKind.OTHER
    if name.endswith("街道") or name.endswith("街道办事处"):
        return AreaKind.STREET
    if name.endswith("镇"):
        return AreaKind.TOWN
    if name.endswith("乡"):
        return AreaKind.TOWNSHIP
    if "农场" in name or "林场" in name:
        return AreaKind.FARM
    if name.endswith(("开发区", "高新区", "园区", "管理区", "新区", "示范区")):
        return AreaKind.FUNCTIONAL_ZONE
    return AreaKind.OTHER


def is_urban_name(name: str) -> bool:
    """Units named …居委会 or …社区 are urban; 村委会 rural (statistical convention)."""
    return name.endswith(("居委会", "社区", "居民委员会"))


class EstateKind(models.TextChoices):
    NEW = "new", _("新建小区")
    EXISTING = "existing", _("老旧小区")
