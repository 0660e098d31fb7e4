"""R25: a person's name used as a list filter never travels in a URL."""

import datetime as dt
import io

from django.urls import reverse
from openpyxl import load_workbook

from carecircle.core import testing as t


def _elders():
    t.make_person(t.VILLAGE_A1, name="王秀英", birth=dt.date(1941, 3, 2))
    t.make_person(t.VILLAGE_A1, name="李建国", birth=dt.date(1944, 6, 1))


def test_name_filter_is_posted_and_parked_behind_a_token(client, town_officer):
    _elders()
    client.force_login(town_officer)
    url = reverse("persons:elder-list")
    response = client.post(url, {"q": "王秀英", "sex": ""})
    assert response.status_code == 302
    location = response["Location"]
    assert "王" not in location and "%E7%8E%8B" not in location
    assert "f=" in location
    page = client.get(location).content.decode()
    assert "王秀英" in page and "李建国" not in page
    assert 'method="post"' in page  # the filter form itself posts
    export = client.get(location + "&export=xlsx")
    names = [row[0] for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(
        min_row=2, values_only=True)]  # fmt: skip
    assert names == ["王秀英"]


def test_a_name_in_the_url_is_ignored_and_not_repeated(client, town_officer):
    _elders()
    client.force_login(town_officer)
    page = client.get(reverse("persons:elder-list"), {"q": "王秀英", "page": 1})
    text = page.content.decode()
    assert "李建国" in text  # not filtered
    assert "q=%E7%8E%8B" not in text and "q=王" not in text


def test_a_token_from_another_session_filters_nothing(client, town_officer, village_worker):
    _elders()
    client.force_login(town_officer)
    location = client.post(reverse("persons:elder-list"), {"q": "王秀英"})["Location"]
    client.force_login(village_worker)
    text = client.get(location).content.decode()
    assert "李建国" in text


def test_lists_without_private_filters_refuse_post(client, city_officer):
    client.force_login(city_officer)
    assert client.post(reverse("institutions:provider-list"), {"q": "x"}).status_code == 405
