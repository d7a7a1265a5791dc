"""The tutor over HTTP, in the page's form fallback, and on the command line."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from courses.importer import import_content
from courses.models import Lesson
from tests.factories import make_user, write_course, write_lesson
from tutor.models import TutorQuestion

URL = "/courses/black-box/lesson-1/tutor/"

BODY = """\
## Superposition explained
Superposition means that a layer stores more features than it has neurons. The features share
neurons because most of them are rarely active at the same time.

## Probes
A linear probe is a small classifier trained on a model's activations. A probe that succeeds
shows that information is present, not that the model uses it.

## Key terms
- **Superposition**: storing more features than there are neurons.

## Quiz
1. What does a probe show?
   - [x] That information is decodable QUIZMARKERRIGHT
   - [ ] That the model uses it
   > QUIZMARKEREXPLANATION the probe shows presence only.
"""


@pytest.fixture
def lesson(content_root, db):
    write_course(content_root)
    write_lesson(content_root, name="01-lesson-1.md", body=BODY)
    write_lesson(
        content_root,
        name="02-other.md",
        title="Other",
        body=(
            "## Sparse autoencoders\n"
            "A sparse autoencoder rebuilds activations from a wide dictionary of features.\n"
        ),
    )
    import_content(content_root)
    return Lesson.objects.get(slug="lesson-1")


def ask(client: Client, question, url: str = URL):
    return client.post(url, json.dumps({"question": question}), content_type="application/json")


def test_answer_quotes_the_lesson_with_citations(client, lesson):
    response = ask(client, "what is a linear probe?")
    assert response.status_code == 200
    body = response.json()
    assert body["grounded"] is True
    assert body["citations"], body
    lesson_text = " ".join(" ".join(s.text.split()) for s in lesson.sections.all())
    for citation in body["citations"]:
        assert citation["quote"] in lesson_text
        assert citation["quote"] in body["answer"]
        assert citation["anchor"] in {"superposition-explained", "probes"}
    assert any(c["anchor"] == "probes" and c["section"] == "Probes" for c in body["citations"])
    assert len(body["answer"].split()) <= 90


def test_question_the_lesson_does_not_answer_is_declined(client, lesson):
    body = ask(client, "What is the capital of France?").json()
    assert body == {"answer": body["answer"], "grounded": False, "citations": []}
    assert "doesn't cover" in body["answer"]


def test_tutor_never_answers_from_another_lesson(client, lesson):
    body = ask(client, "What does a sparse autoencoder rebuild?").json()
    assert body["grounded"] is False
    assert "dictionary" not in body["answer"]


def test_greeting_is_answered_from_the_lesson_itself(client, lesson):
    body = ask(client, "hello!").json()
    assert body["grounded"] is True and "Why Models Are Hard" in body["answer"]


def test_the_quiz_is_never_quoted(client, lesson):
    for question in ["What does a probe show?", "what is decodable?", "explain the quiz answer"]:
        answer = ask(client, question).content.decode()
        assert "QUIZMARKER" not in answer


def test_questions_are_logged_with_the_learner_as_an_id_only(client, lesson):
    user = make_user()
    client.force_login(user)
    ask(client, "what is a linear probe?")
    ask(Client(), "Who won the 2018 World Cup?")
    signed_in, anonymous = TutorQuestion.objects.order_by("asked_at")
    assert (signed_in.lesson, signed_in.learner_id, signed_in.grounded) == (lesson, user.pk, True)
    assert signed_in.best_score > 0 and signed_in.anchors
    assert anonymous.learner_id is None and anonymous.grounded is False


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        ({"question": ""}, "application/json", 400, "Please type a question."),
        ({"question": "   \n\t "}, "application/json", 400, "Please type a question."),
        ({"question": "x" * 501}, "application/json", 400, "at most 500 characters"),
        ({"question": 42}, "application/json", 400, '"question" must be a string.'),
        ({"question": ["a"]}, "application/json", 400, '"question" must be a string.'),
        (["question"], "application/json", 400, 'a JSON object with a "question"'),
        ({"q": "hi"}, "application/json", 400, 'a JSON object with a "question"'),
        ("{not json", "application/json", 400, "The body must be JSON"),
        ("question=hi", "text/plain", 400, "Send JSON"),
    ],
)
def test_bad_requests_get_a_4xx_with_a_json_message(
    client, lesson, body, content_type, status, message
):
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.post(URL, data, content_type=content_type)
    assert response.status_code == status
    assert message in response.json()["error"]
    assert TutorQuestion.objects.count() == 0


def test_unknown_lesson_is_a_json_404(client, lesson):
    response = ask(client, "hi", url="/courses/black-box/nope/tutor/")
    assert response.status_code == 404 and response.json() == {"error": "No such lesson."}


def test_opening_the_tutor_address_as_a_page_leads_to_the_tutor_box(client, lesson):
    # The address shows on the answer page without JavaScript; opened again from the address
    # bar it gave an empty "405" page. It leads to the lesson's tutor box instead.
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/courses/black-box/lesson-1/#tutor"
    assert client.put(URL).status_code == 405
    assert client.get("/courses/black-box/nope/tutor/").status_code == 404


def test_csrf_is_required(lesson):
    strict = Client(enforce_csrf_checks=True)
    assert ask(strict, "what is a probe?").status_code == 403
    page = strict.get("/courses/black-box/lesson-1/")
    token = page.cookies["csrftoken"].value
    response = strict.post(
        URL,
        json.dumps({"question": "what is a probe?"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200


def test_rate_limit_answers_429_with_retry_after(client, lesson, settings):
    settings.TUTOR_RATE_LIMIT = 3
    statuses = [ask(client, f"what is probe number {n}?").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = ask(client, "what is a probe?")
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert "Try again in" in limited.json()["error"]
    assert TutorQuestion.objects.count() == 3


def test_rate_limit_zero_turns_it_off(client, lesson, settings):
    settings.TUTOR_RATE_LIMIT = 0
    assert {ask(client, "what is a probe?").status_code for _ in range(30)} == {200}


def test_form_fallback_without_javascript_escapes_the_question(client, lesson):
    hostile = '<script>alert("x")</script> what is a probe?'
    response = client.post(URL, {"question": hostile})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_form_fallback_links_citations_to_the_lesson(client, lesson):
    html = client.post(URL, {"question": "what is a linear probe?"}).content.decode()
    assert 'href="/courses/black-box/lesson-1/#probes">[' in html
    # A citation number is never a line of its own: it is held to the quote it closes.
    assert "”\u00a0[1]" in html and "” [1]" not in html


def test_form_fallback_shows_errors_in_the_page(client, lesson):
    response = client.post(URL, {"question": "  "})
    assert response.status_code == 400
    assert "Please type a question." in response.content.decode()


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=600).map(str.encode),
        st.builds(
            lambda q: json.dumps({"question": q}).encode(),
            st.one_of(
                st.text(max_size=600), st.integers(), st.none(), st.lists(st.text(max_size=5))
            ),
        ),
        st.recursive(
            st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False), st.text(max_size=20)),
            lambda children: (
                st.lists(children, max_size=3)
                | st.dictionaries(st.text(max_size=8), children, max_size=3)
            ),
            max_leaves=8,
        ).map(lambda value: json.dumps(value).encode()),
    )
)
def test_a_thousand_generated_bodies_never_cause_a_server_error(lesson, settings, body):
    settings.TUTOR_RATE_LIMIT = 0
    response = Client().post(URL, body, content_type="application/json")
    assert response.status_code < 500


def test_ask_command_prints_the_same_answer(lesson, capsys):
    call_command("ask", "black-box/lesson-1", "what is a linear probe?", "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed == ask(Client(), "what is a linear probe?").json()
    call_command("ask", "black-box/lesson-1", "what is a linear probe?")
    out = capsys.readouterr().out
    assert "[1] Probes: /courses/black-box/lesson-1/#probes" in out or "Probes: /courses" in out


def test_nul_characters_are_dropped_from_questions(client, lesson):
    assert ask(client, "what is a\x00 linear probe?").status_code == 200
    assert "\x00" not in TutorQuestion.objects.get().question
    assert ask(client, "\x00\x00").status_code == 400


def test_a_broken_index_is_a_server_error_never_a_decline(lesson):
    """A bug in the tutor must surface (500 and a logged exception), not pass as "not covered"."""
    from tutor.models import TutorIndex
    from tutor.services import index_for

    data = index_for(lesson).to_dict()
    data["postings"] = {term: [10_000, 1.0] for term in data["postings"]}
    TutorIndex.objects.filter(lesson=lesson).update(data=json.dumps(data))
    client = Client(raise_request_exception=False)
    response = ask(client, "what is a linear probe?")
    assert response.status_code == 500
    assert not TutorQuestion.objects.exists()


def test_an_index_of_an_older_format_is_rebuilt_but_a_malformed_one_is_an_error(lesson):
    """Only the format version decides a rebuild: a stored index of the current format that
    cannot be read is a bug, and must surface instead of being rebuilt on every request."""
    from tutor.models import TutorIndex
    from tutor.retrieval import FORMAT_VERSION
    from tutor.services import index_for

    data = index_for(lesson).to_dict()
    older = json.dumps({"version": FORMAT_VERSION - 1})
    TutorIndex.objects.filter(lesson=lesson).update(data=older)
    assert ask(Client(), "what is a linear probe?").json()["grounded"] is True
    assert json.loads(TutorIndex.objects.get(lesson=lesson).data)["version"] == FORMAT_VERSION
    data["units"] = [unit[:-1] for unit in data["units"]]
    TutorIndex.objects.filter(lesson=lesson).update(data=json.dumps(data))
    assert ask(Client(raise_request_exception=False), "what is a probe?").status_code == 500


@pytest.mark.django_db(transaction=True)
def test_indexes_stored_as_json_values_answer_the_same_once_stored_as_text(lesson):
    """Migration 0008 turns each stored index from a JSON value (jsonb on PostgreSQL) into its
    text, and back when reversed; the lesson is answered as before either way."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests.factories import migrate_to_latest
    from tutor.models import TutorIndex

    questions = ["what is a linear probe?", "why do features share neurons?"]
    before = [ask(Client(), question).json() for question in questions]
    stored = json.loads(TutorIndex.objects.get(lesson=lesson).data)
    MigrationExecutor(connection).migrate([("tutor", "0007_tutor_q_gaps_covering")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM tutor_tutorindex WHERE lesson_id = %s", [lesson.pk])
        (value,) = cursor.fetchone()
    assert (json.loads(value) if isinstance(value, str) else value) == stored
    migrate_to_latest()
    assert json.loads(TutorIndex.objects.get(lesson=lesson).data) == stored
    assert [ask(Client(), question).json() for question in questions] == before


def test_a_reimported_lesson_is_answered_from_its_new_text(client, lesson, content_root):
    """Each process keeps the indexes it parsed; a re-import must still reach the next answer."""
    first = ask(client, "what is a linear probe?").json()
    assert "small classifier" in first["answer"]
    assert ask(client, "what is a linear probe?").json() == first  # from the kept index
    write_lesson(
        content_root,
        name="01-lesson-1.md",
        body=BODY.replace("A linear probe is a small classifier", "A linear probe is a tiny model"),
    )
    import_content(content_root)
    again = ask(client, "what is a linear probe?").json()
    assert "tiny model" in again["answer"]
    assert "small classifier" not in again["answer"]


@pytest.mark.parametrize(
    "question", ["what is superposition?", "what is a linear probe?", "why do features share?"]
)
def test_every_citation_points_to_an_anchor_on_the_lesson_page(client, lesson, question):
    body = ask(client, question).json()
    assert body["grounded"] is True, body
    page = client.get("/courses/black-box/lesson-1/").content.decode()
    for citation in body["citations"]:
        assert f'id="{citation["anchor"]}"' in page, citation


def test_a_visitor_repeating_a_question_is_logged_once(lesson):
    flooder, other = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.8")
    for question in ["Who won the 2018 World Cup?", "who won the 2018  world cup?"] * 3:
        assert ask(flooder, question).status_code == 200  # still answered every time
    ask(other, "Who won the 2018 World Cup?")
    learner = make_user("asker")
    signed_in = Client(REMOTE_ADDR="203.0.113.7")  # same address, but a learner of its own
    signed_in.force_login(learner)
    ask(signed_in, "Who won the 2018 World Cup?")
    ask(signed_in, "Who won the 2018 World Cup?")
    logged = TutorQuestion.objects.filter(lesson=lesson)
    assert logged.count() == 3
    assert logged.filter(learner=learner).count() == 1
    assert "203.0.113" not in " ".join(logged.values_list("visitor", flat=True))
