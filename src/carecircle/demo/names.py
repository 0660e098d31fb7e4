"""Seeded Chinese names, phone numbers and estate names for the demo city.

Surnames are weighted roughly like the national frequency list with the Nantong region's own common
names (缪, 仲, 储, 季, 顾 …) added. Given names follow the fashions of the generation: an elder born
in the 1940s is 桂英 or 建国, a toddler born in 2021 is 梓涵 or 沐辰.
"""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate

# (surname, relative weight): national top names plus Hai'an / Nantong local ones.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.1), ("张", 6.8), ("李", 6.2), ("陈", 6.0), ("刘", 4.5), ("徐", 3.6), ("吴", 3.0),
    ("周", 2.6), ("朱", 2.4), ("杨", 2.2), ("黄", 1.6), ("孙", 1.6), ("顾", 1.5), ("丁", 1.4),
    ("沈", 1.3), ("钱", 1.2), ("曹", 1.2), ("赵", 1.2), ("许", 1.1), ("胡", 1.1), ("马", 1.0),
    ("季", 1.0), ("缪", 0.9), ("仲", 0.8), ("储", 0.8), ("卢", 0.8), ("蒋", 0.8), ("葛", 0.8),
    ("夏", 0.7), ("姜", 0.7), ("陆", 0.7), ("韩", 0.7), ("冯", 0.6), ("高", 0.6), ("何", 0.6),
    ("郭", 0.6), ("林", 0.5), ("唐", 0.5), ("宋", 0.5), ("施", 0.5), ("戴", 0.5), ("范", 0.5),
    ("吉", 0.5), ("管", 0.4), ("仇", 0.4), ("严", 0.4), ("汤", 0.4), ("邓", 0.4), ("谢", 0.4),
    ("袁", 0.4), ("潘", 0.4), ("崔", 0.3), ("花", 0.3), ("冒", 0.3), ("邵", 0.3), ("薛", 0.3),
    ("罗", 0.3), ("梁", 0.3), ("宗", 0.3), ("于", 0.3), ("常", 0.3), ("成", 0.3), ("瞿", 0.2),
    ("贲", 0.2), ("翟", 0.2), ("羌", 0.2), ("殷", 0.2), ("俞", 0.2), ("石", 0.2), ("田", 0.2),
)  # fmt: skip


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Given names by generation and sex; two-character names dominate, a few single characters.
ELDER_MALE = words(
    "建国 国华 德明 志强 永兴 桂林 长春 正祥 宝成 金山 友才 士林 如海 茂林 春山 广才 "
    "进才 兆祥 根宝 德才 明山 万福 克勤 汉清 庆余 家宝 荣生 炳南 振华 国忠 保林 锦堂 "
    "福生 连生 玉海 世友 鸿儒 国庆 广德 德胜 树林 仁和 守成 学文 长林 福林 宝根 洪兴"
)
ELDER_FEMALE = words(
    "桂英 秀英 玉兰 凤英 秀兰 桂兰 兰英 素珍 美华 月娥 玉珍 淑芬 巧云 凤珍 秀珍 桂芳 "
    "红英 翠英 桂珍 菊英 秀芳 玉英 金花 银花 小妹 素兰 月英 桂香 秀云 凤兰 珍英 爱华 "
    "春兰 冬梅 梅英 玉梅 兰芳 素英 美英 秀华 宝珍 杏英 粉英 玉凤 月华 凤仙 招娣 来娣"
)
ADULT_MALE = words(
    "伟 磊 军 勇 杰 涛 明 超 刚 斌 浩 鹏 晓东 志刚 建华 海峰 俊 亮 健 峰 建军 卫东 "
    "海涛 晓明 志勇 文斌 振宇 国栋 晨 宇 昊 凯 旭 云飞 立新 永刚 学军 宏伟 春雷 海洋"
)
ADULT_FEMALE = words(
    "静 丽 敏 燕 婷 娟 芳 艳 霞 丹 海燕 春梅 秀娟 晓燕 红梅 丽华 慧 琳 雪 倩 莉 玲 "
    "晓红 美玲 雅琴 小燕 婷婷 佳 颖 蕾 琴 萍 晓丽 红霞 金凤 春燕 亚萍 晶晶 露 月"
)
CHILD_MALE = words(
    "梓轩 浩宇 宇轩 沐辰 俊熙 铭泽 皓轩 奕辰 锦程 子墨 一鸣 宇航 睿泽 梓豪 浩然 子睿 "
    "思远 嘉懿 泽宇 博文 承泽 昊然 逸凡 煜祺 瑾瑜 若愚 翊晨 景行 安之 沐阳 星宇 佑安"
)
CHILD_FEMALE = words(
    "子涵 一诺 欣怡 雨桐 诗涵 梓涵 依诺 语桐 若汐 思彤 梓萱 可馨 沐晴 安琪 语嫣 芷若 "
    "欣妍 一涵 雨萱 梦琪 思琪 佳怡 心怡 若曦 悦然 昕玥 书瑶 知夏 清欢 念安 锦书 映雪"
)

_SURNAME_VALUES = tuple(s for s, _w in SURNAMES)
_SURNAME_CUM = tuple(accumulate(w for _s, w in SURNAMES))


def pick(rng: random.Random, values, cum_weights):
    """``rng.choices(values, cum_weights=…)[0]`` without the list building (hot path)."""
    return values[bisect(cum_weights, rng.random() * cum_weights[-1], 0, len(values) - 1)]


def surname(rng: random.Random) -> str:
    return pick(rng, _SURNAME_VALUES, _SURNAME_CUM)


def given_name(rng: random.Random, birth_year: int, male: bool) -> str:
    if birth_year < 1965:
        pool = ELDER_MALE if male else ELDER_FEMALE
    elif birth_year < 2010:
        pool = ADULT_MALE if male else ADULT_FEMALE
    else:
        pool = CHILD_MALE if male else CHILD_FEMALE
    return rng.choice(pool)


def full_name(rng: random.Random, birth_year: int, male: bool, family: str | None = None) -> str:
    return (family or surname(rng)) + given_name(rng, birth_year, male)


_MOBILE_PREFIXES = ("139", "138", "137", "136", "135", "150", "151", "152", "157", "158", "159",
                    "182", "187", "188", "130", "131", "132", "155", "156", "185", "186", "133",
                    "153", "180", "181", "189", "177", "199")  # fmt: skip


def mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def landline(rng: random.Random) -> str:
    """Hai'an numbers: area code 0513, eight digits starting with 8."""
    return f"0513-8{rng.randrange(10**7):07d}"


ESTATE_PREFIXES = (
    "金", "锦", "华", "翠", "碧", "御", "东", "阳光", "幸福", "和平", "文昌", "海陵", "凤凰",
    "百合", "紫薇", "丽景", "书香", "江海", "新城", "滨河", "中央", "香榭", "学府", "名仕",
)  # fmt: skip
ESTATE_SUFFIXES = (
    "花园", "新村", "小区", "家园", "苑", "名都", "华府", "雅苑", "公馆", "佳苑", "豪庭",
    "城", "湾", "园", "世家", "嘉园",
)  # fmt: skip


def estate_name(rng: random.Random, stem: str) -> str:
    if rng.random() < 0.35:
        return stem + rng.choice(("新村", "小区", "一村", "二村", "花园"))
    return rng.choice(ESTATE_PREFIXES) + rng.choice(ESTATE_SUFFIXES)


def area_stem(name: str) -> str:
    """中坝社区居委会 → 中坝, 钟涵村委会 → 钟涵, 金港社区 → 金港."""
    for suffix in ("社区居委会", "居民委员会", "村民委员会", "居委会", "村委会", "社区", "村"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name
