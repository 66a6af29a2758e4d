"""aiogram's FSM storage on PostgreSQL: a half-finished dialog survives a restart."""

from collections.abc import Mapping
from typing import Any, Protocol

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)


class DialogStates(Protocol):
    """State and data rows by storage key (services.wiring.dialog_states gives the real one)."""

    async def get_state(self, *, key: str) -> str | None: ...

    async def get_data(self, *, key: str) -> dict[str, Any]: ...

    async def set_state(self, *, key: str, state: str | None) -> None: ...

    async def set_data(self, *, key: str, data: Mapping[str, Any]) -> None: ...


def _is_dialog(key: StorageKey) -> bool:
    """Dialogs happen in private chats, where the chat is the user's own."""
    return key.chat_id == key.user_id


class PostgresStorage(BaseStorage):
    """Every state and its data in the fsm_states table, by aiogram's storage key.

    Only private chats hold dialogs, so an update from anywhere else (a join in a channel, a
    reaction) reads no state, and is handled while the database is away.
    """

    def __init__(self, repository: DialogStates, key_builder: KeyBuilder | None = None) -> None:
        self._states = repository
        self._key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = state.state if isinstance(state, State) else state
        await self._states.set_state(key=self._key_builder.build(key), state=name)

    async def get_state(self, key: StorageKey) -> str | None:
        if not _is_dialog(key):
            return None
        return await self._states.get_state(key=self._key_builder.build(key))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._states.set_data(key=self._key_builder.build(key), data=data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        if not _is_dialog(key):
            return {}
        return await self._states.get_data(key=self._key_builder.build(key))

    async def close(self) -> None:
        """The pool belongs to the application, which closes it."""
