"""/webhooks: the endpoints, adding one (its URL, its events), Test, the delivery log; and the
notice that an endpoint was disabled, rendered by bot/webhook_notifier.py for its owner."""

from datetime import UTC
from html import escape

from services.domain.webhooks import (
    DeliveryAttempt,
    DisabledEndpoint,
    WebhookEndpointRecord,
    WebhookEventType,
)
from services.i18n import Messages, Translator
from services.webhooks import UrlProblem, UrlRefused

# texts.NAME here, webhooks_texts.NAME elsewhere: the message webhooks-name, its English in
# services/locales/webhooks.pot.
texts = Messages("webhooks")
__getattr__ = texts.__getattr__

EVENTS = texts.each(
    "EVENT",
    (
        WebhookEventType.POST_PUBLISHED,
        WebhookEventType.POST_VIEWS,
        WebhookEventType.SUBSCRIBERS_DAILY,
        WebhookEventType.ALERT_FIRED,
        WebhookEventType.PLAN_CHANGED,
        WebhookEventType.CHANNEL_ADDED,
        WebhookEventType.CHANNEL_REMOVED,
        WebhookEventType.COPY_FOUND,
    ),
)


REFUSALS = texts.each("URL", UrlProblem)


# A chat message holds 4,096 characters: the list shortens URLs, the log its errors.
_URL_IN_LIST = 80
_ERROR_IN_LOG = 120
# The delivery log in chat shows this many attempts (the API, more).
LOG_IN_CHAT = 10


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def event_names(events: tuple[WebhookEventType, ...] | list[WebhookEventType]) -> str:
    return ", ".join(event.value for event in events)


def listing(t: Translator, endpoints: list[WebhookEndpointRecord]) -> str:
    lines = [t(texts.INTRO), ""]
    if not endpoints:
        lines.append(t(texts.EMPTY))
    for endpoint in endpoints:
        status = t(texts.ACTIVE) if endpoint.enabled else t(texts.DISABLED)
        if endpoint.pending:
            status += " · " + t.plural(texts.WAITING, endpoint.pending)
        lines.append(
            t(
                texts.ITEM,
                id=endpoint.id,
                url=escape(_shortened(endpoint.url, _URL_IN_LIST)),
                status=status,
                events=event_names(endpoint.events),
            )
        )
    return "\n".join(lines)


def refusal(t: Translator, error: UrlRefused) -> str:
    return t(REFUSALS[error.reason], address=escape(error.address or ""))


def choose_events(t: Translator, url: str) -> str:
    return t(texts.CHOOSE_EVENTS, url=escape(url))


def event_button(t: Translator, event: WebhookEventType, on: bool) -> str:
    return t(texts.EVENT_ON if on else texts.EVENT_OFF, event=f"{event.value}: {t(EVENTS[event])}")


def created(t: Translator, endpoint: WebhookEndpointRecord, secret: str) -> str:
    return t(texts.CREATED, **_endpoint_values(endpoint), secret=secret)


def card(t: Translator, endpoint: WebhookEndpointRecord) -> str:
    if endpoint.disabled_at is None:
        status = t(texts.ACTIVE)
    else:
        status = t(
            texts.CARD_DISABLED,
            moment=t.moment(endpoint.disabled_at.astimezone(UTC)),
            reason=escape(endpoint.disabled_reason or ""),
        )
    if endpoint.pending:
        status += "\n" + t.plural(texts.WAITING, endpoint.pending)
    return t(texts.CARD, **_endpoint_values(endpoint), status=status)


def _endpoint_values(endpoint: WebhookEndpointRecord) -> dict[str, object]:
    """What the texts about one endpoint show of it."""
    return {"id": endpoint.id, "url": escape(endpoint.url), "events": event_names(endpoint.events)}


def delivery_log(t: Translator, endpoint_id: int, attempts: list[DeliveryAttempt]) -> str:
    lines = [t(texts.LOG_TITLE, id=endpoint_id), ""]
    if not attempts:
        lines.append(t(texts.LOG_EMPTY))
    for attempt in attempts:
        status = (
            f"HTTP {attempt.status_code}" if attempt.status_code is not None else t(texts.NO_ANSWER)
        )
        lines.append(
            t(
                texts.LOG_ITEM,
                mark="✅" if attempt.succeeded else "❌",
                moment=t.moment(attempt.attempted_at.astimezone(UTC)),
                event=attempt.event_type,
                status=status,
                latency=t.number(attempt.latency_ms),
            )
        )
        if attempt.error and attempt.status_code is None:
            lines.append(f"    {escape(_shortened(attempt.error, _ERROR_IN_LOG))}")
    return "\n".join(lines)


def disabled_notice(t: Translator, endpoint: DisabledEndpoint) -> str:
    return t(
        texts.DISABLED_NOTICE,
        id=endpoint.id,
        url=escape(endpoint.url),
        reason=escape(endpoint.reason),
    )
