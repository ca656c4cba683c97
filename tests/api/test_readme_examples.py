"""The API's examples in README.md and docs/api.md run as written and succeed.

Each shell block that calls the API is run by bash, as a reader would paste it, against a live
test server holding the demo data, with only what the text asks the reader to set: `TOKEN` (a
read-and-write token of the demo `manager`) and `BASE`. No network beyond localhost.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from api.models import Scope
from api.tokens import create_token

ROOT = Path(settings.BASE_DIR)
DOCUMENTS = ["README.md", "docs/api.md"]
STATUS = "@@status "
# Every curl call also prints the answer's status on a line of its own, after the body.
CURL_SHOWING_STATUS = f'curl() {{ command curl -w "\\n{STATUS}%{{http_code}}\\n" "$@"; }}\n'


def api_examples(document: str) -> list[str]:
    text = (ROOT / document).read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    return [block for block in blocks if "curl" in block and "$BASE" in block]


def answers(output: str) -> list[tuple[int, object]]:
    """(status, JSON body) of each call, in order."""
    parts = re.split(rf"\n{STATUS}(\d{{3}})\n", output)
    bodies, statuses = parts[0:-1:2], parts[1::2]
    return [
        (int(status), json.loads(body) if body.strip() else None)
        for body, status in zip(bodies, statuses, strict=True)
    ]


def test_every_api_example_is_found():
    assert api_examples("README.md"), "the README's API example was not found"
    assert api_examples("docs/api.md"), "docs/api.md's script example was not found"
    assert any("/jobs/" in block for block in api_examples("docs/api.md")), "the jobs example"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_api_examples_run_as_written(document, live_server, transactional_db):
    from django.contrib.auth import get_user_model

    from demo.data import load_demo
    from people.models import Person

    if shutil.which("curl") is None:
        pytest.fail("The examples use curl: install it (Debian: apt-get install curl).")
    load_demo()
    manager = get_user_model().objects.get(username="manager")
    _token, raw = create_token(user=manager, name="README", scope=Scope.READ_WRITE)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "NO_PROXY": "*",
        "TOKEN": raw,
        "BASE": f"{live_server.url}/api/v1",
    }
    elin = Person.objects.get(first_name="Elin", last_name="Fiktiv")
    for block in api_examples(document):
        run = subprocess.run(  # noqa: S603 - our own documents' examples, as a reader runs them
            [shutil.which("bash") or "/bin/bash", "-c", CURL_SHOWING_STATUS + block],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        calls = answers(run.stdout)
        assert len(calls) == len(re.findall(r"^\s*curl ", block, flags=re.MULTILINE))
        failed = [(status, body) for status, body in calls if not 200 <= status < 300]
        assert not failed, f"{document}: calls that did not succeed: {failed}"
        if "/jobs/" in block:
            _check_the_job_example(calls)
            continue
        search, intake, statistics = (body for _status, body in calls)
        numbers = {hit["number"] for hit in search}
        assert intake["person_id"] == str(elin.pk)
        sent = re.search(r'"person_number": "([^"]+)"', block).group(1)
        assert sent in numbers, "the intake's number is the one the search gave"
        assert statistics["period"]["start"] == "2026-01-01"


def _check_the_job_example(calls) -> None:
    """docs/api.md's long period: 202 and a job, then the same job (asked again) polled."""
    (asked_status, asked), (polled_status, polled) = calls
    assert asked_status == 202 and asked["status"] == "queued"
    assert polled_status == 200 and polled["id"] == asked["id"]
    assert polled["status"] == "queued"  # no worker runs beside the test server
