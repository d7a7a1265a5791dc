"""Every endpoint that takes input, sent bad input (session 20): NUL characters, 200 KB strings,
wrong JSON types, malformed JSON, invalid UTF-8, odd path segments and headers, as the visitor
each page is for. None may be a server error, and none refused (4xx) may change a row.

The cases that were a 500 have tests of their own that say what is answered instead
(tests/test_bad_input_requests.py); this sweep keeps the rest of them from becoming one. It
runs on both databases: PostgreSQL refuses a NUL in text, SQLite does not.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.cache import caches
from django.test import Client

from core import ratelimit
from courses.models import Lesson
from quizzes.services import issue_token, option_value, read_token
from reports.permissions import INSTRUCTORS
from tests.factories import make_user

NUL = "nul\x00here"
LONG = "x" * 200_000
LONG_GET = "x" * 20_000
L = "/courses/black-box/lesson-1"  # the lesson of the `lesson` fixture


def counts() -> dict[str, int]:
    """Rows per model, sessions left out (signing a test client in writes one)."""
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.label != "sessions.Session"
    }


def cases(quiz_token: str, qfield: str, qvalue: str, user_id: int) -> list[tuple]:
    """(name, who, test-client method, path, its keyword arguments) for each case; who is
    "anon", "learner", "instructor" or "staff"; "generic" sends the bytes as they are."""
    j = "application/json"
    form = "application/x-www-form-urlencoded"
    out = []

    def add(name, who, method, path, **kw):
        out.append((name, who, method, path, kw))

    # -- GET with query strings ------------------------------------------------------------
    for p in ["/healthz/", "/favicon.ico", "/", "/learning/", "/accounts/", "/accounts/data/"]:
        add(f"GET {p}?x=NUL", "learner", "get", p + "?x=%00&next=%00&page=%00")
    for param in ["q", "track", "course", "page"]:
        for label, value in [
            ("NUL", "%00"),
            ("LONG", LONG_GET),
            ("badutf8", "%ff%fe"),
            ("bigint", "9" * 5000),
            ("neg", "-5"),
        ]:
            add(f"search {param}={label}", "anon", "get", f"/search/?{param}={value}")
    add("search q=NUL w/ other", "anon", "get", "/search/?q=probe%00&track=x&page=2")
    for p in [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/logout/",
        "/accounts/password_reset/",
    ]:
        add(f"GET {p}?next=NUL", "anon", "get", p + "?next=%00")
        add(f"GET {p}?next=LONG", "anon", "get", p + "?next=" + LONG_GET)
    add("GET password_change ?next=NUL", "learner", "get", "/accounts/password_change/?next=%00")
    add("GET delete ?x=NUL", "learner", "get", "/accounts/delete/?x=%00")
    add("GET login next=NUL as learner", "learner", "get", "/accounts/login/?next=%00")
    for p in [
        "/reports/",
        "/reports/black-box/",
        "/reports/black-box/lesson-1/",
        "/reports/black-box/lesson-1/attempts/",
        "/reports/black-box/lesson-1/tutor-gaps.csv",
    ]:
        for qs in [
            "basis=%00",
            "format=%00",
            "basis=%00&format=csv",
            "page=%00",
            "page=" + "9" * 5000,
            "basis=" + LONG_GET,
        ]:
            add(f"reports {p}?{qs[:20]}", "instructor", "get", f"{p}?{qs}")
    for qs in [
        "path=%00",
        "path=" + LONG_GET,
        "path=%ff.md",
        "path=../../etc/passwd.md",
        "path=black-box/" + "a" * 300 + ".md",
    ]:
        add(f"preview ?{qs[:20]}", "instructor", "get", f"/reports/preview/?{qs}")
    add("GET import ?x=NUL", "staff", "get", "/reports/import/?x=%00")
    add("POST import junk", "staff", "post", "/reports/import/", data={"x": NUL})
    # -- path segments -----------------------------------------------------------------------
    for p in [
        "/concepts/%00/",
        "/concepts/%ff/",
        "/concepts/" + "a" * 5000 + "/",
        "/courses/%00/",
        "/courses/black-box/%00/",
        "/courses/black-box/files/%00",
        "/courses/black-box/lesson-1/quiz/attempts/" + str(uuid.uuid4()) + "/",
        "/courses/black-box/lesson-1/quiz/attempts/%00/",
        "/courses/black-box/lesson-1/?x=%00",
        "/courses/black-box/?x=%00",
        "/courses/black-box/lesson-1/tutor/?x=%00",
        "/courses/black-box/lesson-1/quiz/?x=%00",
        "/accounts/reset/%00/%00/",
        "/accounts/reset/MQ/%00/",
        "/accounts/reset/MQ/set-password/",
        "/accounts/reset/MQA/set-password/",
        "/accounts/reset/" + "A" * 5000 + "/x/",
        "/%00",
        "/%ff/",
    ]:
        add(f"GET path {p[:50]}", "anon", "get", p)
    # -- sign in / sign up / reset / change / delete ----------------------------------------
    for field in ["username", "password"]:
        for label, value in [("NUL", NUL), ("LONG", LONG)]:
            data = {"username": "ada", "password": "wrong"} | {field: value}
            add(f"login {field}={label}", "anon", "post", "/accounts/login/", data=data)
            add(f"admin login {field}={label}", "anon", "post", "/admin/login/", data=data)
    add(
        "login next=NUL",
        "anon",
        "post",
        "/accounts/login/?next=%00",
        data={"username": "ada", "password": "correct horse battery staple", "next": NUL},
    )
    add(
        "login badutf8 raw",
        "anon",
        "post",
        "/accounts/login/",
        data=b"username=\xff\xfe&password=x",
        content_type=form,
    )
    add(
        "login badutf8 pct",
        "anon",
        "post",
        "/accounts/login/",
        data=b"username=%ff%fe&password=x",
        content_type=form,
    )
    add(
        "login list/json",
        "anon",
        "post",
        "/accounts/login/",
        data=b'{"username": ["a"]}',
        content_type=j,
    )
    good_signup = {
        "username": "newbie",
        "email": "n@example.org",
        "password1": "a long pass phrase 42",
        "password2": "a long pass phrase 42",
    }
    for field in ["username", "email", "password1", "password2", "next"]:
        for label, value in [("NUL", NUL), ("LONG", LONG)]:
            add(
                f"signup {field}={label}",
                "anon",
                "post",
                "/accounts/signup/",
                data=good_signup | {field: value},
            )
    add(
        "signup next=word",
        "anon",
        "post",
        "/accounts/signup/",
        data=good_signup | {"username": "other", "next": "word"},
    )
    add(
        "signup badutf8",
        "anon",
        "post",
        "/accounts/signup/",
        data=b"username=%ff&email=%ff&password1=%ff&password2=%ff",
        content_type=form,
    )
    for field in ["email"]:
        for label, value in [("NUL", NUL), ("LONG", LONG), ("NUL@", "a\x00@example.org")]:
            add(
                f"reset {field}={label}",
                "anon",
                "post",
                "/accounts/password_reset/",
                data={"email": value},
            )
    for field in ["old_password", "new_password1", "new_password2"]:
        data = {
            "old_password": "correct horse battery staple",
            "new_password1": "another pass phrase 9",
            "new_password2": "another pass phrase 9",
        }
        add(
            f"pw change {field}=NUL",
            "learner",
            "post",
            "/accounts/password_change/",
            data=data | {field: NUL},
        )
    add("delete password=NUL", "learner", "post", "/accounts/delete/", data={"password": NUL})
    add("delete password=LONG", "learner", "post", "/accounts/delete/", data={"password": LONG})
    add("logout next=NUL", "learner", "post", "/accounts/logout/", data={"next": NUL})
    add(
        "reset confirm POST NUL",
        "anon",
        "post",
        "/accounts/reset/MQ/set-password/",
        data={"new_password1": NUL, "new_password2": NUL},
    )
    # -- quiz --------------------------------------------------------------------------------
    for accept in ["text/html", j]:
        h = {"HTTP_ACCEPT": accept}
        a = accept[-4:]
        add(f"quiz token=NUL {a}", "anon", "post", f"{L}/quiz/", data={"token": NUL}, **h)
        add(f"quiz token=LONG {a}", "anon", "post", f"{L}/quiz/", data={"token": LONG[:60000]}, **h)
        add(
            f"quiz answer=NUL {a}",
            "anon",
            "post",
            f"{L}/quiz/",
            data={"token": quiz_token, qfield: NUL},
            **h,
        )
        add(
            f"quiz field NUL {a}",
            "anon",
            "post",
            f"{L}/quiz/",
            data={"token": quiz_token, qfield + "\x00": qvalue},
            **h,
        )
        add(
            f"quiz submit_incomplete=NUL {a}",
            "anon",
            "post",
            f"{L}/quiz/",
            data={"token": quiz_token, "submit_incomplete": NUL},
            **h,
        )
        add(
            f"quiz badutf8 {a}",
            "anon",
            "post",
            f"{L}/quiz/",
            data=b"token=%ff&q1=\xff",
            content_type=form,
            **h,
        )
        add(
            f"quiz json body {a}",
            "anon",
            "post",
            f"{L}/quiz/",
            data=b'{"token": 1}',
            content_type=j,
            **h,
        )
        add(
            f"quiz CL=abc {a}",
            "anon",
            "post",
            f"{L}/quiz/",
            data={"token": "x"},
            CONTENT_LENGTH="abc",
            **h,
        )
    # -- tutor ---------------------------------------------------------------------------------
    T = f"{L}/tutor/"
    for label, body in [
        ("NUL", {"question": "what is \x00 superposition?"}),
        ("only NUL", {"question": "\x00\x00"}),
        ("list", {"question": ["a"]}),
        ("number", {"question": 5}),
        ("null", {"question": None}),
        ("object", {"question": {"a": 1}}),
        ("no key", {"q": "x"}),
        ("top list", ["question"]),
        ("top string", "question"),
        ("LONG", {"question": "x" * 7000}),
        ("key NUL", {"question\x00": "x", "question": "what?"}),
    ]:
        add(f"tutor json {label}", "anon", "post", T, data=json.dumps(body), content_type=j)
    S = "/progress/sync/"
    for who, url, label, raw in [
        ("anon", T, "malformed", b'{"question": '),
        ("anon", T, "badutf8", b'{"question": "\xff\xfe"}'),
        ("anon", T, "empty", b""),
        ("anon", T, "nul raw", b'{"question": "a\x00b"}'),
        ("anon", T, "u0000", b'{"question": "a\\u0000b"}'),
        ("anon", T, "too big", b'{"question": "' + b"x" * 9000 + b'"}'),
        ("learner", S, "malformed", b"{"),
        ("learner", S, "badutf8", b'{"lessons": {"\xff": {}}}'),
        ("learner", S, "empty", b""),
        ("learner", S, "u0000 key", b'{"lessons": {"a\\u0000/b": {}}}'),
        ("learner", S, "too big", b'{"x": "' + b"x" * 70000 + b'"}'),
    ]:
        add(f"{url} raw {label}", who, "post", url, data=raw, content_type=j)
    add(
        "tutor json latin-1",
        "anon",
        "generic",
        T,
        verb="POST",
        data='{"question": "caf\xe9?"}'.encode("latin-1"),
        content_type="application/json; charset=latin-1",
    )
    add("tutor form NUL", "anon", "post", T, data={"question": "what\x00 is it?"})
    add("tutor form LONG", "anon", "post", T, data={"question": "x" * 7000})
    add("tutor form badutf8", "anon", "post", T, data=b"question=%ff%fe", content_type=form)
    add("tutor form rawbad", "anon", "post", T, data=b"question=\xff\xfe", content_type=form)
    add("tutor text/plain", "anon", "post", T, data=b"hello", content_type="text/plain")
    add(
        "tutor CL=abc",
        "anon",
        "post",
        T,
        data=b'{"question": "x"}',
        content_type=j,
        CONTENT_LENGTH="abc",
    )
    add(
        "tutor learner NUL",
        "learner",
        "post",
        T,
        data=json.dumps({"question": "a\x00b?"}),
        content_type=j,
    )
    # -- progress sync -------------------------------------------------------------------------
    ref = "black-box/lesson-1"
    for label, body in [
        ("ref NUL", {"lessons": {"black-box/less\x00on-1": {}}}),
        ("anchor NUL", {"lessons": {ref: {"sections_read": ["grown\x00"]}}}),
        ("anchor LONG", {"lessons": {ref: {"sections_read": ["a" * 100000]}}}),
        ("started NUL", {"lessons": {ref: {"started_at": "2024-01-01T00:00:00\x00+00:00"}}}),
        ("started list", {"lessons": {ref: {"started_at": ["x"]}}}),
        ("started num", {"lessons": {ref: {"started_at": 5}}}),
        ("started null", {"lessons": {ref: {"started_at": None}}}),
        ("completed obj", {"lessons": {ref: {"completed_at": {}}}}),
        ("sections str", {"lessons": {ref: {"sections_read": "abc"}}}),
        ("sections nums", {"lessons": {ref: {"sections_read": [1, None]}}}),
        ("sections null", {"lessons": {ref: {"sections_read": None}}}),
        ("lessons list", {"lessons": []}),
        ("lessons null", {"lessons": None}),
        ("entry null", {"lessons": {ref: None}}),
        ("attempt NUL", {"attempts": ["abc\x00def"]}),
        ("attempt num", {"attempts": [5]}),
        ("attempts obj", {"attempts": {}}),
        ("attempt LONG", {"attempts": ["x" * 999]}),
        ("field NUL", {"less\x00ons": {}}),
        ("top list", []),
        ("top null", None),
        ("top num", 3),
    ]:
        add(f"sync {label}", "learner", "post", S, data=json.dumps(body), content_type=j)
    add("sync form", "learner", "post", S, data={"lessons": NUL})
    add("sync CL=abc", "learner", "post", S, data=b"{}", content_type=j, CONTENT_LENGTH="abc")
    add("sync anon", "anon", "post", S, data=b"{}", content_type=j)
    # -- headers -------------------------------------------------------------------------------
    for p in ["/", f"{L}/", "/search/?q=probe", "/learning/", "/accounts/"]:
        add(f"hdr session NUL {p}", "anon", "get", p, HTTP_COOKIE='sessionid="abcdefgh\\000ij"')
        add(f"hdr csrftoken NUL {p}", "anon", "get", p, HTTP_COOKIE='csrftoken="abc\\000"')
        add(f"hdr messages NUL {p}", "anon", "get", p, HTTP_COOKIE='messages="abc\\000"')
        add(f"hdr XFF NUL {p}", "anon", "get", p, HTTP_X_FORWARDED_FOR="1.2.3.4\x00")
        add(f"hdr reqid NUL {p}", "anon", "get", p, HTTP_X_REQUEST_ID="abcdefgh\x00")
        add(f"hdr accept NUL {p}", "anon", "get", p, HTTP_ACCEPT="text/html\x00")
    question = {"data": json.dumps({"question": "what?"}), "content_type": j}
    sign_in = {"data": {"username": "ada", "password": "wrong"}}
    for name, path, body, header in [
        ("session NUL tutor", T, question, {"HTTP_COOKIE": 'sessionid="abcdefgh\\000ij"'}),
        ("XFF NUL tutor", T, question, {"HTTP_X_FORWARDED_FOR": "1.2.3.4\x00"}),
        ("XFF NUL login", "/accounts/login/", sign_in, {"HTTP_X_FORWARDED_FOR": "1.2.3.4\x00"}),
        ("UA NUL login", "/accounts/login/", sign_in, {"HTTP_USER_AGENT": "Mozilla\x00"}),
        ("UA LONG login", "/accounts/login/", sign_in, {"HTTP_USER_AGENT": "M" * 100_000}),
    ]:
        add(f"hdr {name}", "anon", "post", path, **body, **header)
    add("hdr accept-lang NUL", "anon", "get", "/", HTTP_ACCEPT_LANGUAGE="en\x00")
    # -- admin ---------------------------------------------------------------------------------
    for p in [
        "/admin/auth/user/?q=%00",
        "/admin/auth/user/?username=%00",
        "/admin/auth/user/%00/change/",
        "/admin/auth/user/" + "9" * 40 + "/change/",
        "/admin/auth/user/?q=" + LONG_GET,
        "/admin/auth/user/?o=%00",
        "/admin/auth/user/?p=%00",
        "/admin/%00/",
        "/admin/auth/user/?all=&q=%ff",
    ]:
        add(f"admin GET {p[:40]}", "staff", "get", p)
    add(
        "admin action NUL ids",
        "staff",
        "post",
        "/admin/auth/user/",
        data={"action": "delete_selected", "_selected_action": [NUL]},
    )
    add(
        "admin action NUL name",
        "staff",
        "post",
        "/admin/auth/user/",
        data={"action": NUL, "_selected_action": [str(user_id)]},
    )
    add(
        "admin change username NUL",
        "staff",
        "post",
        f"/admin/auth/user/{user_id}/change/",
        data={"username": NUL, "email": "a@example.org"},
    )
    add("admin search POST NUL", "staff", "post", "/admin/auth/user/?q=%00", data={"q": NUL})
    add(
        "admin add user NUL",
        "staff",
        "post",
        "/admin/auth/user/add/",
        data={"username": NUL, "password1": "a long pass 4242", "password2": "a long pass 4242"},
    )
    add("admin add group NUL", "staff", "post", "/admin/auth/group/add/", data={"name": NUL})
    return out


def instructors_group() -> Group:
    """The group migration quizzes 0004 makes: a transactional test run before this one
    flushes the database, and with it the rows migrations wrote."""
    group, _ = Group.objects.get_or_create(name=INSTRUCTORS)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="quizzes", codename__in=["view_reports", "view_attempt"]
        )
    )
    return group


@pytest.mark.django_db(transaction=True)  # a 500 on PostgreSQL must not hide the next case
def test_no_bad_input_is_a_server_error_or_changes_data_when_refused(lesson):
    learner = make_user()
    instructor = make_user("instructor")
    instructor.groups.add(instructors_group())
    staff = make_user("staff")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    lesson = Lesson.objects.get(slug="lesson-1")
    questions = list(lesson.questions.all())
    token = issue_token(lesson_id=lesson.pk, question_ids=[q.pk for q in questions], learner=None)
    question = questions[0]
    answer = option_value(read_token(token).seed, question.options.first().pk)
    users = {"learner": learner, "instructor": instructor, "staff": staff}
    problems = []
    for name, who, method, path, kw in cases(token, f"q{question.pk}", answer, learner.pk):
        for store in (caches["default"], caches["limits"], ratelimit._local):
            store.clear()  # each case on its own, never a rate limit's 429
        client = Client(raise_request_exception=False)
        if who in users:
            client.force_login(users[who])
        before = counts()
        if method == "generic":
            response = client.generic(kw.pop("verb"), path, **kw)
        else:
            response = getattr(client, method)(path, **kw)
        changed = sorted(k for k, n in counts().items() if n != before[k])
        if response.status_code >= 500:
            problems.append(f"{name}: {response.status_code}")
        elif response.status_code >= 400 and changed:
            problems.append(f"{name}: {response.status_code} but changed {changed}")
    assert not problems
