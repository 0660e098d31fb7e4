"""The encrypted resident-ID trio shared by persons and staff (R22, R24).

The number itself is stored only as AES-GCM ciphertext; lookups go through a keyed blind index and
screens show the stored mask. Birth date and sex are derived from the number, never typed apart.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from carecircle.core import crypto
from carecircle.core.idnumbers import ResidentId, parse_resident_id

ID_INDEX_PURPOSE = "resident-id"


def id_number_index(number: str) -> str:
    return crypto.blind_index(number, purpose=ID_INDEX_PURPOSE)


class EncryptedIdentity(models.Model):
    id_number_encrypted = models.TextField(
        _("身份证号（密文）"), editable=False, help_text=_("AES-256-GCM 加密存储")
    )
    id_number_index = models.CharField(
        _("身份证号索引"), max_length=64, editable=False, db_index=True, help_text=_("HMAC 盲索引")
    )
    id_number_masked = models.CharField(
        _("身份证号"), max_length=18, editable=False, help_text=_("脱敏显示，如320685********1234")
    )

    class Meta:
        abstract = True

    @property
    def id_number(self) -> str:
        """The full number. Callers must check the view-full permission and audit (R3, R24)."""
        return crypto.decrypt(self.id_number_encrypted, context=ID_INDEX_PURPOSE)

    def set_id_number(self, raw: str) -> ResidentId:
        """Validate, encrypt and index the number; derive birth date and sex from it."""
        parsed = parse_resident_id(raw)
        self.id_number_encrypted = crypto.encrypt(parsed.number, context=ID_INDEX_PURPOSE)
        self.id_number_index = id_number_index(parsed.number)
        self.id_number_masked = parsed.masked
        self.birth_date = parsed.birth_date
        self.sex = parsed.sex
        return parsed
