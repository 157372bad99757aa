"""A small OpenAI-compatible chat-completions server for tests (standard library only).

It answers ``POST /v1/chat/completions`` on 127.0.0.1 the way a model that
always follows the requested format would: the reply fills the JSON schema of
``response_format`` (or, in plain-JSON mode, the first fenced ```json schema
block of the last user message) with values drawn from a generator seeded by
the request itself, so the same request always gets the same reply. Faults
(rate limits, server errors, slow replies, no reply at all, broken JSON,
wrong values, a dropped connection, the server going down) are scripted per
request.
"""

import hashlib
import json
import random
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["OpenAITestServer", "ReceivedRequest", "FAULTS"]

FAULTS = (
    "rate_limit",        # 429 with a Retry-After header
    "server_error",      # 500
    "timeout",           # the normal reply, sent only after `delay` seconds
    "hang",              # the request is read and never answered (until the server stops)
    "not_json",          # 200 whose content is prose, not JSON
    "wrong_types",       # 200, JSON in the right shape with values of the wrong types
    "out_of_range",      # 200, numbers far outside the schema's bounds
    "unknown_category",  # 200, strings that are not among the schema's enum values
    "disconnect",        # the connection is closed without a reply
    "down",              # like "disconnect", and the server stops listening
)

_DEFAULT_WORDS = (
    "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima "
    "mike november oscar papa quebec romeo sierra tango uniform victor whiskey"
).split()


@dataclass
class ReceivedRequest:
    """One request as the server received it.

    Attributes
    ----------
    path : str
    headers : dict
        Header names in lower case.
    body : dict or None
        The decoded JSON body (None if it was not JSON).
    time : float
        ``time.monotonic()`` at arrival.
    fault : str or None
        The scripted fault this request got.
    """

    path: str
    headers: dict
    body: object
    time: float
    fault: object = None


@dataclass
class _State:
    log: list = field(default_factory=list)
    faults: deque = field(default_factory=deque)
    then: object = None
    n_served: int = 0


def _normalize_fault(fault):
    if fault is None:
        return None
    if isinstance(fault, str):
        fault = {"fault": fault}
    fault = dict(fault)
    if fault.get("fault") not in FAULTS:
        raise ValueError(f"Unknown fault {fault.get('fault')!r}; use one of {FAULTS} or None.")
    return fault


class OpenAITestServer:
    """An OpenAI-compatible chat-completions server on 127.0.0.1 for tests.

    Point any OpenAI client at :attr:`url` (the ``base_url``); every request is
    answered deterministically from its own content and logged in
    :attr:`log` / :attr:`requests`, so a test can assert on what left the
    code under test. It needs nothing beyond the standard library and binds
    a free port on the loopback interface only.

    Parameters
    ----------
    model : str, default="test-model"
        Reported by ``GET /v1/models``; any model name is accepted in requests.
    supports_json_schema : bool, default=True
        If False, requests with ``response_format={"type": "json_schema", ...}``
        get a 400 error, like servers without structured outputs.
    retry_after : float, default=1.0
        Seconds sent in the ``Retry-After`` header of a ``"rate_limit"`` fault.
    delay : float, default=2.0
        Seconds a ``"timeout"`` fault waits before replying.

    Attributes
    ----------
    url : str
        ``http://127.0.0.1:<port>/v1``, once started.
    log : list of ReceivedRequest
        Every request received, faulted ones included, in arrival order.

    Notes
    -----
    Replies: the completion's content is a JSON document filling the schema
    of ``response_format["json_schema"]["schema"]``; without one (``json_object``
    or no ``response_format``) the first fenced ```json block of the last user
    message that parses as a JSON schema is used, and ``{"rows": []}`` if there
    is none. Strings get words taken from double-quoted strings in the prompt
    (or a fixed word list), numbers lie within ``minimum``/``maximum``,
    arrays have ``minItems`` items. The seed is a hash of the request body, so
    equal requests get equal replies and a request with another ``seed`` field
    gets another reply. ``usage`` counts whitespace-separated words.

    Faults (see :meth:`script_faults`): ``"rate_limit"`` (429 + Retry-After),
    ``"server_error"`` (500), ``"timeout"`` (reply after ``delay`` seconds),
    ``"not_json"``, ``"wrong_types"``, ``"out_of_range"``,
    ``"unknown_category"``, ``"hang"`` (the connection stays open and no
    reply ever comes, until the server stops: an endpoint that accepts and
    never answers), ``"disconnect"`` (no reply) and ``"down"`` (no reply, then
    the server stops: later connections are refused). A fault may be
    a dict with options: ``{"fault": "rate_limit", "retry_after": 0.2}``,
    ``{"fault": "timeout", "delay": 5}``. The value faults (``"wrong_types"``,
    ``"out_of_range"``, ``"unknown_category"``) take ``"fields"``, the names
    of the properties to spoil (the others are filled normally):
    ``{"fault": "out_of_range", "fields": ["target"]}``.

    Examples
    --------
    >>> import json, urllib.request
    >>> from sklearn_activesynth.testing import OpenAITestServer
    >>> schema = {"type": "object", "properties": {"n": {"type": "integer",
    ...           "minimum": 1, "maximum": 3}}, "required": ["n"]}
    >>> body = {"model": "m", "messages": [{"role": "user", "content": "hi"}],
    ...         "response_format": {"type": "json_schema",
    ...                             "json_schema": {"name": "x", "schema": schema}}}
    >>> with OpenAITestServer() as server:
    ...     req = urllib.request.Request(server.url + "/chat/completions",
    ...                                  data=json.dumps(body).encode(),
    ...                                  headers={"Content-Type": "application/json"})
    ...     reply = json.load(urllib.request.urlopen(req))
    ...     n_received = len(server.requests)
    >>> value = json.loads(reply["choices"][0]["message"]["content"])["n"]
    >>> value in (1, 2, 3), n_received
    (True, 1)

    With the official client (``pip install openai``)::

        with OpenAITestServer() as server:
            server.script_faults(["rate_limit", "not_json"])
            client = openai.OpenAI(base_url=server.url, api_key="test")
            ...  # code under test
            assert "secret" not in json.dumps(server.requests)
    """

    def __init__(self, *, model="test-model", supports_json_schema=True, retry_after=1.0,
                 delay=2.0):
        self.model = model
        self.supports_json_schema = supports_json_schema
        self.retry_after = retry_after
        self.delay = delay
        self._state = _State()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = None
        self._thread = None
        self.port = None

    # ------------------------------------------------------------ lifecycle
    def start(self):
        """Bind a free port on 127.0.0.1 and serve in a background thread.

        Returns
        -------
        self : OpenAITestServer
        """
        if self._httpd is not None:
            return self
        handler = type("_Handler", (_Handler,), {"owner": self})
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._stopping.clear()
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="OpenAITestServer", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop listening: later connections to :attr:`url` are refused."""
        httpd, self._httpd = self._httpd, None
        self._stopping.set()
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        """The base URL to give a client: ``http://127.0.0.1:<port>/v1``."""
        if self.port is None:
            raise RuntimeError("The server is not started; use start() or a with block.")
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def running(self):
        return self._httpd is not None

    # ------------------------------------------------------------ scripting
    def script_faults(self, faults, *, then=None):
        """Queue faults for the next requests, one per request, in order.

        Parameters
        ----------
        faults : list of (str, dict or None)
            ``None`` serves that request normally. See the class Notes for
            the fault names and options.
        then : str, dict or None, default=None
            The fault for every request after the queued ones (e.g.
            ``script_faults([None] * 3, then="down")``: three good replies,
            then the server goes down).

        Returns
        -------
        self : OpenAITestServer
        """
        faults = [_normalize_fault(f) for f in faults]
        then = _normalize_fault(then)
        with self._lock:
            self._state.faults.extend(faults)
            self._state.then = then
        return self

    def reset(self):
        """Forget the log and every scripted fault."""
        with self._lock:
            self._state = _State()

    @property
    def log(self):
        with self._lock:
            return list(self._state.log)

    @property
    def requests(self):
        """JSON bodies of the chat-completion requests received, in order."""
        return [r.body for r in self.log if r.path.endswith("/chat/completions")]

    def _next_fault(self, record):
        with self._lock:
            self._state.log.append(record)
            if self._state.faults:
                return self._state.faults.popleft()
            return self._state.then

    # ------------------------------------------------------------ replies
    def completion(self, body, fault=None):
        """The reply (a dict) this server gives to ``body``; no fault by default.

        Parameters
        ----------
        body : dict
            A chat-completions request body.
        fault : str or None
            ``"not_json"``, ``"wrong_types"``, ``"out_of_range"`` or
            ``"unknown_category"`` to see a faulty reply.

        Returns
        -------
        reply : dict
        """
        spec = _normalize_fault(fault) or {}
        fault, fields = spec.get("fault"), spec.get("fields")
        canonical = json.dumps(body, sort_keys=True, default=str)
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        rng = random.Random(int(digest[:16], 16))
        messages = body.get("messages") or []
        last_user = next((m.get("content") for m in reversed(messages)
                          if m.get("role") == "user"), "") or ""
        if not isinstance(last_user, str):
            last_user = json.dumps(last_user)
        if fault == "not_json":
            content = ("Sure! Here are the examples you asked for:\n"
                       "1. a realistic example\n2. another realistic example")
        else:
            schema = _requested_schema(body, last_user)
            if schema is None:
                content = json.dumps({"rows": []})
            else:
                keys = set(re.findall(r'"([^"\\]+)"\s*:', json.dumps(schema)))
                words = [w for w in _prompt_words(last_user) if w not in keys] or \
                    list(_DEFAULT_WORDS)
                content = json.dumps(_fill(schema, rng, fault, words, fields=fields))
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in messages)
        completion_tokens = len(content.split())
        return {
            "id": f"chatcmpl-test-{digest[:12]}",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", self.model),
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


class _Handler(BaseHTTPRequestHandler):
    owner = None  # set per server
    protocol_version = "HTTP/1.1"
    server_version = "OpenAITestServer/1.0"

    def log_message(self, format, *args):  # quiet: tests read .log instead
        pass

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # the client gave up (e.g. its timeout): nothing to answer

    def _send_json(self, status, payload, headers=None):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _error(self, status, message, kind, headers=None):
        self._send_json(status, {"error": {"message": message, "type": kind,
                                           "param": None, "code": None}}, headers)

    def do_GET(self):
        if self.path.rstrip("/").endswith("/models"):
            self._send_json(200, {"object": "list", "data": [
                {"id": self.owner.model, "object": "model", "created": 0, "owned_by": "test"}]})
        else:
            self._error(404, f"Unknown path {self.path}", "not_found_error")

    def do_POST(self):
        owner = self.owner
        if owner._stopping.is_set():  # stopped: kept-alive connections get no reply either
            self.close_connection = True
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        record = ReceivedRequest(
            path=self.path, headers={k.lower(): v for k, v in self.headers.items()},
            body=body, time=time.monotonic())
        if not self.path.rstrip("/").endswith("/chat/completions"):
            with owner._lock:  # unknown paths are logged but take no scripted fault
                owner._state.log.append(record)
            self._error(404, f"Unknown path {self.path}", "not_found_error")
            return
        fault = owner._next_fault(record)
        record.fault = None if fault is None else fault["fault"]
        kind = record.fault
        if kind in ("disconnect", "down"):
            self.close_connection = True
            if kind == "down":
                owner.stop()  # before the client sees the dropped connection
            return
        if kind == "rate_limit":
            wait = fault.get("retry_after", owner.retry_after)
            self._error(429, "Rate limit reached; retry later.", "rate_limit_error",
                        {"Retry-After": f"{wait:g}"})
            return
        if kind == "server_error":
            self._error(500, "The server had an error while processing your request.",
                        "server_error")
            return
        if not isinstance(body, dict) or "messages" not in body:
            self._error(400, "The body must be a JSON object with 'messages'.",
                        "invalid_request_error")
            return
        rf = body.get("response_format") or {}
        if rf.get("type") == "json_schema" and not owner.supports_json_schema:
            self._error(400, "response_format of type json_schema is not supported by this "
                        "server.", "invalid_request_error")
            return
        if kind == "timeout":
            if owner._stopping.wait(fault.get("delay", owner.delay)):
                return
        if kind == "hang":
            owner._stopping.wait()
            self.close_connection = True
            return
        self._send_json(200, owner.completion(body, fault))


def _requested_schema(body, last_user):
    rf = body.get("response_format") or {}
    if rf.get("type") == "json_schema":
        schema = (rf.get("json_schema") or {}).get("schema")
        if isinstance(schema, dict):
            return schema
    for block in re.findall(r"```json\s*\n(.*?)\n\s*```", last_user, flags=re.S):
        try:
            cand = json.loads(block)
        except json.JSONDecodeError:
            continue
        if isinstance(cand, dict) and ("properties" in cand or "type" in cand):
            return cand
    return None


def _prompt_words(text):
    words = []
    for quoted in re.findall(r'"((?:[^"\\]|\\.)*)"', text):
        words.extend(w.lower() for w in re.findall(r"[A-Za-z]{3,}", quoted))
    return list(dict.fromkeys(words))


def _pick_type(schema):
    t = schema.get("type")
    if isinstance(t, list):
        non_null = [x for x in t if x != "null"]
        return non_null[0] if non_null else "null"
    return t


def _fill(schema, rng, fault, words, depth=0, fields=None):
    """A value that satisfies ``schema`` (the subset structured outputs use);
    with ``fields``, only the properties of those names get ``fault``."""
    if depth > 20:
        return None
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf"):
        if key in schema and schema[key]:
            options = [s for s in schema[key] if _pick_type(s) != "null"] or schema[key]
            return _fill(options[0], rng, fault, words, depth + 1, fields)
    if "enum" in schema and schema["enum"]:
        values = list(schema["enum"])
        if fault == "unknown_category" and all(isinstance(v, str) for v in values):
            return f"unknown-{rng.randint(0, 9999)}"
        if fault == "wrong_types" and all(isinstance(v, str) for v in values):
            return rng.randint(100, 999)
        return rng.choice(values)
    t = _pick_type(schema)
    if t == "object" or (t is None and "properties" in schema):
        def spoil(k, v):  # containers pass the fault on; leaves only if named
            return fields is None or k in fields or \
                _pick_type(v) in ("object", "array") or "properties" in v
        return {k: _fill(v, rng, fault if spoil(k, v) else None, words, depth + 1, fields)
                for k, v in (schema.get("properties") or {}).items()}
    if t == "array":
        lo = schema.get("minItems")
        hi = schema.get("maxItems")
        n = lo if lo is not None else (hi if hi is not None else 3)
        return [_fill(schema.get("items") or {}, rng, fault, words, depth + 1, fields)
                for _ in range(n)]
    if t in ("number", "integer"):
        lo = schema.get("minimum", 0)
        hi = schema.get("maximum", lo + 100)
        if fault == "wrong_types":
            return "many"
        if fault == "out_of_range":
            far = hi + 10 * (abs(hi - lo) + 1)
            return far if t == "number" else int(far)
        if t == "integer":
            return rng.randint(int(-(-lo // 1)), int(hi // 1))
        return round(rng.uniform(lo, hi), 2)
    if t == "boolean":
        return "maybe" if fault == "wrong_types" else rng.random() < 0.5
    if t == "null":
        return None
    # strings (free text)
    if fault == "wrong_types":
        return rng.randint(1000, 9999)
    n_words = rng.randint(6, 14)
    return " ".join(rng.choice(words) for _ in range(n_words))
