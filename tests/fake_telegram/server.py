"""The HTTP server, its lifecycle and the table of Bot API methods."""

from __future__ import annotations

import asyncio
import collections
import functools
import itertools
import logging
import re
from typing import Any

from aiohttp import web

from .chats import ChatMethods
from .constants import _MAX_UPLOAD, BOT_TOKEN, BOT_USER
from .decoding import _aiogram_methods, _string_fields, decode_param
from .errors import ApiError, FloodLimits, _bad, _Failure
from .failures import FailureInjection
from .messages import MessageMethods
from .observation import Observation
from .payments import PaymentMethods
from .records import ApiRequest, Call, FakeChannel, FakeUser, Handler, UploadedFile, _StoredFile
from .updates import UpdateFeed
from .web_apps import SCRIPT_PATH, WebAppMethods
from .webhook import WebhookDelivery
from .world import World

log = logging.getLogger(__name__)


class FakeTelegram(
    World,
    UpdateFeed,
    WebhookDelivery,
    Observation,
    FailureInjection,
    MessageMethods,
    ChatMethods,
    PaymentMethods,
    WebAppMethods,
):
    """The fake Bot API server and the world behind it. See the package docstring."""

    def __init__(self) -> None:
        self.base_url = ""
        self.calls: list[Call] = []
        self.allowed_updates: list[str] | None = None
        self.confirm_timeout = 10.0  # seconds the bot gets to confirm an update
        self.sending_without_waiting = False  # see without_waiting()
        self.strict_html_ampersand = True  # reject a bare "&" in HTML (Telegram tolerates it)
        self.self_check = True  # validate every answer against aiogram's types
        self.internal_errors: list[str] = []  # crashes of the fake itself; stop() raises
        self.callback_answers: dict[str, dict[str, Any]] = {}  # query id -> answer params
        self.pre_checkout_answers: dict[str, dict[str, Any]] = {}
        self.invoice_links: dict[str, dict[str, Any]] = {}  # link -> createInvoiceLink params
        self.users: dict[int, FakeUser] = {}
        self.channels: dict[int, FakeChannel] = {}
        self._subscribers: dict[int, FakeUser] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._bot_messages: set[tuple[int, int]] = set()
        self._dialog_ids: dict[int, int] = {}
        self._files: dict[str, _StoredFile] = {}
        self._paths: dict[str, _StoredFile] = {}
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._callback_queries: dict[str, bool] = {}  # id -> answered
        self._pre_checkouts: set[str] = set()
        self._charges: dict[str, dict[str, Any]] = {}
        self._failures: list[_Failure] = []
        self.flood_limits: FloodLimits | None = None  # None: no limits, as before
        self.flood_refusals = 0  # sends refused with 429 by flood_limits
        self._recent_sends: collections.deque[tuple[float, int | str | None]] = collections.deque()
        self._updates: list[dict[str, Any]] = []
        # Updates a method call sets off (an approved join request's chat_member): they are
        # queued once the update being handled is confirmed, and waited for with it.
        self._followups: list[dict[str, Any]] = []
        self._join_requesters: set[int] = set()  # the bot may write to them (user_chat_id)
        self._confirmed_below = 0
        self._dropped: set[int] = set()
        self._poll_generation = 0
        self._active_polls = 0
        self._closing = False
        self._cond = asyncio.Condition()
        self._counter = itertools.count(1)
        self._user_ids = itertools.count(1001)
        self._subscriber_ids = itertools.count(7_000_000_001)
        self._channel_ids = itertools.count(-1001000000001, -1)
        self._update_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._init_webhook()
        self.methods: dict[str, Handler] = {}
        for name, handler in self._default_methods().items():
            self.register_method(name, handler)

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        self._closing = False
        app = web.Application(client_max_size=_MAX_UPLOAD + 10 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_download)
        app.router.add_get(SCRIPT_PATH, self._web_app_script)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=2.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        """Stop serving; raises AssertionError if the fake itself crashed during the test."""
        if self._runner is not None:
            self._closing = True
            async with self._cond:
                self._cond.notify_all()
            await self._runner.cleanup()
            self._runner = None
        await self._close_webhook_http()
        if self.internal_errors:
            errors, self.internal_errors = self.internal_errors, []
            raise AssertionError("FakeTelegram crashed:\n" + "\n".join(errors))

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            await self.stop()
        except AssertionError:
            if exc_type is None:
                raise
            log.exception("FakeTelegram crashed (reported under the test's own failure)")

    def register_method(self, name: str, handler: Handler) -> None:
        """Add or replace a Bot API method (case-insensitive); the handler may be async."""
        self.methods[name.lower()] = handler

    # ----------------------------------------------------------------- HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params, uploads = await self._read_request(request, method)
        except ApiError as error:
            await self._record(Call(method, {}, error=error.body()))
            return web.json_response(error.body(), status=error.code)
        rq = ApiRequest(method, params, uploads)
        call = Call(method, params)
        polling = method.lower() == "getupdates"
        if polling:
            call.finished = False
            await self._record(call)
        try:
            result = await self._dispatch(rq, request.match_info["token"])
            if self.self_check and not polling:  # updates are the test's own business
                self._check_result(method, result)
            call.response = result
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            call.error = error.body()
            status, body = error.code, error.body()
        except asyncio.CancelledError:  # the client went away (e.g. stop_polling mid-poll)
            call.finished = True
            call.error = {"ok": False, "error_code": 499, "description": "Client Closed Request"}
            raise
        except Exception as exc:
            log.exception("FakeTelegram failed on %s", method)
            self.internal_errors.append(f"{method} {params!r}: {exc!r}")
            call.error = ApiError(500, f"Internal Server Error: fake crashed: {exc!r}").body()
            status, body = 500, call.error
        used = {id(upload) for upload in rq.files.values()}
        call.files = rq.files | {k: v for k, v in uploads.items() if id(v) not in used}
        call.finished = True
        if polling:
            async with self._cond:
                self._cond.notify_all()
        else:
            await self._record(call)
        return web.json_response(body, status=status)

    async def _dispatch(self, rq: ApiRequest, token: str) -> Any:
        if token != BOT_TOKEN:
            raise ApiError(401, "Unauthorized")
        handler = self.methods.get(rq.method.lower())
        if handler is None:
            log.warning("FakeTelegram: method %s is not implemented", rq.method)
            raise ApiError(404, "Not Found")
        failure = self._injected_failure(rq.method, rq.params) or self._flood_refusal(rq)
        if failure is not None:
            raise failure
        result = handler(rq)
        return await result if asyncio.iscoroutine(result) else result

    async def _read_request(
        self, request: web.Request, method: str
    ) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        raw: dict[str, Any] = dict(request.query)
        uploads: dict[str, UploadedFile] = {}
        try:
            if request.content_type == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    raise _bad("can't parse JSON object")
                raw.update(body)
            elif request.can_read_body:
                for key, value in (await request.post()).items():
                    if isinstance(value, web.FileField):
                        data = value.file.read()
                        uploads[key] = UploadedFile(key, value.filename, value.content_type, data)
                    else:
                        raw[key] = value.decode() if isinstance(value, bytes) else value
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        except ValueError:
            raise _bad("can't parse JSON object") from None
        if any(len(upload.data) > _MAX_UPLOAD for upload in uploads.values()):
            raise ApiError(413, "Request Entity Too Large")
        fields = _string_fields(method)
        params = {key: decode_param(value, fields.get(key)) for key, value in raw.items()}
        for key in uploads:  # a file sent in the part named after its parameter
            if key in fields:
                params.setdefault(key, f"attach://{key}")
        return params, uploads

    async def _handle_download(self, request: web.Request) -> web.Response:
        stored = self._paths.get(request.match_info["path"])
        if request.match_info["token"] != BOT_TOKEN:
            error = ApiError(401, "Unauthorized")
        elif stored is None:
            error = ApiError(404, "Not Found")
        else:
            return web.Response(body=stored.data, content_type="application/octet-stream")
        return web.json_response(error.body(), status=error.code)

    async def _record(self, call: Call) -> None:
        async with self._cond:
            call.index = len(self.calls)
            self.calls.append(call)
            self._cond.notify_all()

    def _check_result(self, method: str, result: Any) -> None:
        cls = _aiogram_methods().get(method.lower())
        if cls is not None:
            _response_type(cls).model_validate({"ok": True, "result": result})

    @staticmethod
    def _listing(calls: list[Call], last: int = 15) -> str:
        shown = calls[-last:]
        return "\n".join(f"  {call!r}" for call in shown) or "  (no calls)"

    # ----------------------------------------------------------------- Bot API methods

    def _default_methods(self) -> dict[str, Handler]:
        def ok(_: ApiRequest) -> bool:
            return True

        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            **self._webhook_methods(),
            "setMyCommands": self._set_my_commands,
            "getMyCommands": lambda rq: self.commands(rq.get("scope"), rq.get("language_code")),
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": ok,
            "setMyShortDescription": ok,
            "setMyName": ok,
            **self._web_app_methods(),
            "setMyDefaultAdministratorRights": ok,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "editMessageMedia": self._edit_message_media,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "sendPhoto": lambda rq: self._send_file(rq, "photo"),
            "sendDocument": lambda rq: self._send_file(rq, "document"),
            "sendMediaGroup": self._send_media_group,
            "getFile": self._get_file,
            "getChat": self._get_chat,
            "getChatAdministrators": self._get_chat_administrators,
            "getChatMember": self._get_chat_member,
            "getChatMemberCount": self._get_chat_member_count,
            "leaveChat": self._leave_chat,
            "createChatInviteLink": self._create_chat_invite_link,
            "editChatInviteLink": self._edit_chat_invite_link,
            "revokeChatInviteLink": self._revoke_chat_invite_link,
            "approveChatJoinRequest": self._approve_chat_join_request,
            "declineChatJoinRequest": self._decline_chat_join_request,
            "sendInvoice": self._send_invoice,
            "createInvoiceLink": self._create_invoice_link,
            "answerPreCheckoutQuery": self._answer_pre_checkout_query,
            "refundStarPayment": self._refund_star_payment,
        }

    def _get_me(self, _: ApiRequest) -> dict[str, Any]:
        return {
            **BOT_USER,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_my_commands(self, rq: ApiRequest) -> bool:
        commands = rq.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand JSON object")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(rq.get("scope"), rq.get("language_code"))] = commands
        return True

    def _delete_my_commands(self, rq: ApiRequest) -> bool:
        self._commands.pop(self._commands_key(rq.get("scope"), rq.get("language_code")), None)
        return True


@functools.cache
def _response_type(method_cls: Any) -> Any:
    from aiogram.methods import Response

    return Response[method_cls.__returning__]
