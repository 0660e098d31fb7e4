"""Computed indicators whose records come with later work: shown as "no data source yet"."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from carecircle.indicators.engine import no_source

no_source(_("尚无特殊困难老年人月度探访记录（政府购买服务探访台账）"), "E04")
no_source(_("尚无65周岁及以上老年人健康管理（年度体检）记录"), "E06")
no_source(_("尚无福利彩票公益金分配使用记录"), "E07")
no_source(_("尚无特殊困难老年人家庭居家适老化改造项目记录"), "E11")
no_source(_("尚无老年人能力评估记录"), "E13")
no_source(_("尚无新生儿访视记录"), "C01")
no_source(_("尚无3岁以下儿童健康检查记录"), "C02")
no_source(_("尚无婴幼儿预防接种记录"), "C03")
no_source(_("尚无新生儿遗传代谢性疾病筛查记录"), "C04")
no_source(_("尚无婴幼儿早期发展指导服务记录"), "C05")
no_source(_("尚无高龄、经济困难失能老年人基本养老服务保障记录"), "X01")
no_source(_("尚无特困老年人集中供养意愿登记及供养安置记录"), "X02")
no_source(_("尚无3岁以下儿童系统管理（保健随访）记录"), "X06")
no_source(_("尚无主城区范围及老年人到社区养老服务设施的步行可达性测算结果"), "X10")
no_source(_("尚无老年人信息呼叫及应急服务（呼叫设备、热线）登记记录"), "X11")
