"""Change history of a registry record (django-simple-history), as shown on detail pages."""

from __future__ import annotations

HISTORY_LIMIT = 30
# Never named in a change history: the ciphertext and blind index of an ID number (a change shows
# once, as the masked number's label) and the bookkeeping timestamp (R22, R24).
HIDDEN_HISTORY_FIELDS = frozenset({"id_number_encrypted", "id_number_index", "updated_at"})


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a field since removed from the model
        return name


def change_history(obj, limit: int = HISTORY_LIMIT) -> list[dict]:
    """The latest changes of ``obj``, newest first: when, who, what kind and which fields changed.

    Field names only, never values. One query (the history rows with their users).
    """
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    entries = []
    for index, entry in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        fields: list[str] = []
        if previous is not None and entry.history_type == "~":
            for name in entry.diff_against(previous).changed_fields:
                label = _label(type(obj), name)
                if name not in HIDDEN_HISTORY_FIELDS and label not in fields:
                    fields.append(label)
        entries.append(
            {
                "date": entry.history_date,
                "user": entry.history_user.username if entry.history_user else "",
                "type": entry.get_history_type_display(),
                "fields": fields,
                "reason": entry.history_change_reason or "",
            }
        )
    return entries
