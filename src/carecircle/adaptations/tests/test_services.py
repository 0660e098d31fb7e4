import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from carecircle.adaptations import services
from carecircle.adaptations.choices import BedEndReason, ItemKind, ProjectStatus
from carecircle.adaptations.models import AdaptationProject, FamilyCareBed
from carecircle.adaptations.tests.helpers import (
    add_item,
    completed_project,
    days_ago,
    hardship_elder,
    open_bed,
)
from carecircle.core import testing as t
from carecircle.institutions.choices import ProviderKind
from carecircle.institutions.models import Residency

pytestmark = pytest.mark.django_db


def apply(person, applied=None):
    return services.apply(AdaptationProject(person=person, applied_on=applied or days_ago(60)))


# Project workflow -----------------------------------------------------------------------------


def test_project_goes_through_every_step(elder):
    project = apply(elder, days_ago(60))
    assert project.status == ProjectStatus.APPLIED
    services.assess(project, days_ago(50), "  卫生间无扶手，地面湿滑  ")
    assert project.status == ProjectStatus.ASSESSED
    assert project.assessment_note == "卫生间无扶手，地面湿滑"
    add_item(project, ItemKind.BATHROOM_GRAB_BARS, 3, "180.00")  # 540
    add_item(project, ItemKind.ANTI_SLIP, 1, "420.50")  # 420.50
    project.refresh_from_db()
    assert project.total_cost == Decimal("960.50")
    project.contractor_name = "海安测试装饰公司"
    project.save()
    services.start(project, days_ago(40))
    assert project.status == ProjectStatus.IN_PROGRESS
    services.complete(project, days_ago(30), Decimal("800"))
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    assert project.completed_on == days_ago(30)
    assert project.subsidy == Decimal("800.00")
    assert project.self_paid == Decimal("160.50")
    assert project.target_group is True
    assert project.history.count() >= 5


def test_steps_are_refused_out_of_order(elder):
    project = apply(elder)
    with pytest.raises(ValidationError, match="不能执行此操作"):
        services.start(project, days_ago(10))
    with pytest.raises(ValidationError, match="不能执行此操作"):
        services.complete(project, days_ago(10), Decimal(0))
    services.assess(project, days_ago(50), "高差")
    with pytest.raises(ValidationError, match="先登记改造明细"):
        services.start(project, days_ago(40))
    add_item(project)
    with pytest.raises(ValidationError, match="施工机构"):
        services.start(project, days_ago(40))


def test_dates_must_follow_each_other_and_not_be_in_the_future(elder):
    project = apply(elder, days_ago(60))
    with pytest.raises(ValidationError, match="评估日期不能早于申请日期"):
        services.assess(project, days_ago(61), "x")
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.assess(project, days_ago(-1), "x")
    with pytest.raises(ValidationError, match="居家环境评估"):
        services.assess(project, days_ago(50), "   ")


def test_subsidy_cannot_exceed_total_cost(elder):
    project = completed_project_ready(elder)  # total 300
    with pytest.raises(ValidationError, match="不能超过改造总费用"):
        services.complete(project, days_ago(1), Decimal("300.01"))
    with pytest.raises(ValidationError, match="不能为负"):
        services.complete(project, days_ago(1), Decimal("-1"))
    services.complete(project, days_ago(1), Decimal("300"))
    assert project.self_paid == Decimal("0")


@override_settings(CARECIRCLE_ADAPTATION_SUBSIDY_CAP=250)
def test_subsidy_cannot_exceed_the_per_household_cap(elder):
    assert services.subsidy_cap() == Decimal("250.00")
    project = completed_project_ready(elder)  # total 300
    with pytest.raises(ValidationError, match="超过每户补贴上限（250.00元）"):
        services.complete(project, days_ago(1), Decimal("260"))
    services.complete(project, days_ago(1), Decimal("250"))
    assert project.self_paid == Decimal("50")


def test_the_cap_is_labelled_a_demo_value_until_confirmed():
    assert services.subsidy_cap_is_demo()
    with override_settings(CARECIRCLE_ADAPTATION_SUBSIDY_CAP_CONFIRMED=True):
        assert not services.subsidy_cap_is_demo()


def test_database_refuses_a_subsidy_above_the_total(elder):
    project = apply(elder)
    with pytest.raises(IntegrityError), transaction.atomic():
        AdaptationProject.objects.filter(pk=project.pk).update(subsidy=Decimal("1"))


def completed_project_ready(elder):
    """A project in progress with 2 × 150 yuan of items."""
    project = apply(elder, days_ago(60))
    services.assess(project, days_ago(50), "卫生间无扶手")
    add_item(project)
    project.contractor_name = "测试施工单位"
    project.save()
    return services.start(project, days_ago(40))


def test_items_change_only_while_open_and_keep_the_subsidy_covered(elder):
    project = completed_project_ready(elder)
    second = add_item(project, ItemKind.LIGHTING, 4, "50")  # +200 → 500
    project.refresh_from_db()
    assert project.total_cost == Decimal("500")
    project.subsidy = Decimal("450")
    project.save()
    with pytest.raises(ValidationError, match="低于已填写的政府补贴"):
        services.remove_item(second)
    project.refresh_from_db()
    assert project.items.count() == 2 and project.total_cost == Decimal("500")
    services.complete(project, days_ago(1), Decimal("450"))
    with pytest.raises(ValidationError, match="不能执行此操作"):
        add_item(project)


def test_cancel_only_open_projects(elder):
    project = apply(elder)
    with pytest.raises(ValidationError, match="取消原因"):
        services.cancel(project, days_ago(1), " ")
    services.cancel(project, days_ago(1), "老人入住养老机构")
    assert project.status == ProjectStatus.CANCELLED
    with pytest.raises(ValidationError, match="不能执行此操作"):
        services.cancel(project, days_ago(1), "再次")


def test_one_project_per_household(elder):
    first = apply(elder)
    with pytest.raises(ValidationError, match="该户已有"):
        apply(elder)
    # Another elder at the same address (a spouse) is the same household.
    spouse = hardship_elder(t.VILLAGE_A1, name="王大明", address=elder.address)
    with pytest.raises(ValidationError, match="一户只登记一个项目"):
        apply(spouse)
    # A neighbour at another address, or the household once its project is cancelled, may apply.
    apply(hardship_elder(t.VILLAGE_A1, name="赵阿婆", address="钟涵村3组13号"))
    services.cancel(first, days_ago(1), "老人不同意施工")
    assert apply(spouse).status == ProjectStatus.APPLIED


def test_only_present_elders_may_apply(elder):
    elder.death_date = days_ago(100)
    elder.save()
    with pytest.raises(ValidationError, match="已不在册"):
        apply(elder, days_ago(60))
    child = t.make_person(t.VILLAGE_A1, birth=days_ago(300), domain="childcare", name="小宝")
    with pytest.raises(ValidationError, match="只能为老年人登记"):
        apply(child)


def test_target_group_is_taken_on_the_completion_day(elder, other_elder, monkeypatch):
    # Flagged from 2019: in the group when the work is accepted.
    inside = completed_project(
        elder,
        applied=dt.date(2023, 1, 5),
        assessed=dt.date(2023, 1, 10),
        started=dt.date(2023, 2, 1),
        completed=dt.date(2023, 2, 20),
    )
    assert inside.target_group is True
    # Flagged only after the completion: not counted, and a later flag does not change that.
    late = hardship_elder(
        t.VILLAGE_A1, name="刘阿公", address="钟涵村1组1号", flag_from=dt.date(2024, 1, 1)
    )
    outside = completed_project(
        late,
        applied=dt.date(2023, 1, 5),
        assessed=dt.date(2023, 1, 10),
        started=dt.date(2023, 2, 1),
        completed=dt.date(2023, 2, 21),
    )
    assert outside.target_group is False
    # An elder living in an institution on the day is not in the group.
    Residency.objects.create(
        person=other_elder,
        provider=t.make_provider(t.VILLAGE_A2),
        admitted_on=dt.date(2022, 1, 1),
        discharged_on=dt.date(2023, 6, 1),
    )
    in_care = completed_project(
        other_elder,
        applied=dt.date(2023, 1, 5),
        assessed=dt.date(2023, 1, 10),
        started=dt.date(2023, 2, 1),
        completed=dt.date(2023, 2, 22),
    )
    assert in_care.target_group is False
    # The bulk check gives the same answers, the days asked about in batches (here of two).
    monkeypatch.setattr(services, "DAYS_PER_QUERY", 2)
    AdaptationProject.objects.update(target_group=True)
    assert services.mark_target_group([inside.pk, outside.pk, in_care.pk]) == 1
    assert list(
        AdaptationProject.objects.filter(target_group=True).values_list("pk", flat=True)
    ) == [inside.pk]


# Family care beds -----------------------------------------------------------------------------


def test_one_open_bed_per_elder(elder, station, other_station):
    bed = open_bed(elder, station, days_ago(100))
    with pytest.raises(ValidationError, match="已有在床"):
        open_bed(elder, other_station, days_ago(10))
    with pytest.raises(IntegrityError), transaction.atomic():
        FamilyCareBed.objects.create(person=elder, provider=other_station, started_on=days_ago(5))
    services.end_bed(bed, days_ago(20), BedEndReason.PROVIDER_CHANGED)
    again = open_bed(elder, other_station, days_ago(10))
    assert again.is_open and not FamilyCareBed.objects.get(pk=bed.pk).is_open


def test_bed_links_the_completed_adaptation_and_checks_its_provider(elder, station):
    project = completed_project(
        elder,
        applied=days_ago(90),
        assessed=days_ago(80),
        started=days_ago(70),
        completed=days_ago(60),
    )
    university = t.make_provider(t.VILLAGE_A1, kind=ProviderKind.ELDERLY_UNIVERSITY)
    with pytest.raises(ValidationError):
        open_bed(elder, university)
    closed = t.make_provider(t.VILLAGE_A1, kind=ProviderKind.DAYCARE_CENTRE, closed_on=days_ago(90))
    with pytest.raises(ValidationError, match="未在运营"):
        open_bed(elder, closed)
    bed = open_bed(elder, station, days_ago(30))
    assert bed.adaptation == project


def test_ending_a_bed_checks_its_dates(elder, station):
    bed = open_bed(elder, station, days_ago(30))
    with pytest.raises(ValidationError, match="不能早于建床日期"):
        services.end_bed(bed, days_ago(31), BedEndReason.DECEASED)
    with pytest.raises(ValidationError, match="撤床原因"):
        services.end_bed(bed, days_ago(1), "")
    services.end_bed(bed, days_ago(1), BedEndReason.DECEASED)
    with pytest.raises(ValidationError, match="已撤床"):
        services.end_bed(bed, days_ago(0), BedEndReason.DECEASED)
