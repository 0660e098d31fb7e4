from carecircle.institutions.models.credit import CreditListing
from carecircle.institutions.models.providers import (
    CapacityRecord,
    Designation,
    Grade,
    InstitutionPair,
    Provider,
    Residency,
)
from carecircle.institutions.models.staff import Staff, StaffCertificate, Training

__all__ = [
    "CapacityRecord",
    "CreditListing",
    "Designation",
    "Grade",
    "InstitutionPair",
    "Provider",
    "Residency",
    "Staff",
    "StaffCertificate",
    "Training",
]
