"""R2: deny by default. Every URL pattern that exists when the test runs is requested
anonymously and as a signed-in user without a role; none may answer with data.

The patterns are discovered from ``get_resolver()``, so URLs added by any app are covered
without editing this file. Path converters are filled with dummy values (a random UUID, the
Hai'an code 320685, 1, "x", the indicator code E14); a pattern none of them fits is reported,
not silently skipped.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

# Public by design: the sign-in page, API sign-in and the language switch (POST only); the
# public list of filed childcare institutions (read-only, no personal data; GET only); the
# family portal: search and provider pages (providers' published facts and counts only), the
# application form and the status look-up (CSRF-protected, rate-limited per address; what a
# family enters is shown back only to the chosen institution and the health commission).
PUBLIC = {
    "accounts:login",
    "token-list",
    "set_language",
    "childcare:public-filed",
    "portal:search",
    "portal:provider",
    "portal:apply",
    "portal:status",
}

# Signed-in self-service pages a user without a role may open: they show only the user's own
# account, or counts computed from scoped querysets (zero without a scope), or, for the API
# root and schema, links and descriptions.
SELF_SERVICE = {
    "accounts:login",
    "accounts:password-change",
    "me-list",
    "dashboard:home",
    "api-root",
    "api-schema",  # the API description, for signed-in users only (see below)
}

# Open today, each with its own strict-xfail test below that starts passing once it is closed.
KNOWN_GAPS: set[str] = set()

# Requests that would end the signed-in session of the user walking the matrix.
SESSION_ENDING = {"accounts:logout", "admin:logout"}

DUMMIES = (str(uuid.uuid4()), "320685", "1", "x", ".json", "E14")  # E14: an indicator code
_ALTERNATIVES = re.compile(r"^[\w-]+(\|[\w-]+)+$")


@dataclass(frozen=True)
class Endpoint:
    name: str  # namespaced URL name, or the pattern text when unnamed
    path: str


def _route_candidates(route: str) -> list[str]:
    params = re.findall(r"<(?:\w+:)?\w+>", route)
    if not params:
        return [route]
    return [re.sub(r"<(?:\w+:)?\w+>", dummy, route) for dummy in DUMMIES]


def _fill_groups(regex: str, dummy: str) -> str:
    """Replace each top-level group of a URL regex by an example value."""
    out, i = [], 0
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            out.append(regex[i : i + 2])
            i += 2
            continue
        if char != "(":
            out.append(char)
            i += 1
            continue
        depth, j = 1, i + 1
        while j < len(regex) and depth:
            if regex[j] == "\\":
                j += 2
                continue
            depth += {"(": 1, ")": -1}.get(regex[j], 0)
            j += 1
        inner = re.sub(r"^\?(P<\w+>|:)", "", regex[i + 1 : j - 1])
        out.append(inner.split("|")[0] if _ALTERNATIVES.match(inner) else dummy)
        i = j
    return "".join(out)


def _regex_candidates(regex: str) -> list[str]:
    body = regex.lstrip("^").rstrip("$").replace(r"\Z", "")
    out = []
    for dummy in DUMMIES:
        text = _fill_groups(body, dummy)
        text = text.replace("/?", "/").replace(r"\.", ".").replace("\\", "")
        out.append(text)
    return out


def _candidates(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return _route_candidates(str(pattern))
    if isinstance(pattern, RegexPattern):
        return _regex_candidates(pattern.regex.pattern)
    return [str(pattern)]


def walk(resolver=None, prefixes=("",), namespace=""):
    """Yield (name, [candidate paths], callback) for every leaf pattern."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        options = [p + c for p in prefixes for c in _candidates(entry.pattern)]
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from walk(entry, tuple(dict.fromkeys(options)), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or str(entry.pattern)
            full = f"{namespace}:{name}" if namespace and entry.name else name
            yield full, list(dict.fromkeys(options)), entry.callback


def endpoints() -> tuple[list[Endpoint], list[str]]:
    """Concrete URLs of every reachable pattern, and the patterns no dummy value fits.

    A pattern whose URLs all resolve to an earlier pattern (DRF's API root repeated by each
    app's router) is shadowed: unreachable, so nothing to test.
    """
    found, unbuildable = [], []
    seen_paths = set()
    for name, options, callback in walk():
        chosen, resolvable = None, False
        for option in options:
            path = "/" + option.lstrip("/")
            try:
                match = resolve(path)
            except Resolver404:
                continue
            resolvable = True
            if match.func is callback:
                chosen = path
                break
        if chosen is None and not resolvable:
            unbuildable.append(name)
        elif chosen is not None and chosen not in seen_paths:
            seen_paths.add(chosen)
            found.append(Endpoint(name, chosen))
    return found, unbuildable


def _is_static(endpoint: Endpoint) -> bool:
    return endpoint.path.startswith(settings.STATIC_URL)


LOGIN_PATHS = ("/accounts/login/", "/sysadmin/login/")


def _ends_at_login(client, response) -> bool:
    """A redirect that leads (possibly via other redirects) to a login page or a refusal."""
    location = urlsplit(response.get("Location", "")).path
    if location in LOGIN_PATHS:
        return True
    final = client.get(response["Location"], follow=True)
    last = urlsplit(final.redirect_chain[-1][0]).path if final.redirect_chain else location
    return last in LOGIN_PATHS or final.status_code in (401, 403, 404)


def test_walk_finds_the_known_urls():
    found, unbuildable = endpoints()
    names = {e.name for e in found}
    assert {"accounts:login", "accounts:user-list", "audit:event-list", "me-list"} <= names
    # Every pattern gets a concrete URL; a new converter type needs a dummy above.
    assert unbuildable == []


@pytest.mark.django_db
def test_anonymous_gets_nothing(client):
    client.raise_request_exception = False  # a crash is reported as a 500 with the others
    found, _ = endpoints()
    problems = []
    for endpoint in found:
        if _is_static(endpoint) or endpoint.name in KNOWN_GAPS:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(endpoint.path)
            code = response.status_code
            if code >= 500:
                ok = False
            elif endpoint.name in PUBLIC:
                ok = True
            elif 300 <= code < 400:
                ok = _ends_at_login(client, response)
            else:
                ok = code in (401, 403, 404, 405)
            if not ok:
                problems.append(f"{method.upper()} {endpoint.path} ({endpoint.name}) → {code}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_user_without_role_gets_nothing(client, outsider):
    client.force_login(outsider)
    client.raise_request_exception = False
    found, _ = endpoints()
    problems = []
    for endpoint in found:
        if _is_static(endpoint):
            continue
        for method in ("get", "post"):
            if method == "post" and endpoint.name in SESSION_ENDING:
                continue
            response = getattr(client, method)(endpoint.path)
            code = response.status_code
            if code >= 500:
                ok = False
            elif endpoint.name in SELF_SERVICE or endpoint.name in PUBLIC:
                ok = True
            else:
                ok = code in (401, 403, 404, 405) or 300 <= code < 400
            if not ok:
                problems.append(f"{method.upper()} {endpoint.path} ({endpoint.name}) → {code}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_api_root_lists_links_only(client, outsider):
    client.force_login(outsider)
    response = client.get("/api/")
    if response.status_code == 200:
        assert all(str(v).startswith("http") for v in response.json().values())


@pytest.mark.django_db
def test_api_schema_requires_sign_in(client):
    assert client.get("/api/schema/").status_code in (401, 403)
