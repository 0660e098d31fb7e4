"""Computed indicators whose records come with later work: shown as "no data source yet"."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from carecircle.indicators.engine import no_source

no_source(_("尚无主城区范围及老年人到社区养老服务设施的步行可达性测算结果"), "X10")
