import datetime as dt
import io

import pytest
from django.core.management import call_command

from carecircle.enrolment.models import Enrolment
from carecircle.enrolment.tests.helpers import enrol, make_class

pytestmark = pytest.mark.django_db


def test_daily_job_ages_out(nursery):
    cls = make_class(nursery, "older_toddler")
    enrolment = enrol(cls, dt.date(2022, 6, 2), dt.date(2024, 9, 2))
    out = io.StringIO()
    call_command("enrolment_daily", "--date", "2025-06-02", stdout=out)
    assert "enrolments ended at 3: 1" in out.getvalue()
    assert Enrolment.objects.get(pk=enrolment.pk).ended_on == dt.date(2025, 6, 2)
