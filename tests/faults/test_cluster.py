"""Several instances at once, and their faults (issue 13, items 2 and 4).

Two gunicorn instances and two workers share one PostgreSQL, one Redis and one S3-compatible
store (tests/faults/cluster.py), with production settings and no sticky sessions: a person
signs in on one instance and goes on on the other; a code sent by one is accepted by the
other; rate limits count across both; each email and each scheduled job runs once. Then the
faults: PostgreSQL cut under load (503 page in both languages, recovery, nothing queued lost),
Redis down (sign-in still works, rate limits counted in the database, the queue resumes), and
a request's status at its deadline the same on every instance.

PostgreSQL only (``.ci/run``'s second pass); the cluster starts once for the module (about
30 s) and every wait is bounded.
"""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from tests import flows
from tests.factories import PASSWORD
from tests.faults.cluster import Cluster, HttpsBrowser, wait_until

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="several instances share one database server: run with DATABASE_URL=postgres://… "
    "(as .ci/run's PostgreSQL pass does)",
)

TOO_MANY = "Too many attempts. For your security, wait a few minutes, then try again."

MAKE_DLI = """
import json
from tests.factories import InstitutionFactory, dli_with_users
from loaportal.terms.selectors import terms_current
InstitutionFactory.reset_sequence({sequence})
dli = dli_with_users(name={name!r}, secondaries=0)
print(json.dumps({{"email": dli.primary.email, "dli": dli.institution.dli_number,
                  "institution": dli.institution.pk, "terms": terms_current().version}}))
"""


@pytest.fixture(scope="module")
def cluster(object_store, tmp_path_factory):
    bucket = object_store.create_bucket()
    root = tmp_path_factory.mktemp("cluster")
    cluster = Cluster(
        root=root, server_url=os.environ["DATABASE_URL"], storage_url=object_store.url(bucket)
    )
    try:
        yield cluster.start()
    finally:
        cluster.stop()


_made = iter(range(100, 10**6))


def dli(cluster: Cluster, name: str) -> dict:
    return cluster.shell(MAKE_DLI.format(name=name, sequence=next(_made)))


def password_step(browser: HttpsBrowser, email: str, password: str = PASSWORD):
    login = flows.url("account_login")
    token = browser.form_token(login)
    return browser.post(login, {"csrfmiddlewaretoken": token, "login": email, "password": password})


def code_step(browser: HttpsBrowser, code: str):
    confirm = flows.url("account_confirm_login_code")
    token = browser.form_token(confirm)
    return browser.post(confirm, {"csrfmiddlewaretoken": token, "action": "verify", "code": code})


def sign_in_across(cluster: Cluster, person: dict, *, code_timeout: float = 30) -> HttpsBrowser:
    """Password on instance 1, code on instance 2, terms on instance 1, home on 2."""
    first, second = cluster.web_ports
    before = len(cluster.smtp.sink.for_address(person["email"]))
    browser = cluster.browser(0)
    response = password_step(browser, person["email"])
    assert response.location == flows.url("account_confirm_login_code"), response.body[-3000:]
    code = cluster.smtp.sink.wait_for(
        person["email"], count=before + 1, timeout=code_timeout
    ).first_line
    response = code_step(browser.on(second), code)
    assert response.status == 302, response.body[-3000:]
    terms = flows.url("terms")
    token = browser.on(first).form_token(terms)
    browser.post(terms, {"csrfmiddlewaretoken": token, "version": person["terms"]})
    home = browser.on(second).get(flows.url("home"))
    assert home.status == 200, (home.status, home.location)
    assert person["dli"] in home.body
    return browser


def test_a_person_signs_in_on_one_instance_and_goes_on_on_the_other(cluster):
    person = dli(cluster, "across")
    browser = sign_in_across(cluster, person)
    # The session is the same wherever the load balancer sends the next request.
    for port in cluster.web_ports * 2:
        assert browser.on(port).get(flows.url("home")).status == 200


def test_rate_limits_are_counted_across_instances(cluster):
    first, second = cluster.web_ports
    browser = cluster.browser(0, address="203.0.113.7")
    # Failed sign-ins per address: 10 a minute in all, wherever they land.
    answers = []
    for attempt in range(11):
        browser.on(first if attempt % 2 else second)
        answers.append(password_step(browser, "nobody@nowhere.example", "wrong password 123"))
    assert all(TOO_MANY not in a.body for a in answers[:10])
    assert answers[10].status == 429 or TOO_MANY in answers[10].body


def test_each_email_is_sent_once_by_two_workers(cluster):
    addresses = [f"rep{index}@once.example" for index in range(6)]
    for index, address in enumerate(addresses):
        cluster.command(
            "create_dli",
            "--number",
            f"O1{index:010d}",
            "--name",
            f"Once College {index}",
            "--primary-email",
            address,
        )
    for address in addresses:
        cluster.smtp.sink.wait_for(address, timeout=30)
    time.sleep(3)  # time enough for a second sending, if there were one
    for address in addresses:
        assert len(cluster.smtp.sink.for_address(address)) == 1
    assert cluster.rows(
        "SELECT count(*) FROM notifications_outgoingemail WHERE status <> 'sent'"
        " AND recipients LIKE '%%once.example'"
    ) == [(0,)]


def _job_runs(cluster: Cluster, name: str) -> int:
    count = 0
    for worker in cluster.workers:
        for line in worker.text().splitlines():
            with_message = line.strip().startswith("{") and json.loads(line).get("message", "")
            if with_message == f"Scheduled job {name}: running":
                count += 1
    return count


def test_each_scheduled_job_runs_once_per_interval_across_workers(cluster):
    """Both workers poll every second; the verifications job (every minute) is made due three
    times, and each time exactly one of them runs it."""
    for _ in range(3):
        wait_until(
            lambda: (
                cluster.rows(
                    "SELECT count(*) FROM notifications_periodicjobrun WHERE name = 'verifications'"
                    " AND next_run_at > now()"
                )
                == [(1,)]
            ),
            timeout=20,
            message="the job never ran",
        )
        time.sleep(2)
        before = _job_runs(cluster, "verifications")
        cluster.rows(
            "UPDATE notifications_periodicjobrun SET next_run_at = now() - interval '1 second'"
            " WHERE name = 'verifications' RETURNING name"
        )
        wait_until(
            lambda before=before: _job_runs(cluster, "verifications") > before,
            timeout=20,
            message=cluster.logs(),
        )
        time.sleep(3)  # both workers have polled at least twice since
        assert _job_runs(cluster, "verifications") == before + 1


OVERDUE = """
import json
from datetime import timedelta
from django.utils import timezone
from loaportal.institutions.models import Institution
from tests.verifications.helpers import make_request
institution = Institution.objects.get(pk={institution})
request = make_request(institution, requested_at=timezone.now() - timedelta(days=12),
                       application_number={number!r})
print(json.dumps(request.pk))
"""


def test_a_deadline_reads_the_same_on_every_instance(cluster):
    """Past its deadline and not yet recorded by the job, a request is "No response" on every
    instance: the status is computed from the stored deadline, never from a cache or a
    process's own state."""
    person = dli(cluster, "deadline")
    browser = sign_in_across(cluster, person)
    # Stop the job from recording it, to see the computed status.
    cluster.rows(
        "UPDATE notifications_periodicjobrun SET next_run_at = now() + interval '1 hour'"
        " WHERE name = 'verifications' RETURNING name"
    )
    pk = cluster.shell(OVERDUE.format(institution=person["institution"], number="S377700001"))
    page = flows.url("verifications:request_detail", pk=pk)
    for port in cluster.web_ports:
        html = browser.on(port).get(page).body
        assert "No response" in html and 'name="outcome"' not in html
    assert cluster.rows(
        f"SELECT status FROM verifications_verificationrequest WHERE id = {int(pk)}"  # noqa: S608
    ) == [("pending",)]
    # Once recorded, the same on both.
    cluster.rows(
        "UPDATE notifications_periodicjobrun SET next_run_at = now() - interval '1 second'"
        " WHERE name = 'verifications' RETURNING name"
    )
    wait_until(
        lambda: (
            cluster.rows(
                f"SELECT status FROM verifications_verificationrequest WHERE id = {int(pk)}"  # noqa: S608
            )
            == [("no_response",)]
        ),
        timeout=20,
        message="close_overdue did not run",
    )
    for port in cluster.web_ports:
        html = browser.on(port).get(page).body
        assert "No response" in html and 'name="outcome"' not in html


def test_postgresql_cut_under_load_gives_a_clean_503_then_recovers(cluster):
    person = dli(cluster, "outage")
    browser = sign_in_across(cluster, person)
    home = flows.url("home")
    # Email queued before the outage, held by a mail server that is down: it must survive.
    cluster.smtp.stop()
    cluster.command(
        "create_dli",
        "--number",
        "O19999999001",
        "--name",
        "Outage College",
        "--primary-email",
        "rep@outage.example",
    )
    statuses: list[int] = []
    bodies: list[str] = []
    stop = threading.Event()

    def load(port: int) -> None:
        client = browser.copy().on(port)
        while not stop.is_set():
            try:
                response = client.get(home)
            except OSError:
                continue
            statuses.append(response.status)
            if response.status >= 500:
                bodies.append(response.body)

    threads = [threading.Thread(target=load, args=(port,)) for port in cluster.web_ports * 2]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        cluster.cut_database()
        time.sleep(6)
        cluster.smtp.start()
    finally:
        cluster.restore_database()
        time.sleep(3)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert 503 in statuses, sorted(set(statuses))
    assert 500 not in statuses, sorted(set(statuses))
    for body in bodies:
        assert "Service momentanément indisponible" in body
        assert "Service temporarily unavailable" in body
        assert "Traceback" not in body and "OperationalError" not in body
    # The portal recovers by itself, on both instances, with the same session.
    for port in cluster.web_ports:
        wait_until(
            lambda port=port: browser.on(port).get(home).status == 200,
            timeout=30,
            message=cluster.logs(),
        )
    # Readiness said so meanwhile; now it is ready again.
    assert browser.get("/readyz").status == 200
    # Nothing queued was lost: the email waiting for the mail server left once it returned.
    cluster.smtp.sink.wait_for("rep@outage.example", timeout=60)
    for worker in cluster.workers:
        assert worker.popen.poll() is None, worker.text()[-3000:]


def test_redis_down_sign_in_still_works_and_the_queue_resumes(cluster):
    person = dli(cluster, "noredis")
    cluster.stop_redis()
    try:
        # Sign-in, the code by email (delivered by the workers' sweep straight from the outbox
        # while the queue is away) and every next page, on both instances: no 500.
        browser = sign_in_across(cluster, person, code_timeout=45)
        for port in cluster.web_ports:
            assert browser.on(port).get(flows.url("home")).status == 200
        # Rate limits still count, across instances, in the database: fail closed, not open.
        attacker = cluster.browser(0, address="203.0.113.8")
        answers = []
        for attempt in range(11):
            attacker.on(cluster.web_ports[attempt % 2])
            answers.append(password_step(attacker, "nobody@noredis.example", "wrong password 12"))
        assert all(a.status < 500 for a in answers)
        assert answers[10].status == 429 or TOO_MANY in answers[10].body
    finally:
        cluster.start_redis()
    # The queue resumes: a new email goes through Redis and the workers again.
    cluster.command(
        "create_dli",
        "--number",
        "O19999999002",
        "--name",
        "Redis College",
        "--primary-email",
        "rep@redis-back.example",
    )
    cluster.smtp.sink.wait_for("rep@redis-back.example", timeout=60)
    assert "Internal Server Error" not in "".join(p.text() for p in cluster.web)
