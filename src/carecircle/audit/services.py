"""Writing audit events. Every entry: UTC time, user, role, scope, IP, event, object, outcome,
request ID (R18). Nothing here stores a full ID number: callers pass masked labels only."""

from __future__ import annotations

from typing import Any

from carecircle.audit.choices import AuditOutcome
from carecircle.audit.models import AuditEvent
from carecircle.core.logging import redact


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    request,
    action: str,
    *,
    obj: Any = None,
    outcome: str = AuditOutcome.SUCCESS,
    user=None,
    username: str = "",
    label: str = "",
    **detail: Any,
) -> AuditEvent:
    user = user or (getattr(request, "user", None) if request is not None else None)
    if user is not None and not user.is_authenticated:
        user = None
    object_type = object_id = ""
    if obj is not None:
        object_type = obj._meta.label
        object_id = str(getattr(obj, "uuid", None) or obj.pk)
        label = label or str(obj)
    return AuditEvent.objects.create(
        user=user,
        username=(user.username if user else username)[:150],
        role=getattr(user, "role", "") or "",
        scope=(user.scope_label if user else "")[:200],
        ip_address=client_ip(request),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=redact(str(label))[:200],
        outcome=outcome,
        request_id=getattr(request, "request_id", "") if request is not None else "",
        detail={key: redact(str(value)) for key, value in detail.items()},
    )
