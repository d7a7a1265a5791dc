"""Sign-in limits under attack (issue #16, finding 1): one counter per person however the name
is spelled, the admin's sign-in included, parallel guesses counted before the password check,
and password-reset mails and sign-ups limited."""

from __future__ import annotations

import re
import threading
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
LOCKED = "Too many failed sign-in attempts"


def sign_in(username: str, password: str, address: str, path: str = "/accounts/login/"):
    return Client().post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_every_spelling_of_a_username_counts_against_one_account():
    make_user("victim1")
    spellings = ["ｖｉｃｔｉｍ１", "VICTIM1", " Victim1 ", "ＶＩＣＴＩＭ1", "victim1"]
    for number, spelling in enumerate(spellings):
        response = sign_in(spelling, "wrong", address=f"10.1.{number}.1")
        assert response.status_code == 200 and LOCKED not in response.content.decode()
    # Fullwidth digits sign in as the real account in Django, so they must be refused too.
    blocked = sign_in("ｖｉｃｔｉｍ１", PASSWORD, address="10.1.9.1")
    assert blocked.status_code == 429 and LOCKED in blocked.content.decode()
    assert sign_in("victim1", PASSWORD, address="10.1.9.2").status_code == 429


def test_the_admin_sign_in_is_limited_and_shares_the_count():
    staff = make_user("boss")
    staff.is_staff = True
    staff.save()
    for number in range(3):
        sign_in("boss", "wrong", address=f"10.2.{number}.1", path="/admin/login/")
    for number in range(2):
        sign_in("BOSS", "wrong", address=f"10.3.{number}.1")
    admin = sign_in("boss", PASSWORD, address="10.2.9.1", path="/admin/login/")
    assert admin.status_code == 429 and LOCKED in admin.content.decode()
    assert sign_in("boss", PASSWORD, address="10.2.9.2").status_code == 429


def test_a_successful_sign_in_clears_the_accounts_count_but_not_the_addresss():
    make_user("ada")
    make_user("eve")
    for _ in range(4):
        sign_in("ada", "wrong", address="10.4.0.1")
    assert sign_in("ada", PASSWORD, address="10.4.0.1").status_code == 302
    for _ in range(4):  # a fresh allowance for ada after she proved her password
        assert sign_in("ada", "wrong", address="10.4.0.2").status_code == 200
    # Signing into one's own account does not buy more guesses at other accounts.
    for number in range(15):
        sign_in(f"someone{number}", "wrong", address="10.4.0.3")
    assert sign_in("eve", PASSWORD, address="10.4.0.3").status_code == 302
    for number in range(5):
        assert sign_in(f"other{number}", "wrong", address="10.4.0.3").status_code == 200
    assert sign_in("other9", "wrong", address="10.4.0.3").status_code == 429


def test_the_lock_out_page_tells_the_person_what_to_do():
    make_user("ada")
    for number in range(5):
        sign_in("ada", "wrong", address=f"10.5.{number}.1")
    html = sign_in("ada", PASSWORD, address="10.5.9.1").content.decode()
    assert "Please wait 15 minutes" in html and "/accounts/password_reset/" in html


def test_password_reset_mails_are_limited_per_address_asked_for():
    make_user("ada")
    statuses = [
        Client()
        .post("/accounts/password_reset/", {"email": "ada@example.org"}, REMOTE_ADDR=f"10.6.{n}.1")
        .status_code
        for n in range(30)
    ]
    assert len(mail.outbox) == 5
    assert statuses.count(302) == 5 and statuses.count(429) == 25


def test_sign_ups_are_limited_per_network():
    statuses = []
    for number in range(15):
        response = Client().post(
            "/accounts/signup/",
            {
                "username": f"bot{number}",
                "email": f"bot{number}@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
            REMOTE_ADDR="10.7.0.1",
        )
        statuses.append(response.status_code)
    assert statuses.count(302) == 10 and statuses.count(429) == 5
    assert get_user_model().objects.count() == 10
    assert "Too many requests" in response.content.decode()


def _guess(url: str, barrier: threading.Barrier, results: list[int]) -> None:
    """Fetches the form (for its CSRF token), waits for the others, then guesses."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    html = opener.open(url, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "victim", "password": "wrong"}
    ).encode()
    barrier.wait()
    try:
        results.append(opener.open(url, data=body, timeout=60).status)
    except urllib.error.HTTPError as error:
        results.append(error.code)


class _WideServer(ThreadedWSGIServer):
    request_queue_size = 128  # room for every simultaneous guess (Django's live server has 10)


@pytest.fixture
def threaded_site():
    """The site under a real threaded HTTP server: one thread per request, on the test database."""
    server = _WideServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_are_counted_before_the_password_is_checked(threaded_site):
    """40 simultaneous wrong guesses: at most the limit (5) reach the password check."""
    make_user("victim")
    url = f"{threaded_site}/accounts/login/"
    barrier = threading.Barrier(40)
    results: list[int] = []
    threads = [threading.Thread(target=_guess, args=(url, barrier, results)) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 40
    # 200: the password was checked and was wrong; 429: refused before checking.
    assert results.count(200) <= 5 and results.count(200) + results.count(429) == 40, results
