from carecircle.enrolment.models.applications import Application, Enrolment, Offer
from carecircle.enrolment.models.classes import ChildcareClass, StaffDuty
from carecircle.enrolment.models.config import ClassRule, PriorityGroup

__all__ = [
    "Application",
    "ChildcareClass",
    "ClassRule",
    "Enrolment",
    "Offer",
    "PriorityGroup",
    "StaffDuty",
]
