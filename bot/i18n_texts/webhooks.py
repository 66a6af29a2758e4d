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
from services.i18n import Message, PluralMessage, Translator
from services.webhooks import UrlProblem, UrlRefused

EVENTS = {
    WebhookEventType.POST_PUBLISHED: Message("webhooks-event-post-published", "a new post"),
    WebhookEventType.POST_VIEWS: Message(
        "webhooks-event-post-views", "a post's views at 1 h, 24 h and 48 h"
    ),
    WebhookEventType.SUBSCRIBERS_DAILY: Message(
        "webhooks-event-subscribers-daily", "subscribers at the end of each day"
    ),
    WebhookEventType.ALERT_FIRED: Message("webhooks-event-alert-fired", "an alert fired"),
    WebhookEventType.PLAN_CHANGED: Message("webhooks-event-plan-changed", "your plan changed"),
    WebhookEventType.CHANNEL_ADDED: Message("webhooks-event-channel-added", "a channel tracked"),
    WebhookEventType.CHANNEL_REMOVED: Message(
        "webhooks-event-channel-removed", "a channel no longer tracked"
    ),
    WebhookEventType.COPY_FOUND: Message(
        "webhooks-event-copy-found", "a watched channel copied your post"
    ),
}

INTRO = Message(
    "webhooks-intro",
    "🔗 <b>Webhooks</b> send your channels' events to your own tools (HubSpot, Salesforce, "
    "Zapier, Make, n8n or your server) as signed JSON, the Standard Webhooks way.",
)
EMPTY = Message("webhooks-empty", "You have no endpoints yet.")
ITEM = Message("webhooks-item", "#{id} {url}\n    {status} · {events}")
ACTIVE = Message("webhooks-status-active", "✅ active")
DISABLED = Message("webhooks-status-disabled", "⛔ disabled")
WAITING = PluralMessage("webhooks-waiting", "{n} event waiting", "{n} events waiting")
ADD_BUTTON = Message("webhooks-add-button", "➕ Add endpoint")
OPEN_BUTTON = Message("webhooks-open-button", "⚙️ #{id}")

ASK_URL = Message(
    "webhooks-ask-url",
    "Send the URL that should receive the events, such as <code>https://example.com/hooks</code>.",
)
REFUSALS = {
    UrlProblem.MALFORMED: Message(
        "webhooks-url-malformed",
        "That is not a URL I can send to. Send a full address, such as "
        "<code>https://example.com/hooks</code>.",
    ),
    UrlProblem.SCHEME: Message(
        "webhooks-url-scheme",
        "Only <code>http://</code> and <code>https://</code> URLs can receive webhooks.",
    ),
    UrlProblem.CREDENTIALS: Message(
        "webhooks-url-credentials",
        "Leave the user name and password out of the URL: every delivery is signed instead.",
    ),
    UrlProblem.UNRESOLVABLE: Message(
        "webhooks-url-unresolvable",
        "That host does not resolve to any address. Check the URL and send it again.",
    ),
    UrlProblem.PRIVATE: Message(
        "webhooks-url-private",
        "🚫 That host points at {address}, a private, loopback or link-local address. "
        "Webhooks only go to addresses on the public internet.",
    ),
}
CHOOSE_EVENTS = Message(
    "webhooks-choose-events",
    "Which events should go to {url}?\nTap an event to turn it on or off, then Save.",
)
EVENT_ON = Message("webhooks-event-on", "✅ {event}")
EVENT_OFF = Message("webhooks-event-off", "▫️ {event}")
SAVE_BUTTON = Message("webhooks-save-button", "💾 Save")
CANCEL_BUTTON = Message("webhooks-cancel-button", "✖ Cancel")
NO_EVENTS = Message("webhooks-no-events", "Choose at least one event.")
CANCELLED = Message("webhooks-cancelled", "Cancelled: no endpoint was added.")
WIZARD_GONE = Message(
    "webhooks-wizard-gone", "This question has expired. Start again in /webhooks."
)
CREATED = Message(
    "webhooks-created",
    "✅ Endpoint #{id} added: {url}\nEvents: {events}\n\n"
    "Its signing secret, shown only this once (keep it with your receiver):\n"
    "<code>{secret}</code>\n\n"
    "Every delivery carries the headers <code>webhook-id</code>, "
    "<code>webhook-timestamp</code> and <code>webhook-signature</code>: "
    "verify them with this secret and any Standard Webhooks library. "
    "Press Test in /webhooks to send a <code>ping</code>.",
)

CARD = Message("webhooks-card", "<b>Endpoint #{id}</b>\n{url}\nEvents: {events}\n{status}")
CARD_DISABLED = Message(
    "webhooks-card-disabled",
    "⛔ Disabled on {moment} UTC after failing for days: {reason}\n"
    "Events wait for it; press Enable once the receiver works again.",
)
TEST_BUTTON = Message("webhooks-test-button", "📨 Test")
LOG_BUTTON = Message("webhooks-log-button", "📜 Deliveries")
ENABLE_BUTTON = Message("webhooks-enable-button", "▶️ Enable")
DELETE_BUTTON = Message("webhooks-delete-button", "🗑 Delete")
BACK_BUTTON = Message("webhooks-back-button", "◀ Back")
TEST_QUEUED = Message(
    "webhooks-test-queued", "📨 A test event is on its way: its delivery shows in Deliveries."
)
ENABLED = Message("webhooks-enabled", "▶️ Enabled: deliveries resume where they stopped.")
DELETED = Message("webhooks-deleted", "🗑 Endpoint #{id} deleted: nothing more goes to {url}.")
GONE = Message("webhooks-gone", "That endpoint no longer exists.")

LOG_TITLE = Message("webhooks-log-title", "<b>Deliveries to #{id}</b>, latest first")
LOG_EMPTY = Message("webhooks-log-empty", "No deliveries yet: press Test to send a test event.")
LOG_ITEM = Message("webhooks-log-item", "{mark} {moment} · {event} · {status} · {latency} ms")
NO_ANSWER = Message("webhooks-log-no-answer", "no answer")

DISABLED_NOTICE = Message(
    "webhooks-disabled-notice",
    "⛔ Your webhook endpoint #{id} was disabled: deliveries to {url} kept failing for days "
    "(last: {reason}).\n\nNothing is lost: its events wait. Fix the receiver, then press "
    "Enable under the endpoint in /webhooks.",
)


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
    lines = [t(INTRO), ""]
    if not endpoints:
        lines.append(t(EMPTY))
    for endpoint in endpoints:
        status = t(ACTIVE) if endpoint.enabled else t(DISABLED)
        if endpoint.pending:
            status += " · " + t.plural(WAITING, endpoint.pending)
        lines.append(
            t(
                ITEM,
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
    return t(CHOOSE_EVENTS, url=escape(url))


def event_button(t: Translator, event: WebhookEventType, on: bool) -> str:
    return t(EVENT_ON if on else EVENT_OFF, event=f"{event.value}: {t(EVENTS[event])}")


def created(t: Translator, endpoint: WebhookEndpointRecord, secret: str) -> str:
    return t(
        CREATED,
        id=endpoint.id,
        url=escape(endpoint.url),
        events=event_names(endpoint.events),
        secret=secret,
    )


def card(t: Translator, endpoint: WebhookEndpointRecord) -> str:
    if endpoint.disabled_at is None:
        status = t(ACTIVE)
    else:
        status = t(
            CARD_DISABLED,
            moment=t.moment(endpoint.disabled_at.astimezone(UTC)),
            reason=escape(endpoint.disabled_reason or ""),
        )
    if endpoint.pending:
        status += "\n" + t.plural(WAITING, endpoint.pending)
    return t(
        CARD,
        id=endpoint.id,
        url=escape(endpoint.url),
        events=event_names(endpoint.events),
        status=status,
    )


def delivery_log(t: Translator, endpoint_id: int, attempts: list[DeliveryAttempt]) -> str:
    lines = [t(LOG_TITLE, id=endpoint_id), ""]
    if not attempts:
        lines.append(t(LOG_EMPTY))
    for attempt in attempts:
        status = f"HTTP {attempt.status_code}" if attempt.status_code is not None else t(NO_ANSWER)
        lines.append(
            t(
                LOG_ITEM,
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
        DISABLED_NOTICE,
        id=endpoint.id,
        url=escape(endpoint.url),
        reason=escape(endpoint.reason),
    )
