import datetime as dt

import pytest
from cryptography.exceptions import InvalidTag
from django.db import connection

from carecircle.core import crypto
from carecircle.core import testing as t
from carecircle.core.crypto import blind_index, decrypt, encrypt

KEY_A = "a:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE"
KEY_B = "b:" + "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI"


def test_round_trip_with_a_fresh_nonce_each_time():
    first = encrypt("320685194003081234", context="resident-id")
    second = encrypt("320685194003081234", context="resident-id")
    assert first != second
    assert "320685194003081234" not in first
    assert decrypt(first, context="resident-id") == "320685194003081234"


def test_ciphertext_is_bound_to_its_context_and_detects_tampering():
    token = encrypt("13812345678", context="contact-phone")
    with pytest.raises(InvalidTag):
        decrypt(token, context="contact-name")
    kid, _, payload = token.partition("$")
    flipped = payload[:-3] + ("A" if payload[-3] != "A" else "B") + payload[-2:]
    with pytest.raises((InvalidTag, ValueError)):
        decrypt(f"{kid}${flipped}", context="contact-phone")


def test_key_rotation_new_key_encrypts_old_key_still_decrypts(settings):
    settings.FIELD_ENCRYPTION_KEYS = KEY_A
    old = encrypt("secret")
    settings.FIELD_ENCRYPTION_KEYS = f"{KEY_B},{KEY_A}"
    new = encrypt("secret")
    assert new.startswith("b$") and old.startswith("a$")
    assert decrypt(old) == decrypt(new) == "secret"
    crypto._keys.cache_clear()


def test_blind_index_is_keyed_deterministic_and_separated_by_purpose(settings):
    assert blind_index("x", purpose="p") == blind_index("x", purpose="p")
    assert blind_index("x", purpose="p") != blind_index("x", purpose="q")
    before = blind_index("x", purpose="p")
    settings.BLIND_INDEX_KEY = "another-key"
    assert blind_index("x", purpose="p") != before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="iterdump is SQLite's full dump")
def test_database_dump_holds_no_plain_id_number_or_guardian_phone(db):
    """R22: a full dump of the database (history tables included) shows only ciphertext."""
    from carecircle.persons.models import Contact

    person = t.make_person(t.VILLAGE_A1, name="王秀英", birth=dt.date(1941, 2, 3))
    contact = Contact(person=person, relation="emergency", relationship="女儿")
    contact.set_details("李小红", "13912345678")
    contact.save()
    number = person.id_number
    dump = "\n".join(connection.connection.iterdump())
    assert "persons_historicalperson" in dump
    assert number not in dump
    assert "13912345678" not in dump
    assert person.id_number_masked in dump
