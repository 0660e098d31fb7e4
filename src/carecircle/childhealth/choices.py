"""Infant health services (婴幼儿健康服务): the national rules the records are judged against.

Sources: 国家基本公共卫生服务规范（第三版）0～6岁儿童健康管理服务规范 (新生儿家庭访视、
新生儿满月健康管理、婴幼儿健康管理 at 3、6、8、12、18、24、30、36 月龄),
《新生儿疾病筛查技术规范（2010年版）》 (blood sampled from 72 hours to 7 days after birth),
and the immunisation schedule kept as data (``data/immunisation_schedule.json``, model
``VaccineDose``). Local grace periods are settings
(``CARECIRCLE_VACCINE_GRACE_DAYS``, ``CARECIRCLE_CHILD_CHECK_GRACE_DAYS``), read in ``schedule``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Children under this age (years) are the population of C02, C03, C05 and X06.
UNDER_AGE = 3
# A newborn is visited at home within this many days of birth (C01's definition).
NEWBORN_VISIT_DAYS = 28
# The screening blood sample is taken by the 7th day after birth.
SCREENING_DAYS = 7
# The four inherited diseases screened (新生儿遗传代谢病四病): model field → label.
DISEASES: tuple[tuple[str, str], ...] = (
    ("pku", _("苯丙酮尿症（PKU）")),
    ("ch", _("先天性甲状腺功能减低症（CH）")),
    ("cah", _("先天性肾上腺皮质增生症（CAH）")),
    ("g6pd", _("葡萄糖-6-磷酸脱氢酶缺乏症（G6PD）")),
)
DISEASE_FIELDS = tuple(name for name, _label in DISEASES)


class Checkpoint(models.TextChoices):
    """The scheduled health checks of a child; the value is the age in months."""

    M1 = "1", _("满月")
    M3 = "3", _("3月龄")
    M6 = "6", _("6月龄")
    M8 = "8", _("8月龄")
    M12 = "12", _("12月龄")
    M18 = "18", _("18月龄")
    M24 = "24", _("24月龄")
    M30 = "30", _("30月龄")
    M36 = "36", _("36月龄")

    @property
    def months(self) -> int:
        return int(self.value)


# C02 (儿童健康管理率): every scheduled check, the 满月 check included.
MANAGEMENT_CHECKPOINTS = tuple(Checkpoint)
# X06 (3岁以下儿童系统管理率), the 4:2:2 rule of 儿童保健: 0–1 岁 4 次 (3、6、8、12 月龄),
# 1–2 岁 2 次 (18、24 月龄), 2–3 岁 2 次 (30、36 月龄).
SYSTEMATIC_CHECKPOINTS = tuple(c for c in Checkpoint if c != Checkpoint.M1)


class ScreeningResult(models.TextChoices):
    PENDING = "pending", _("待出结果")
    NORMAL = "normal", _("未见异常")
    RECALL = "recall", _("初筛阳性，待召回复查")
    CONFIRMED = "confirmed", _("确诊，已转诊治疗")
    EXCLUDED = "excluded", _("复查排除")


class GuidanceTopic(models.TextChoices):
    FEEDING = "feeding", _("喂养与营养")
    MOTOR = "motor", _("动作发育")
    LANGUAGE = "language", _("语言与认知")
    SOCIAL = "social", _("情绪与社会性")
    PLAY = "play", _("亲子游戏与阅读")
    SAFETY = "safety", _("伤害预防")
    SLEEP = "sleep", _("睡眠与生活习惯")


class GuidanceMode(models.TextChoices):
    HOME = "home", _("入户指导")
    CLINIC = "clinic", _("随访或门诊时指导")
    CLASS = "class", _("家长课堂")
    ONLINE = "online", _("线上指导")


class ItemState(models.TextChoices):
    """The state of one scheduled item of a child on a day (the record page, the worklist)."""

    DONE = "done", _("已完成")
    DUE = "due", _("应做")
    OVERDUE = "overdue", _("逾期未做")
    MISSED = "missed", _("已错过")
    UPCOMING = "upcoming", _("未到期")
