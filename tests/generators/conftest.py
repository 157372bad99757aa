import pytest

from sklearn_activesynth.testing import OpenAITestServer


@pytest.fixture
def llm_server():
    """A fresh OpenAI-compatible test server on 127.0.0.1 (short fault delays)."""
    pytest.importorskip("openai")
    with OpenAITestServer(retry_after=0.3, delay=1.0) as server:
        yield server
