"""The OpenAI-compatible test server on its own (standard library client)."""

import json
import urllib.error
import urllib.request

import pytest

from sklearn_activesynth.testing import FAULTS, OpenAITestServer

SCHEMA = {
    "type": "object",
    "properties": {"rows": {"type": "array", "minItems": 3, "maxItems": 3, "items": {
        "type": "object",
        "properties": {
            "x": {"type": "number", "minimum": 1.5, "maximum": 2.5},
            "n": {"type": ["integer", "null"], "minimum": 0, "maximum": 4},
            "kind": {"enum": ["a", "b"], "type": "string"},
            "note": {"type": "string"},
            "ok": {"type": "boolean"},
        },
        "required": ["x", "n", "kind", "note", "ok"],
    }}},
    "required": ["rows"],
}


def _body(seed=0, schema=SCHEMA, mode="json_schema", prompt='words "apple" "banana"'):
    body = {"model": "m", "seed": seed, "messages": [{"role": "user", "content": prompt}]}
    if mode == "json_schema":
        body["response_format"] = {"type": "json_schema",
                                   "json_schema": {"name": "t", "schema": schema}}
    return body


def _post(server, body, timeout=5):
    req = urllib.request.Request(server.url + "/chat/completions",
                                 data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.load(resp)


def _rows(reply):
    return json.loads(reply["choices"][0]["message"]["content"])["rows"]


def test_replies_fill_the_schema_deterministically():
    with OpenAITestServer() as server:
        a, b, c = _post(server, _body(0)), _post(server, _body(0)), _post(server, _body(1))
        assert len(server.requests) == 3 and server.requests[0] == _body(0)
    assert a == b and a != c
    rows = _rows(a)
    assert len(rows) == 3
    for row in rows:
        assert 1.5 <= row["x"] <= 2.5 and row["n"] in range(5) and row["kind"] in ("a", "b")
        assert set(row["note"].split()) <= {"apple", "banana"}
        assert isinstance(row["ok"], bool)
    assert a["usage"]["total_tokens"] == a["usage"]["prompt_tokens"] + \
        a["usage"]["completion_tokens"]


def test_plain_mode_reads_the_schema_from_the_prompt():
    prompt = "make rows\n```json\n" + json.dumps(SCHEMA) + "\n```"
    with OpenAITestServer() as server:
        assert len(_rows(_post(server, _body(mode="none", prompt=prompt)))) == 3
        assert _rows(_post(server, _body(mode="none", prompt="no schema"))) == []


def test_scripted_faults_in_order():
    with OpenAITestServer(retry_after=0.5) as server:
        server.script_faults(["rate_limit", "server_error", None, "not_json", "wrong_types",
                              "out_of_range", "unknown_category"])
        with pytest.raises(urllib.error.HTTPError) as e429:
            _post(server, _body())
        assert e429.value.code == 429 and e429.value.headers["Retry-After"] == "0.5"
        with pytest.raises(urllib.error.HTTPError) as e500:
            _post(server, _body())
        assert e500.value.code == 500
        assert len(_rows(_post(server, _body()))) == 3
        content = _post(server, _body())["choices"][0]["message"]["content"]
        with pytest.raises(json.JSONDecodeError):
            json.loads(content)
        assert all(isinstance(r["x"], str) for r in _rows(_post(server, _body())))
        assert all(r["x"] > 2.5 for r in _rows(_post(server, _body())))
        assert all(r["kind"] not in ("a", "b") for r in _rows(_post(server, _body())))
        assert [r.fault for r in server.log] == [
            "rate_limit", "server_error", None, "not_json", "wrong_types", "out_of_range",
            "unknown_category"]


def test_timeout_disconnect_and_down():
    with OpenAITestServer(delay=1.0) as server:
        server.script_faults(["timeout", "disconnect"], then="down")
        with pytest.raises(TimeoutError):
            _post(server, _body(), timeout=0.2)
        with pytest.raises((ConnectionError, urllib.error.URLError)):
            _post(server, _body())
        with pytest.raises((ConnectionError, urllib.error.URLError)):
            _post(server, _body())  # "down": no reply, and the server stops
        with pytest.raises((ConnectionError, urllib.error.URLError)):
            _post(server, _body())  # refused
        assert not server.running


def test_hang_never_answers_until_the_server_stops():
    import threading
    import time

    server = OpenAITestServer().start()
    server.script_faults(["hang"])
    with pytest.raises(TimeoutError):
        _post(server, _body(), timeout=0.3)
    assert len(_rows(_post(server, _body()))) == 3  # the next request is served
    # a hanging request ends (without a reply) when the server stops
    outcome = []

    def client():
        try:
            _post(server, _body(), timeout=30)
        except Exception as exc:  # noqa: BLE001 - any way of ending will do
            outcome.append(exc)

    server.script_faults(["hang"])
    thread = threading.Thread(target=client)
    thread.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    server.stop()
    thread.join(timeout=10)
    assert not thread.is_alive() and outcome and time.monotonic() - t0 < 5
    assert [r.fault for r in server.log] == ["hang", None, "hang"]


def test_json_schema_can_be_unsupported_and_faults_are_checked():
    with OpenAITestServer(supports_json_schema=False) as server:
        with pytest.raises(urllib.error.HTTPError) as err:
            _post(server, _body())
        assert err.value.code == 400
        with pytest.raises(ValueError, match="Unknown fault"):
            server.script_faults(["explode"])
    assert "down" in FAULTS


@pytest.mark.parametrize("fault", ["out_of_range", "wrong_types"])
def test_value_faults_can_spoil_only_the_named_fields(fault):
    server = OpenAITestServer()
    spoilt = _rows(server.completion(_body(), fault={"fault": fault, "fields": ["x"]}))
    whole = _rows(server.completion(_body(), fault=fault))
    for row in spoilt:
        assert not (isinstance(row["x"], float) and 1.5 <= row["x"] <= 2.5)
        # the other fields are filled as without a fault
        assert row["n"] in range(5) and row["kind"] in ("a", "b")
        assert isinstance(row["ok"], bool)
    # without "fields" every field is spoilt
    assert any(not (isinstance(r["n"], int) and 0 <= r["n"] <= 4) for r in whole)
