"""Unique, valid resident ID numbers for demo persons and staff."""

from __future__ import annotations

import datetime as dt
import random

from carecircle.core.idnumbers import make_resident_id

SLOTS = 499  # sequence numbers 001–998 of one parity: 499 people per place, birth date and sex


class IdIssuer:
    """Issues GB 11643 numbers: area prefix, birth date, a three-digit sequence whose parity gives
    the sex (odd = male), and the check character.

    Unique by construction, without remembering the numbers: each (prefix, birth date, sex)
    starts at a random sequence and steps through the free ones, so only a counter per key is
    kept (a few tens of thousands instead of one entry per person)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.issued: dict[tuple[str, dt.date, int], list[int]] = {}

    def issue(self, prefix: str, birth: dt.date, male: bool) -> str:
        parity = 1 if male else 0
        key = (prefix, birth, parity)
        state = self.issued.get(key)
        if state is None:
            state = self.issued[key] = [self.rng.randrange(SLOTS), 0]
        start, count = state
        if count >= SLOTS:
            raise RuntimeError(f"no free resident ID left for {prefix} {birth}")
        state[1] = count + 1
        slot = (start + count * 7) % SLOTS  # 7 is coprime with 499: every slot once
        return make_resident_id(prefix, birth, slot * 2 + 2 - parity)
