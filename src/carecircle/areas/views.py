"""Area, population and residential-estate pages. Every view starts from ``objects.for_user``."""

from __future__ import annotations

import datetime as dt
from operator import attrgetter

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from carecircle.areas import services
from carecircle.areas.choices import EstateKind
from carecircle.areas.filters import AreaFilter, PopulationFactFilter, ResidentialAreaFilter
from carecircle.areas.forms import PopulationFactForm, ResidentialAreaForm
from carecircle.areas.models import Area, PopulationFact, ResidentialArea
from carecircle.core.choices import Domain
from carecircle.core.views import (
    RegistryCreateView,
    RegistryDetailView,
    RegistryListView,
    RegistryUpdateView,
    ScopedAccessMixin,
)
from carecircle.core.xlsx import Column, yes_no

COUNT_LABELS = [
    (name, PopulationFact._meta.get_field(name).verbose_name)
    for name in PopulationFact.COUNT_FIELDS
]


# Areas ---------------------------------------------------------------------------------------

AREA_COLUMNS = [
    Column(_("区划代码"), lambda a: a.code, 14),
    Column(_("名称"), lambda a: a.name, 24),
    Column(_("层级"), lambda a: a.get_level_display(), 8),
    Column(_("类型"), lambda a: a.get_kind_display(), 12),
    Column(_("城镇"), lambda a: yes_no(a.is_urban), 6),
    Column(_("上级区划"), lambda a: a.parent.name if a.parent_id else "", 20),
]
AREA_EXPORT_COLUMNS = [
    *AREA_COLUMNS,
    Column(_("上级区划代码"), lambda a: a.parent.code if a.parent_id else "", 14),
    Column(_("启用日期"), lambda a: a.valid_from, 12),
    Column(_("停用日期"), lambda a: a.valid_to, 12),
    Column(_("纬度"), lambda a: a.latitude, 12),
    Column(_("经度"), lambda a: a.longitude, 12),
    Column(_("演示假设"), lambda a: yes_no(a.is_demo_assumption), 8),
]


class AreaListView(RegistryListView):
    model = Area
    filterset_class = AreaFilter
    columns = AREA_COLUMNS
    export_columns = AREA_EXPORT_COLUMNS
    title = _("区划")
    export_name = "areas"
    select_related = ("parent",)

    def row_url(self, obj: Area) -> str:
        return reverse("areas:area-detail", args=[obj.code])


class AreaDetailView(ScopedAccessMixin, DetailView):
    """An area: its ancestors, children with their population, the yearly roll-up, its history
    and how many providers, people and estates of the user's scope lie inside."""

    model = Area
    slug_field = "code"
    slug_url_kwarg = "code"
    template_name = "areas/area_detail.html"
    select_related = ("parent",)

    def _year(self, years: list[dict]) -> int | None:
        try:
            wanted = int(self.request.GET.get("year", ""))
        except ValueError:
            wanted = None
        available = [row["year"] for row in years]
        if wanted in available:
            return wanted
        return available[0] if available else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area: Area = self.object
        user = self.request.user
        years = services.yearly_rollup(area)
        for row in years:
            row["values"] = [row[name] for name, _label in COUNT_LABELS]
        year = self._year(years)
        children = list(area.children.order_by("code"))
        totals = services.child_rollup(area, children, year) if year and children else {}
        today = timezone.localdate()
        context.update(
            ancestors=list(area.ancestors()),
            children=[(child, totals.get(child.pk)) for child in children],
            years=years,
            year=year,
            year_row=next((row for row in years if row["year"] == year), None),
            count_labels=COUNT_LABELS,
            versions=area.versions.select_related("parent"),
            is_current=area.valid_to is None or area.valid_to > today,
            in_scope=self._scope_counts(area, today),
            own_facts=self._own_facts(area),
            can_add_fact=user.has_perm("areas.add_populationfact")
            and services.lowest_units_for(user).filter(pk=area.pk).exists(),
        )
        return context

    def _own_facts(self, area: Area):
        if area.level != services.LOWEST_LEVEL:
            return None
        facts = PopulationFact.objects.for_user(self.request.user).filter(area=area)
        writable = set(
            services.writable_facts(self.request.user)
            .filter(area=area)
            .values_list("pk", flat=True)
        )
        can_change = self.request.user.has_perm("areas.change_populationfact")
        return [(fact, can_change and fact.pk in writable) for fact in facts.order_by("-year")]

    def _scope_counts(self, area: Area, today: dt.date) -> list[tuple[str, int, str | None]]:
        """Rows of the user's scope inside this area: (label, count, list link)."""
        user = self.request.user
        counts: list[tuple[str, int, str | None]] = []
        if user.has_perm("institutions.view_provider"):
            from carecircle.institutions.models import Provider

            by_domain = dict(
                Provider.objects.for_user(user)
                .filter(area__path__startswith=area.path)
                .values_list("domain")
                .annotate(n=Count("pk"))
                .order_by()
            )
            counts.append((_("养老服务机构"), by_domain.get(Domain.ELDERLY, 0), None))
            counts.append((_("托育服务机构"), by_domain.get(Domain.CHILDCARE, 0), None))
        if user.has_perm("persons.view_person"):
            from carecircle.persons.models import Person

            by_domain = dict(
                Person.objects.for_user(user)
                .present_on(today)
                .filter(area__path__startswith=area.path)
                .values_list("domain")
                .annotate(n=Count("pk"))
                .order_by()
            )
            counts.append((_("在册老年人"), by_domain.get(Domain.ELDERLY, 0), None))
            counts.append((_("在册婴幼儿"), by_domain.get(Domain.CHILDCARE, 0), None))
        if user.has_perm("areas.view_residentialarea"):
            estates = (
                ResidentialArea.objects.for_user(user)
                .filter(area__path__startswith=area.path)
                .count()
            )
            link = reverse("areas:estate-list") + f"?area={area.code}"
            counts.append((_("居住小区"), estates, link))
        return counts


# Population ----------------------------------------------------------------------------------

POPULATION_COLUMNS = [
    Column(_("区划代码"), lambda f: f.area.code, 14),
    Column(_("区划"), lambda f: f.area.name, 20),
    Column(_("年份"), lambda f: f.year, 8),
    Column(_("常住人口"), lambda f: f.total, 10),
    Column(_("60岁及以上"), lambda f: f.aged_60_plus, 10),
    Column(_("65岁及以上"), lambda f: f.aged_65_plus, 10),
    Column(_("80岁及以上"), lambda f: f.aged_80_plus, 10),
    Column(_("3岁以下"), lambda f: f.under_3, 10),
    Column(_("出生人口"), lambda f: f.births, 10),
]
POPULATION_EXPORT_COLUMNS = [
    Column(_("区划代码"), lambda f: f.area.code, 14),
    Column(_("区划"), lambda f: f.area.name, 20),
    Column(_("年份"), lambda f: f.year, 8),
    *[Column(label, attrgetter(name), 10) for name, label in COUNT_LABELS],
    Column(_("来源"), lambda f: f.source, 30),
]


class PopulationListView(RegistryListView):
    model = PopulationFact
    filterset_class = PopulationFactFilter
    columns = POPULATION_COLUMNS
    export_columns = POPULATION_EXPORT_COLUMNS
    title = _("人口数据")
    export_name = "population"
    create_url_name = "areas:population-create"
    import_slug = "population"
    select_related = ("area",)

    def get_context_data(self, **kwargs):
        self._writable = set(
            services.writable_facts(self.request.user).values_list("pk", flat=True)
        )
        return super().get_context_data(**kwargs)

    def row_url(self, obj: PopulationFact) -> str:
        if obj.pk in self._writable and self.request.user.has_perm("areas.change_populationfact"):
            return reverse("areas:population-edit", args=[obj.pk])
        return reverse("areas:area-detail", args=[obj.area.code]) + f"?year={obj.year}"


class PopulationFormMixin:
    model = PopulationFact
    form_class = PopulationFactForm
    template_name = "areas/form.html"
    cancel_url_name = "areas:population-list"

    def get_queryset(self):
        return services.writable_facts(self.request.user).select_related("area")

    def get_success_url(self):
        return reverse("areas:area-detail", args=[self.object.area.code])


class PopulationCreateView(PopulationFormMixin, RegistryCreateView):
    title = _("新增人口数据")

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("area"):
            initial["area"] = self.request.GET["area"]
        return initial


class PopulationUpdateView(PopulationFormMixin, RegistryUpdateView):
    """One fact of a lowest-level unit in the user's subtree (others: 404)."""

    title = _("修改人口数据")
    slug_field = None
    slug_url_kwarg = None
    pk_url_kwarg = "pk"


# Residential estates -------------------------------------------------------------------------


def _compliance_text(estate: ResidentialArea) -> str:
    result = services.compliance(estate)
    if result is None:
        return ""
    return str(_("低于配建标准") if result.below else _("达标"))


ESTATE_COLUMNS = [
    Column(_("小区名称"), lambda e: e.name, 24),
    Column(_("所在村（社区）"), lambda e: e.area.name, 20),
    Column(_("类型"), lambda e: e.get_kind_display(), 10),
    Column(_("户数"), lambda e: e.households, 8),
    Column(_("养老服务用房（㎡）"), lambda e: e.elderly_room_m2, 12),
    Column(_("托育服务用房（㎡）"), lambda e: e.childcare_room_m2, 12),
    Column(_("用房配建"), _compliance_text, 12),
]
ESTATE_EXPORT_COLUMNS = [
    Column(_("小区名称"), lambda e: e.name, 24),
    Column(_("区划代码"), lambda e: e.area.code, 14),
    Column(_("所在村（社区）"), lambda e: e.area.name, 20),
    Column(_("类型"), lambda e: e.get_kind_display(), 10),
    Column(_("户数"), lambda e: e.households, 8),
    Column(_("养老服务用房（㎡）"), lambda e: e.elderly_room_m2, 12),
    Column(_("托育服务用房（㎡）"), lambda e: e.childcare_room_m2, 12),
    Column(
        _("每百户养老用房（㎡）"),
        lambda e: getattr(services.compliance(e), "elderly_per_100", None),
        12,
    ),
    Column(
        _("每百户托育用房（㎡）"),
        lambda e: getattr(services.compliance(e), "childcare_per_100", None),
        12,
    ),
    Column(_("用房配建"), _compliance_text, 12),
    Column(_("交付日期"), lambda e: e.delivered_on, 12),
    Column(_("地址"), lambda e: e.address, 30),
]


class EstateListView(RegistryListView):
    model = ResidentialArea
    filterset_class = ResidentialAreaFilter
    columns = ESTATE_COLUMNS
    export_columns = ESTATE_EXPORT_COLUMNS
    title = _("居住小区")
    export_name = "estates"
    detail_url_name = "areas:estate-detail"
    create_url_name = "areas:estate-create"
    select_related = ("area",)


class EstateDetailView(RegistryDetailView):
    model = ResidentialArea
    template_name = "areas/estate_detail.html"
    select_related = ("area", "area__parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["compliance"] = services.compliance(self.object)
        context["can_edit"] = self.request.user.has_perm("areas.change_residentialarea")
        return context


def _norm_rows() -> list[tuple[str, str, dict]]:
    return [(kind, EstateKind(kind).label, norm) for kind, norm in services.estate_norms().items()]


class EstateFormMixin:
    model = ResidentialArea
    form_class = ResidentialAreaForm
    template_name = "areas/form.html"

    def get_success_url(self):
        return reverse("areas:estate-detail", args=[self.object.uuid])


class EstateCreateView(EstateFormMixin, RegistryCreateView):
    title = _("新增居住小区")
    cancel_url_name = "areas:estate-list"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["norms"] = _norm_rows()
        return context


class EstateUpdateView(EstateFormMixin, RegistryUpdateView):
    title = _("修改居住小区")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cancel_url"] = reverse("areas:estate-detail", args=[self.object.uuid])
        context["compliance"] = services.compliance(self.object)
        context["norms"] = _norm_rows()
        return context
