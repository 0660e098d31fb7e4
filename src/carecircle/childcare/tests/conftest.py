import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from carecircle.accounts.choices import Role
from carecircle.childcare.choices import (
    REQUIRED_DOCUMENTS,
    FilingKind,
    FilingPurpose,
    FilingState,
    PremisesTenure,
    RegistrationAuthority,
    RegistrationType,
)
from carecircle.childcare.models import Filing, FilingDocument
from carecircle.core import testing as t
from carecircle.core.choices import ScopeDomain
from carecircle.institutions.models import CapacityRecord

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded documents go to a throw-away directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def pdf_upload(name="执照.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def centre(db):
    """A private childcare centre in village A1 (town A), 20 places, 10 of them 普惠."""
    provider = t.make_provider(
        t.VILLAGE_A1,
        kind="childcare_standalone",
        name="钟涵宝贝托育中心",
        credit_code=t.credit_code(501),
        address="钟涵村幸福路1号",
        legal_representative="王大明",
        phone="13812345678",
        opened_on=dt.date(2020, 1, 1),
    )
    CapacityRecord.objects.create(
        provider=provider, valid_from=dt.date(2021, 1, 1), places_total=20, places_affordable=10
    )
    return provider


@pytest.fixture
def family_point(db):
    provider = t.make_provider(
        t.VILLAGE_A2, kind="family_point", name="拥徐小苗家庭托育点", opened_on=dt.date(2022, 1, 1)
    )
    CapacityRecord.objects.create(provider=provider, valid_from=dt.date(2022, 1, 1), places_total=5)
    return provider


@pytest.fixture
def town_b_centre(db):
    provider = t.make_provider(
        t.TOWN_B, kind="childcare_standalone", name="城东托育园", opened_on=dt.date(2019, 1, 1)
    )
    CapacityRecord.objects.create(
        provider=provider, valid_from=dt.date(2020, 1, 1), places_total=30
    )
    return provider


@pytest.fixture
def centre_staff(centre):
    return t.make_user(Role.INSTITUTION_STAFF, institution=centre, username="centre-staff")


@pytest.fixture
def other_staff(town_b_centre):
    return t.make_user(Role.INSTITUTION_STAFF, institution=town_b_centre, username="other-staff")


@pytest.fixture
def town_b_officer(db):
    return t.make_user(Role.TOWN_OFFICER, area_code=t.TOWN_B, username="town-b")


@pytest.fixture
def elderly_officer(db):
    return t.make_user(
        Role.TOWN_OFFICER, area_code=t.TOWN_A, domain=ScopeDomain.ELDERLY, username="town-eld"
    )


def make_filing(provider, **fields) -> Filing:
    """A draft whose facts pass every check (no documents yet)."""
    family = provider.kind == "family_point"
    values = {
        "provider": provider,
        "kind": FilingKind.FAMILY_POINT if family else FilingKind.INSTITUTION,
        "purpose": FilingPurpose.INITIAL,
        "state": FilingState.DRAFT,
        "registration_type": RegistrationType.FOR_PROFIT,
        "registration_authority": RegistrationAuthority.MARKET_REGULATION,
        "credit_code": provider.credit_code or t.credit_code(),
        "business_scope": "家庭托育服务" if family else "托育服务；早期教育咨询",
        "premises_address": "幸福路1号",
        "premises_tenure": PremisesTenure.LEASED,
        "lease_starts_on": dt.date(2024, 1, 1),
        "lease_ends_on": dt.date(2030, 12, 31),
        "places": 5 if family else 20,
        "classes_planned": 0 if family else 2,
        "carers": 2 if family else 4,
        "commitment_signed": True,
    }
    values.update(fields)
    return Filing.objects.create(**values)


def attach_documents(filing, kinds=REQUIRED_DOCUMENTS) -> None:
    for kind in kinds:
        FilingDocument.objects.create(
            filing=filing, kind=kind, original_name=f"{kind}.pdf", content_type="application/pdf"
        )
