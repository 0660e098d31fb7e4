"""The UI is written in Chinese and must also be usable in English (set_language + the catalogue).

The English catalogue lives in ``carecircle/locale/en/LC_MESSAGES``: ``django.po`` (edited by
people) and ``django.mo`` (compiled, committed so that no machine needs GNU gettext to run).
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

import carecircle

LOCALE_DIR = Path(carecircle.__file__).resolve().parent / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"

CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")


@pytest.fixture(autouse=True)
def _reset_language():
    """A request in English activates English for this thread: don't leak it into other tests."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _visible_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _switch_to_english(client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


# --- pages ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_default_language_is_chinese(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    text = _visible_text(response)
    assert "密码" in text and "登录" in text
    assert "Password" not in text
    # the switch offers English
    assert 'name="language" value="en"' in html


@pytest.mark.django_db
def test_login_page_in_english_after_set_language(client):
    _switch_to_english(client)

    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    text = _visible_text(response)
    for word in ("Username", "Password", "Log in", "Hai'an Elderly and Childcare Service Platform"):
        assert word in text
    for word in ("用户名", "密码", "登录", "连续5次输入错误"):
        assert word not in text
    # the switch now offers Chinese back
    assert 'name="language" value="zh-hans"' in html


def test_set_language_is_post_only(client):
    assert client.get(reverse("set_language"), {"language": "en"}).status_code == 405


def test_home_page_in_english_for_city_officer(client, city_officer):
    client.force_login(city_officer)
    _switch_to_english(client)

    response = client.get(reverse("dashboard:home"))

    assert response.status_code == 200
    text = _visible_text(response)
    nav = ("Home", "Elders", "Children under 3", "Providers", "Staff", "Areas and population")
    for label in (*nav, "Log out", "Shortcuts"):
        assert label in text
    for label in ("老年人", "婴幼儿", "从业人员", "区划与人口", "退出", "常用功能"):
        assert label not in text


def test_home_page_in_chinese_by_default(client, city_officer):
    client.force_login(city_officer)

    text = _visible_text(client.get(reverse("dashboard:home")))

    assert "老年人" in text and "退出" in text
    assert "Log out" not in text


# --- the catalogue -------------------------------------------------------------------------------


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader (no polib at run time): live entries only, obsolete ``#~`` skipped."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None

    def flush():
        nonlocal entry
        if entry is not None and (entry.msgid or entry.msgstr):
            entries.append(entry)
        entry = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if entry is not None and (entry.msgid or entry.msgstr):
                flush()
            entry = entry or Entry(line=number)
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            keyword, rest = "", line
        value = ast.literal_eval(rest)
        if keyword in ("msgctxt", "msgid") and entry is not None and entry.msgstr:
            flush()
        if entry is None:
            entry = Entry(line=number)
        if keyword == "msgctxt":
            entry.msgctxt, target = value, ("msgctxt", None)
        elif keyword == "msgid":
            entry.msgid, target = value, ("msgid", None)
        elif keyword == "msgid_plural":
            entry.msgid_plural, target = value, ("msgid_plural", None)
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            entry.msgstr[index], target = value, ("msgstr", index)
        elif keyword == "" and target is not None:
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, (getattr(entry, name) or "") + value)
        else:
            raise AssertionError(f"{path}:{number}: cannot parse {raw!r}")
    flush()
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    assert PO_FILE.exists(), f"missing {PO_FILE}"
    entries = parse_po(PO_FILE)
    assert entries and entries[0].msgid == "", "the header entry comes first"
    return entries


def test_po_has_no_untranslated_or_fuzzy_entries(po_entries):
    header, *messages = po_entries
    assert "fuzzy" not in header.flags
    assert "Language: en" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    assert len(messages) > 500

    fuzzy = [e.msgid for e in messages if "fuzzy" in e.flags]
    untranslated = [e.msgid for e in messages if not all(e.msgstr.values())]
    wrong_plurals = [e.msgid for e in messages if e.msgid_plural and sorted(e.msgstr) != [0, 1]]
    still_chinese = [e.msgid for e in messages if any(CJK.search(s) for s in e.msgstr.values())]
    # a translation may quote the Chinese words a spreadsheet cell must contain
    still_chinese = [m for m in still_chinese if m != "应填“是”或“否”"]

    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not untranslated, f"untranslated entries: {untranslated}"
    assert not wrong_plurals, f"plural entries need msgstr[0] and msgstr[1]: {wrong_plurals}"
    assert not still_chinese, f"translations still in Chinese: {still_chinese}"


def test_po_translations_keep_placeholders(po_entries):
    broken = []
    for entry in po_entries[1:]:
        sources = [entry.msgid, entry.msgid_plural or entry.msgid]
        for index, translated in entry.msgstr.items():
            source = sources[min(index, 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
                broken.append((source, translated))
    assert not broken, f"placeholders differ: {broken}"


def test_mo_is_compiled_from_current_po(po_entries):
    """The committed .mo must match the .po: run compilemessages after editing the .po."""
    assert MO_FILE.exists(), f"missing {MO_FILE}: run compilemessages"
    with MO_FILE.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)

    messages = po_entries[1:]
    mo_msgids = {key[0] if isinstance(key, tuple) else key for key in mo._catalog} - {""}
    assert len(mo_msgids) == len(messages)
    assert mo_msgids == {entry.key for entry in messages}

    stale = []
    for entry in messages:
        if entry.msgid_plural:
            if entry.msgctxt is None:
                got = [mo.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
            else:
                got = [
                    mo.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n) for n in (1, 2)
                ]
            expected = [entry.msgstr[0], entry.msgstr[1]]
        else:
            got = (
                mo.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt is not None
                else mo.gettext(entry.msgid)
            )
            expected = entry.msgstr[0]
        if got != expected:
            stale.append(entry.msgid)
    assert not stale, f".mo differs from .po (recompile): {stale}"


def test_django_uses_the_english_catalogue():
    with translation.override("en"):
        assert translation.gettext("审计日志") == "Audit log"
        assert translation.gettext("身份证号") == "Resident ID number"
        assert translation.ngettext("共 %(counter)s 条", "共 %(counter)s 条", 2) == (
            "%(counter)s records"
        )
    with translation.override("zh-hans"):
        assert translation.gettext("审计日志") == "审计日志"
