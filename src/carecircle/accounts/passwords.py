"""Password rules beyond Django's own (R8): character classes, a local blocklist, no reuse."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Names and pinyin people in Hai'an's bureaus are likely to put in a password.
DEFAULT_BLOCKLIST = (
    "haian",
    "hai'an",
    "nantong",
    "jiangsu",
    "minzheng",
    "weijian",
    "weijianwei",
    "fagaiwei",
    "zhengfu",
    "laoren",
    "tuoyu",
    "yanglao",
    "carecircle",
    "password",
    "admin",
    "海安",
    "南通",
    "民政",
    "卫健",
    "发改",
    "养老",
    "托育",
)
_CLASSES = (
    re.compile(r"[a-z]"),
    re.compile(r"[A-Z]"),
    re.compile(r"\d"),
    re.compile(r"[^a-zA-Z\d]"),
)


class CharacterClassValidator:
    def __init__(self, min_classes: int | None = None):
        self.min_classes = min_classes or getattr(settings, "PASSWORD_MIN_CLASSES", 3)

    def validate(self, password, user=None):
        present = sum(1 for pattern in _CLASSES if pattern.search(password))
        if present < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少%(n)d类")
                % {"n": self.min_classes},
                code="password_classes",
            )

    def get_help_text(self):
        return _("至少包含大写字母、小写字母、数字、符号中的%(n)d类") % {"n": self.min_classes}


class BlocklistValidator:
    def __init__(self, words=None):
        extra = getattr(settings, "PASSWORD_BLOCKLIST_EXTRA", ())
        self.words = tuple(w.lower() for w in (*(words or DEFAULT_BLOCKLIST), *extra))

    def validate(self, password, user=None):
        lowered = password.lower()
        for word in self.words:
            if word in lowered:
                raise ValidationError(
                    _("密码不能包含单位名称、地名或常见词（%(w)s）") % {"w": word},
                    code="password_blocklisted",
                )

    def get_help_text(self):
        return _("不能包含单位名称、地名及其拼音")


class HistoryValidator:
    """No reuse of the last N passwords: the current one and the N-1 before it (R8)."""

    def __init__(self, count: int | None = None):
        self.count = count or getattr(settings, "PASSWORD_HISTORY_COUNT", 5)

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        hashes = []
        if user.password and user.has_usable_password():
            hashes.append(user.password)
        hashes += list(
            user.password_history.values_list("password", flat=True)[: max(self.count - 1, 0)]
        )
        for encoded in hashes:
            if check_password(password, encoded):
                raise ValidationError(
                    _("不能使用最近%(n)d次用过的密码") % {"n": self.count}, code="password_reused"
                )

    def get_help_text(self):
        return _("不能与最近%(n)d次的密码相同") % {"n": self.count}
