"""The daily enrolment job (run from cron, like ``indicators compute``): offers past their
deadline lapse, and children who turned 3 leave on their birthday."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from carecircle.enrolment import services


class Command(BaseCommand):
    help = "Lapse expired offers and end the enrolments of children who turned 3."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=dt.date.fromisoformat, help="YYYY-MM-DD (today)")

    def handle(self, *args, **options):
        on = options["date"] or timezone.localdate()
        lapsed = services.lapse_expired_offers()
        aged_out = services.age_out(on)
        self.stdout.write(f"offers lapsed: {lapsed}; enrolments ended at 3: {aged_out} ({on})")
