"""A fake OpenAI-compatible server on 127.0.0.1: POST /v1/chat/completions in the real wire
format (a chat.completion object; errors as {"error": {...}} with their status), recording
every request, so the real `openai` client is what the bot talks to in tests.

    openai_api.answer = {"analysis": "...", "ideas": [...]}  # the assistant's JSON content
    openai_api.fail_with = 429 | 500 | "timeout" | "malformed"
"""

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from helpers import LocalServer

API_KEY = "sk-test-insights-0123456789abcdef"
# Longer than the timeout the tests give the client.
_SLOW_SECONDS = 3.0

DEFAULT_ANSWER = {
    "analysis": "Photos and evening posts carry this channel; long texts hold it back.",
    "ideas": [
        "A photo giveaway at 19:00",
        "An evening recipe with a photo",
        "A short weekly review",
        "A reader question with a picture",
        "A behind-the-scenes photo story",
    ],
}


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: str


class FakeOpenAI(LocalServer):
    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.answer: dict[str, Any] = DEFAULT_ANSWER
        self.fail_with: int | str | None = None
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat_completions)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}/v1"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def settings(self) -> dict[str, Any]:
        """The OPENAI_* settings pointing the bot at this server."""
        return dict(
            openai_api_key=API_KEY,
            openai_base_url=self.base_url,
            openai_model="test-model",
            openai_timeout_seconds=1.0,
        )

    async def _chat_completions(self, request: web.Request) -> web.StreamResponse:
        raw = await request.text()
        body = json.loads(raw)
        self.requests.append(RecordedRequest(request.path, dict(request.headers), body, raw))
        if self.fail_with == 429:
            return _error(429, "Rate limit reached for requests", "rate_limit_exceeded")
        if self.fail_with == 500:
            return _error(500, "The server had an error while processing your request.", None)
        if self.fail_with == "timeout":
            await asyncio.sleep(_SLOW_SECONDS)
        content = (
            "{'analysis': not json" if self.fail_with == "malformed" else json.dumps(self.answer)
        )
        return web.json_response(
            {
                "id": f"chatcmpl-{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", ""),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content, "refusal": None},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
            }
        )


def _error(status: int, message: str, code: str | None) -> web.Response:
    kind = "requests" if status == 429 else "server_error"
    return web.json_response(
        {"error": {"message": message, "type": kind, "param": None, "code": code}},
        status=status,
        headers={"retry-after": "20"} if status == 429 else None,
    )
