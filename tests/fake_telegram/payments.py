"""Invoices, pre-checkout answers and refunds."""

from __future__ import annotations

import secrets
from typing import Any

from .constants import _QUERY_INVALID
from .errors import _bad
from .markup import _check_reply_markup
from .records import ApiRequest


class PaymentMethods:
    """Invoices and Stars payments.

    A part of :class:`FakeTelegram`, whose ``__init__`` holds the state.
    """

    def _invoice(self, rq: ApiRequest) -> dict[str, Any]:
        """Validate invoice parameters; returns the Invoice object."""
        if not 1 <= len(str(rq.get("title") or "")) <= 32:
            raise _bad("TITLE_INVALID")
        if not 1 <= len(str(rq.get("description") or "")) <= 255:
            raise _bad("DESCRIPTION_INVALID")
        if not 1 <= len(str(rq.get("payload") or "").encode()) <= 128:
            raise _bad("INVOICE_PAYLOAD_INVALID")
        prices = rq.get("prices")
        if not isinstance(prices, list) or not prices:
            raise _bad("can't parse prices JSON object")
        amounts = [p.get("amount") if isinstance(p, dict) else None for p in prices]
        if not all(isinstance(a, int) for a in amounts) or sum(amounts) <= 0:
            raise _bad("CURRENCY_TOTAL_AMOUNT_INVALID")
        currency = str(rq.get("currency") or "")
        if currency == "XTR" and (rq.get("provider_token") or len(prices) != 1):
            raise _bad("STARS_INVOICE_INVALID")
        return {
            "title": rq.get("title"),
            "description": rq.get("description"),
            "start_parameter": str(rq.get("start_parameter") or ""),
            "currency": currency,
            "total_amount": sum(amounts),
        }

    def _send_invoice(self, rq: ApiRequest) -> dict[str, Any]:
        invoice = self._invoice(rq)
        markup = _check_reply_markup(rq.get("reply_markup"), inline_only=True)
        chat = self._writable_chat(rq.get("chat_id"))
        return self._bot_message(rq, chat, markup, invoice=invoice)

    def _create_invoice_link(self, rq: ApiRequest) -> str:
        self._invoice(rq)
        link = f"https://t.me/${secrets.token_urlsafe(16)}"
        self.invoice_links[link] = dict(rq.params)
        return link

    def _answer_pre_checkout_query(self, rq: ApiRequest) -> bool:
        query_id = str(rq.get("pre_checkout_query_id"))
        if query_id not in self._pre_checkouts or query_id in self.pre_checkout_answers:
            raise _bad(_QUERY_INVALID)
        if rq.get("ok") is not True and not rq.get("error_message"):
            raise _bad("ERROR_MESSAGE_EMPTY")
        keys = ("ok", "error_message")
        self.pre_checkout_answers[query_id] = {k: rq.params[k] for k in keys if k in rq.params}
        return True

    def _refund_star_payment(self, rq: ApiRequest) -> bool:
        charge = self._charges.get(str(rq.get("telegram_payment_charge_id")))
        if charge is None or charge["user_id"] != rq.get("user_id"):
            raise _bad("CHARGE_NOT_FOUND")
        if charge["refunded"]:
            raise _bad("CHARGE_ALREADY_REFUNDED")
        charge["refunded"] = True
        return True
