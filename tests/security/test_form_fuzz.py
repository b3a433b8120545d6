"""Hypothesis form fuzzing: every POST route without URL arguments, posted random form data by an
admin (the form's real field names, values seen on the app's pages, random text), never answers
500. Exceptions propagate, so a failure shows the traceback and Hypothesis' minimal example."""

import html
import re
import traceback

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

#: Routes left out, each for a reason; keep this list short.
SKIPPED = {
    "auth.logout": "ends the session the other routes need",
    "auth.login": "throttled; covered by test_login_throttle.py",
    "feeds.sync": "starts a background job thread on every post, whatever the input",
}
AWKWARD_VALUES = [
    "",
    " ",
    "0",
    "1",
    "-1",
    "on",
    "true",
    "all",
    "admin",
    "viewer",
    "99999999999999999999999",
    "1e309",
    "nan",
    "<script>x</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "http://127.0.0.1:9",
]
NAME_PATTERN = re.compile(r'\bname="([^"]+)"')
VALUE_PATTERN = re.compile(r'\bvalue="([^"]*)"')


def _post_rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if (
            "POST" in (rule.methods or set())
            and not rule.arguments
            and rule.endpoint not in SKIPPED
        ):
            yield rule


def _page_fields(admin, url):
    body = admin.get(url).get_data(as_text=True)
    names = {html.unescape(n) for n in NAME_PATTERN.findall(body)} - {"csrf_token"}
    values = {html.unescape(v) for v in VALUE_PATTERN.findall(body)}
    return names, values


#: Besides the random forms, every field at once gets each of these, so a field parsed without
#: care (``int(form["x"])``) is caught on every run, not only when the dice fall on it.
EVERY_FIELD = ["x:", "-1", "", "99999999999999999999999", "1e309", "\x00"]


def _fuzz(admin, url, form, names):
    def post_random_form(data, htmx):
        response = admin.post(url, data=data, htmx=htmx)
        assert response.status_code < 500, (url, data, response.status_code)
        body = response.get_data(as_text=True)
        assert "form was tampered with" not in body, ("CSRF refused: fuzzing void", url)

    test = given(data=form, htmx=st.booleans())(post_random_form)
    for value in EVERY_FIELD:
        test = example(data=dict.fromkeys(names, value), htmx=False)(test)
    settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )(test)()


def _describe(exc):
    """One line per distinct failure: the error, where in webapp/ it rose, the failing form."""
    if isinstance(exc, BaseExceptionGroup):
        return [line for inner in exc.exceptions for line in _describe(inner)]
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/webapp/" in f.filename]
    where = f" at {frames[-1].filename.split('/webapp/')[-1]}:{frames[-1].lineno}" if frames else ""
    notes = " ".join(" ".join(getattr(exc, "__notes__", [])).split())[:400]
    return [f"{type(exc).__name__}: {exc}{where}\n    {notes}"]


def test_no_post_route_answers_500_to_random_forms(app, login):
    admin = login("admin")
    app.config["PROPAGATE_EXCEPTIONS"] = True
    pages = [
        r.rule
        for r in app.url_map.iter_rules()
        if "GET" in (r.methods or set()) and not r.arguments and r.endpoint != "static"
    ]
    all_names, all_values = set(), set()
    for url in pages:
        names, values = _page_fields(admin, url)
        all_names |= names
        all_values |= values

    fuzzed, failures = [], []
    for rule in _post_rules(app):
        own_names = _page_fields(admin, rule.rule)[0] if "GET" in (rule.methods or set()) else set()
        # A POST-only route (a grid's mass action...) is fed from other pages' forms.
        names = sorted(own_names or all_names)
        value = st.one_of(
            st.text(max_size=40),
            st.sampled_from(sorted(all_values | set(AWKWARD_VALUES))),
        )
        form = st.dictionaries(
            st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=12)),
            st.one_of(value, st.lists(value, min_size=2, max_size=3)),
            max_size=10,
        )

        try:
            _fuzz(admin, rule.rule, form, names)
        except Exception as exc:  # every route is fuzzed; the failures are reported together
            failures.extend(f"POST {rule.rule}: {line}" for line in _describe(exc))
        fuzzed.append(rule.endpoint)
        # Still logged in as an admin: the next route is fuzzed for real, not bounced to /login.
        assert admin.get("/users/").status_code == 200, f"admin session lost after {rule.rule}"
    assert not failures, "\n\n".join(failures)
    assert len(fuzzed) >= 20, fuzzed
