"""Two app hosts behind a load balancer, for real (issue #17, item 6; docs/deploy.md, "Several
hosts").

Each host is gunicorn with the production settings inside a network namespace of its own,
joined to the root namespace by a veth link. HAProxy (Debian's package) runs in the root
namespace and balances across both with health checks on /healthz/. Both hosts use one
PostgreSQL database (created and dropped here) and one redis-server started here. The
namespaces share the file system, so the hosts reach PostgreSQL and Redis through their Unix
sockets; what crosses the veth links is the HTTP between the balancer and the hosts.

HAProxy listens on three ports: the balancer itself, and one per host ("via a", "via b") that
sends everything to that host through the same proxy rules, so a test can choose which host
answers. Every response names its host in X-Served-By.

The layout itself is built in tests/hosts_layout.py. Needs root (ip netns) and haproxy;
`make test-hosts` (and `make test`) install haproxy.
"""

from __future__ import annotations

import copy
import http.client
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from tests.hosts_layout import HOSTS, Cluster, kill_processes, two_hosts
from tests.test_redis_loss import PASSWORD, Browser

pytestmark = pytest.mark.hosts

LESSON = "/courses/inside-the-black-box/superposition/"
LOAD_CLIENTS = 3
TUTOR_LIMIT = 5
ACCOUNTS = ["ada", "bo", "target", "parallel", *(f"load{n}" for n in range(LOAD_CLIENTS))]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with two_hosts(
        tmp_path_factory.mktemp("hosts"),
        usernames=ACCOUNTS,
        password=PASSWORD,
        TUTOR_RATE_LIMIT=str(TUTOR_LIMIT),
    ) as cluster:
        yield cluster


# ---------------------------------------------------------------------------------------------
# A browser that can enter through the balancer or through one chosen host
# ---------------------------------------------------------------------------------------------
class Client(Browser):
    def on(self, port: int) -> Client:
        """The same browser (the same cookies) entering through another port."""
        view = copy.copy(self)
        view.port = port
        return view

    def served_by(self, path: str = "/healthz/") -> str:
        return self.go("GET", path)[1]["X-Served-By"]

    def json(self, method: str, path: str, payload: dict, csrf_from: str = LESSON):
        token = self.csrf(csrf_from)
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": token,
        }
        status, response_headers, body = self.go(method, path, json.dumps(payload), headers)
        return status, response_headers, body

    def quiz_form(self) -> tuple[str, str]:
        """The lesson's quiz as this browser gets it: (the form's body, answering every question
        with its first option; the form's one-time token)."""
        _, _, html = self.go("GET", LESSON)
        return quiz_body(html)

    def submit(self, body: str) -> tuple[int, str, dict | None]:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        status, response_headers, text = self.go("POST", f"{LESSON}quiz/", body, headers)
        data = json.loads(text) if status == 200 else None
        return status, response_headers.get("X-Served-By", ""), data


def quiz_body(html: str) -> tuple[str, str]:
    from urllib.parse import urlencode

    token = re.search(r'name="token" value="([^"]+)"', html)[1]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    first: dict[str, str] = {}
    for match in re.finditer(
        r'type="(?:radio|checkbox)" id="[^"]+" name="(q\d+)" value="([0-9a-f]{16})"', html
    ):
        first.setdefault(match[1], match[2])
    assert first, "the lesson page shows no quiz"
    return urlencode({"csrfmiddlewaretoken": csrf, "token": token, **first}), token


def signed_in(cluster: Cluster, username: str, *, port: int | None = None, source=None):
    client = Client(port or cluster.balancer, source=source)
    assert client.sign_in(username) == 302
    return client


# ---------------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------------
def test_the_balancer_uses_both_hosts(cluster):
    client = Client(cluster.balancer)
    served = {client.served_by() for _ in range(6)}
    assert served == {"a", "b"}
    assert Client(cluster.via["a"]).served_by() == "a"
    assert Client(cluster.via["b"]).served_by() == "b"


def test_health_checks_on_both_hosts_at_once_all_pass(cluster):
    """/healthz/ writes and reads back a probe in the shared cache: hosts checked at the same
    moment (as the balancer does) must not read each other's probe and report a failure."""

    def check(port: int) -> int:
        return Client(port).go("GET", "/healthz/")[0]

    ports = [cluster.via[HOSTS[number % 2]] for number in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(check, ports))
    assert statuses == [200] * len(ports), {status: statuses.count(status) for status in statuses}


def test_a_session_started_on_one_host_holds_on_the_other(cluster):
    ada = signed_in(cluster, "ada", port=cluster.via["a"])
    status, _, html = ada.on(cluster.via["b"]).go("GET", "/accounts/")
    assert status == 200 and "ada" in html
    # Signing out through b ends the session on a too.
    token = ada.on(cluster.via["b"]).csrf("/accounts/")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    logout = ada.on(cluster.via["b"]).go(
        "POST", "/accounts/logout/", f"csrfmiddlewaretoken={token}", form
    )
    assert logout[0] == 302
    status, headers, _ = ada.on(cluster.via["a"]).go("GET", "/learning/")
    assert status == 302 and "/accounts/login/" in headers["Location"]


def test_progress_and_attempts_written_on_one_host_are_read_on_the_other(cluster):
    ada = signed_in(cluster, "ada", port=cluster.via["a"])
    on_a, on_b = ada.on(cluster.via["a"]), ada.on(cluster.via["b"])
    body, _ = on_a.quiz_form()
    status, served, result = on_a.submit(body)
    assert status == 200 and served == "a", (status, result)

    # The attempt's own page, which only its learner may see, from b.
    assert on_b.go("GET", result["url"])[0] == 200
    _, _, lesson = on_a.go("GET", LESSON)
    anchor = re.search(r'data-section="([^"]+)"', lesson)[1]
    began = (datetime.now(UTC) - timedelta(hours=1)).isoformat()  # time enough to read it
    ref = "inside-the-black-box/superposition"
    sent = {"lessons": {ref: {"sections_read": [anchor], "started_at": began}}}
    status, _, text = on_a.json("POST", "/progress/sync/", sent)
    assert status == 200, text
    status, _, text = on_b.json("POST", "/progress/sync/", {})
    state = json.loads(text)["lessons"][ref]
    assert status == 200 and anchor in state["sections_read"]
    assert (state["latest_score"], state["latest_total"]) == (result["score"], result["total"])
    status, _, html = on_b.go("GET", "/learning/")
    assert status == 200 and "Superposition" in html


def ask_tutor(client: Client, token: str, headers=None) -> int:
    question = json.dumps({"question": "What does superposition mean?"})
    sent = {"Content-Type": "application/json", "X-CSRFToken": token, **(headers or {})}
    return client.go("POST", f"{LESSON}tutor/", question, sent)[0]


def test_the_tutor_limit_is_exact_across_hosts(cluster):
    """One learner at one address, asking through either host: exactly TUTOR_LIMIT answers a
    minute. The address is the one the balancer saw (TRUSTED_PROXY_COUNT=1), so another
    session from that address is refused too and a client elsewhere is not; what a client
    writes into X-Forwarded-For changes nothing. Asked all at once over both hosts, too."""
    asker = signed_in(cluster, "bo", port=cluster.via["a"], source="127.0.0.21")
    token = asker.csrf(LESSON)  # one CSRF token serves both hosts (one SECRET_KEY)
    same_address = Client(cluster.via["b"], source="127.0.0.21")
    elsewhere = Client(cluster.via["a"], source="127.0.0.22")
    crowd = [Client(cluster.balancer, source="127.0.0.23") for _ in range(TUTOR_LIMIT + 7)]
    tokens = {client: client.csrf(LESSON) for client in [same_address, elsewhere, *crowd]}
    if time.time() % 60 > 50:  # the limit counts in fixed one-minute windows: start a fresh one
        time.sleep(61 - time.time() % 60)

    statuses = [
        ask_tutor(
            asker.on(cluster.via[HOSTS[number % 2]]),
            token,
            {"X-Forwarded-For": f"198.51.100.{number}"},
        )
        for number in range(TUTOR_LIMIT + 3)
    ]
    assert statuses == [200] * TUTOR_LIMIT + [429] * 3, statuses
    assert ask_tutor(same_address, tokens[same_address]) == 429
    assert ask_tutor(elsewhere, tokens[elsewhere]) == 200
    with ThreadPoolExecutor(max_workers=len(crowd)) as pool:
        at_once = list(pool.map(ask_tutor, crowd, [tokens[client] for client in crowd]))
    assert sorted(at_once) == [200] * TUTOR_LIMIT + [429] * 7, at_once


def guess(client: Client, username: str, token: str) -> int:
    body = f"csrfmiddlewaretoken={token}&username={username}&password=wrong"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    return client.go("POST", "/accounts/login/", body, form)[0]


def test_the_sign_in_limit_is_exact_across_hosts(cluster):
    """Five wrong passwords for one account, then a lock-out, whichever host each guess
    reaches (django-axes counts in the shared database, under a lock)."""
    guesser = Client(cluster.via["a"], source="127.0.0.31")
    token = guesser.csrf("/accounts/login/")
    statuses = [
        guess(guesser.on(cluster.via[HOSTS[number % 2]]), "target", token) for number in range(9)
    ]
    assert statuses == [200] * 5 + [429] * 4, statuses
    # Locked out on both hosts, even with the right password.
    for name in HOSTS:
        assert Client(cluster.via[name], source="127.0.0.32").sign_in("target") == 429


def test_simultaneous_guesses_through_the_balancer_reach_the_check_five_times(cluster):
    """20 wrong passwords for one account at once, spread over both hosts and their workers:
    exactly five are checked, the rest are refused."""
    guessers = [Client(cluster.balancer, source="127.0.0.33") for _ in range(20)]
    tokens = [guesser.csrf("/accounts/login/") for guesser in guessers]
    with ThreadPoolExecutor(max_workers=len(guessers)) as pool:
        statuses = list(pool.map(guess, guessers, ["parallel"] * len(guessers), tokens))
    assert sorted(statuses) == [200] * 5 + [429] * 15, statuses


def search_results(client: Client, query: str) -> str:
    """The results part of the page: the count, each lesson card and its passage."""
    status, _, html = client.go("GET", f"/search/?q={query}")
    assert status == 200
    return html.split('<div id="search-results"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("query", ["superposition", "sparse autoencoder", "steering+vector"])
def test_search_results_are_the_same_from_both_hosts(cluster, query):
    # Each query asked of a different host first, so neither only reads the other's cached page.
    first, second = HOSTS if query != "sparse autoencoder" else reversed(HOSTS)
    from_first = search_results(Client(cluster.via[first]), query.replace(" ", "+"))
    from_second = search_results(Client(cluster.via[second]), query.replace(" ", "+"))
    assert 'class="card search-hit"' in from_first and "<mark>" in from_first
    assert from_first == from_second


@dataclass
class LoadClient:
    """A learner submitting quiz attempts through the balancer, as fast as it can.

    Each submission carries the form's one-time token. When the balancer answers 502/503/504
    or the connection fails, the client sends the same form again (a browser's retry): the
    token makes that safe, since a token already used returns the attempt it recorded.
    """

    client: Client
    confirmed: dict[str, str] = field(default_factory=dict)  # form token -> attempt id
    served: list[tuple[float, str]] = field(default_factory=list)  # (time, host) per success
    retried: int = 0
    failures: list[str] = field(default_factory=list)

    def submit_one(self, deadline: float) -> None:
        while True:
            try:
                body, token = self.client.quiz_form()
                break
            except (OSError, http.client.HTTPException, TypeError) as error:  # no page
                self.retried += 1
                if time.monotonic() > deadline:
                    self.failures.append(f"lesson page: {error!r}")
                    return
        while True:
            try:
                status, served, result = self.client.submit(body)
            except (OSError, http.client.HTTPException) as error:  # connection lost
                status, served, result = None, "", repr(error)
            if status == 200:
                self.confirmed[token] = result["attempt"]
                self.served.append((time.monotonic(), served))
                return
            if status not in (None, 502, 503, 504) or time.monotonic() > deadline:
                self.failures.append(f"{status}: {result}")
                return
            self.retried += 1


def test_killing_a_host_under_load_loses_no_attempt(cluster):
    """Every attempt a client saw confirmed is stored, once; the balancer moves all traffic to
    the surviving host; the killed host, restarted, takes traffic again."""
    clients = [
        LoadClient(signed_in(cluster, f"load{n}", source=f"127.0.0.{41 + n}"))
        for n in range(LOAD_CLIENTS)
    ]
    stop_load = threading.Event()
    deadline = time.monotonic() + 120

    def work(load: LoadClient) -> None:
        while not stop_load.is_set() and time.monotonic() < deadline:
            load.submit_one(deadline)

    with ThreadPoolExecutor(max_workers=LOAD_CLIENTS) as pool:
        running = [pool.submit(work, load) for load in clients]

        def keep_load_until(reached) -> None:
            while not reached():
                assert time.monotonic() < deadline
                for future in running:
                    if future.done():
                        future.result()  # raises what stopped it
                        pytest.fail("a load client stopped early")
                time.sleep(0.05)

        # Kill host a once both hosts have confirmed attempts and every client has some.
        keep_load_until(
            lambda: (
                {"a", "b"} <= {host for load in clients for _, host in load.served}
                and all(len(load.confirmed) >= 3 for load in clients)
            )
        )
        assert kill_processes(cluster.hosts["a"].namespace), "nothing ran on host a"
        cluster.hosts["a"].server.wait(timeout=10)
        killed_at = time.monotonic()
        cluster.wait_for_state("a", "DOWN")
        marked_down_at = time.monotonic()
        # Keep the load on until every client has had a few more attempts confirmed.
        counts = [len(load.confirmed) for load in clients]
        keep_load_until(
            lambda: all(
                len(load.confirmed) >= c + 5 for load, c in zip(clients, counts, strict=True)
            )
        )
        stop_load.set()
        for future in running:
            future.result()

    assert not [f for load in clients for f in load.failures], [load.failures for load in clients]
    confirmed = [attempt for load in clients for attempt in load.confirmed.values()]
    # Every form submitted was confirmed in the end (no failures above), each token's attempt
    # once: so the stored attempts are exactly the confirmed ones, none lost, none doubled.
    assert sorted(cluster.attempts("load")) == sorted(confirmed)
    assert len(set(confirmed)) == len(confirmed)
    # Once HAProxy saw host a down, only host b answered.
    after = [host for load in clients for when, host in load.served if when > marked_down_at]
    assert after and set(after) == {"b"}, after
    print(
        f"\n{len(confirmed)} attempts confirmed, all stored; {sum(c.retried for c in clients)} "
        f"retried; host a marked down {marked_down_at - killed_at:.2f} s after the kill"
    )

    # Nothing else was ever taken out: no healthy host failed its checks, in this test or before.
    taken_out = re.findall(r"Server hosts/(\w+) is DOWN", cluster.haproxy_log.read_text())
    assert taken_out == ["a"], cluster.haproxy_log.read_text()

    # The host comes back: restarted, it is checked UP and takes traffic again.
    cluster.start_host(cluster.hosts["a"])
    cluster.wait_for_state("a", "UP")
    client = Client(cluster.balancer)
    assert {client.served_by() for _ in range(6)} == {"a", "b"}
