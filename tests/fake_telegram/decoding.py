"""Decoding request parameters the way the Bot API does."""

from __future__ import annotations

import functools
import json
import re
import types
import typing
from typing import Any


@functools.cache
def _aiogram_methods() -> dict[str, Any]:
    """Lower-cased Bot API method name -> aiogram's method class."""
    from aiogram import methods
    from aiogram.methods.base import TelegramMethod

    return {
        cls.__api_method__.lower(): cls
        for cls in vars(methods).values()
        if isinstance(cls, type)
        and issubclass(cls, TelegramMethod)
        and isinstance(getattr(cls, "__api_method__", None), str)
    }


def _type_args(annotation: Any) -> set[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_args(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_type_args(arg) for arg in typing.get_args(annotation)))
    return {annotation}


@functools.cache
def _string_fields(method: str) -> dict[str, bool]:
    """Field name -> whether aiogram sends it as a plain string (not JSON) for ``method``."""
    from aiogram.client.default import Default
    from aiogram.types import InputFile

    cls = _aiogram_methods().get(method.lower())
    if cls is None:
        return {}
    result = {}
    for name, info in cls.model_fields.items():
        kinds = {
            arg
            for arg in _type_args(info.annotation)
            if arg is not type(None)
            and not (isinstance(arg, type) and issubclass(arg, (Default, InputFile)))
        }
        result[info.alias or name] = kinds == {str}
    return result


_LOOKS_LIKE_JSON = re.compile(r"\s*(?:[\[{]|-?\d+(?:\.\d+)?\s*$|true$|false$)")


def decode_param(value: Any, is_string: bool | None) -> Any:
    """A form value as Telegram reads it: JSON-valued and numeric fields parsed.

    aiogram sends strings as they are and everything else (ints, bools, objects, lists) as
    JSON text, so a field declared as a plain string is kept and any other field is JSON.
    ``is_string`` None means the field is unknown: it is parsed only if it looks like JSON.
    """
    if not isinstance(value, str) or is_string:
        return value
    if is_string is None and not _LOOKS_LIKE_JSON.match(value):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
