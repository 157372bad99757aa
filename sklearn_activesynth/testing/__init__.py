"""Test helpers for code that uses sklearn-activesynth (and anything else).

:class:`OpenAITestServer` is a small OpenAI-compatible chat-completions
server on 127.0.0.1 (standard library only): deterministic replies that fill
the requested JSON schema, a log of what it received, and scriptable faults.
Use it to test ``LLMGenerator`` settings, or your own OpenAI client code,
without a network or an API key::

    from sklearn_activesynth.testing import OpenAITestServer

    with OpenAITestServer() as server:
        gen = LLMGenerator(model="test", base_url=server.url)
        ...
"""

from ._openai_server import FAULTS, OpenAITestServer, ReceivedRequest

__all__ = ["OpenAITestServer", "ReceivedRequest", "FAULTS"]
