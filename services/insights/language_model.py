"""The written analysis and five content ideas, from a language model through the official
`openai` client: OpenAI itself, or any server that speaks its chat completions (Ollama, vLLM,
llama.cpp) at OPENAI_BASE_URL. The answer's shape is a pydantic model, validated on arrival.
"""

import json
import logging
from typing import Annotated, Any, Protocol

import openai
import pydantic
from openai import AsyncOpenAI

log = logging.getLogger(__name__)

IDEAS = 5
_SYSTEM = (
    "You are an analyst of a Telegram channel. You get figures computed from the channel's own "
    "history: the effects that its posts back (each with its size and the posts behind it), the "
    "best publishing slots, and the texts of its best and worst posts. Write a short analysis "
    "that uses only these figures, and five concrete ideas for the next posts. Invent no "
    "numbers. Answer in {language}."
)


class Analysis(pydantic.BaseModel):
    """What the language model must answer."""

    analysis: str = pydantic.Field(min_length=1, max_length=2000)
    ideas: list[Annotated[str, pydantic.Field(min_length=1, max_length=400)]] = pydantic.Field(
        min_length=IDEAS, max_length=IDEAS
    )


class LanguageModelFailed(Exception):
    """No usable answer: a timeout, a refusal (429, 5xx) or an answer of the wrong shape."""


class LanguageModel(Protocol):
    async def analyse(self, figures: dict[str, Any], *, language: str) -> Analysis: ...

    async def close(self) -> None: ...


class OpenAILanguageModel:
    def __init__(self, *, api_key: str, model: str, base_url: str | None, timeout: float) -> None:
        # No retries: a slow or refusing model falls back to the offline insights at once.
        self._client = AsyncOpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0
        )
        self._model = model

    async def analyse(self, figures: dict[str, Any], *, language: str) -> Analysis:
        """Raises LanguageModelFailed; the figures go as JSON, and nothing else of ours."""
        try:
            completion = await self._client.chat.completions.parse(
                model=self._model,
                messages=[
                    {"role": "system", "content": _SYSTEM.format(language=language)},
                    {"role": "user", "content": json.dumps(figures, ensure_ascii=False)},
                ],
                response_format=Analysis,
            )
        except (openai.OpenAIError, pydantic.ValidationError, ValueError) as error:
            # The class names the failure (APITimeoutError, RateLimitError...); never the key.
            log.warning("language model failed: %s", type(error).__name__)
            raise LanguageModelFailed(type(error).__name__) from error
        parsed = completion.choices[0].message.parsed if completion.choices else None
        if parsed is None:
            log.warning("language model gave no answer of the asked shape")
            raise LanguageModelFailed("no parsed answer")
        return parsed

    async def close(self) -> None:
        await self._client.close()
