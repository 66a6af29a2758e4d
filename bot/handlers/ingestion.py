"""Everything Telegram reports about a tracked channel, handed to ingestion as rows."""

from datetime import UTC, datetime

from aiogram import F, Router
from aiogram.enums import ChatMemberStatus
from aiogram.types import (
    ChatMember,
    ChatMemberUpdated,
    Message,
    MessageReactionCountUpdated,
    Update,
)

from services.domain.ingestion import (
    InviteLinkSeen,
    PostRow,
    ReactionCountRow,
    SubscriberEventRow,
)
from services.domain.sources import SourceKind
from services.ingestion import IngestionService

# The media kinds we record, in the order Telegram's Message fields are checked.
_MEDIA_KINDS = (
    "photo",
    "video",
    "animation",
    "audio",
    "voice",
    "video_note",
    "document",
    "sticker",
    "poll",
)


def _media(message: Message) -> tuple[str | None, str | None]:
    for kind in _MEDIA_KINDS:
        media = getattr(message, kind)
        if media is None:
            continue
        if kind == "photo":
            return kind, media[-1].file_unique_id
        return kind, getattr(media, "file_unique_id", None)
    return None, None


def post_row(message: Message) -> PostRow:
    media_kind, file_unique_id = _media(message)
    return PostRow(
        channel_id=message.chat.id,
        message_id=message.message_id,
        posted_at=message.date,
        text=message.text or message.caption or "",
        media_kind=media_kind,
        media_file_unique_id=file_unique_id,
        media_group_id=message.media_group_id,
        # aiogram parses `date` but leaves `edit_date` as a Unix timestamp.
        edited_at=datetime.fromtimestamp(message.edit_date, UTC) if message.edit_date else None,
        photo_file_id=message.photo[-1].file_id if message.photo else None,
    )


async def on_post(message: Message, ingestion: IngestionService) -> None:
    await ingestion.record_post(post_row(message))


async def on_reaction_count(event: MessageReactionCountUpdated, ingestion: IngestionService):
    counts: dict[str, int] = {}
    for reaction in event.reactions:
        kind = reaction.type
        key = getattr(kind, "emoji", None) or getattr(kind, "custom_emoji_id", None) or kind.type
        counts[key] = counts.get(key, 0) + reaction.total_count
    await ingestion.record_reaction_count(
        ReactionCountRow(
            channel_id=event.chat.id,
            message_id=event.message_id,
            observed_at=event.date,
            reactions=counts,
        )
    )


def _is_subscribed(member: ChatMember) -> bool:
    if member.status in (
        ChatMemberStatus.CREATOR,
        ChatMemberStatus.ADMINISTRATOR,
        ChatMemberStatus.MEMBER,
    ):
        return True
    return member.status == ChatMemberStatus.RESTRICTED and bool(
        getattr(member, "is_member", False)
    )


def _source(event: ChatMemberUpdated) -> SourceKind:
    """Where a join came from, as Telegram tells it; a leave takes its join's when stored."""
    if event.invite_link is not None:
        return SourceKind.LINK
    if event.via_chat_folder_invite_link:
        return SourceKind.FOLDER
    if event.via_join_request:
        return SourceKind.REQUEST
    return SourceKind.ORGANIC


async def on_subscriber_change(
    event: ChatMemberUpdated, event_update: Update, ingestion: IngestionService
) -> None:
    was, now = _is_subscribed(event.old_chat_member), _is_subscribed(event.new_chat_member)
    if was == now:
        return  # a change of rights, not a join or a leave
    link = event.invite_link if now else None
    await ingestion.record_subscriber_event(
        SubscriberEventRow(
            channel_id=event.chat.id,
            occurred_at=event.date,
            kind="join" if now else "leave",
            invite_link_name=link.name if link else None,
            source=_source(event) if now else SourceKind.UNKNOWN,
            invite_link=InviteLinkSeen(
                url=link.invite_link, name=link.name, creates_join_request=link.creates_join_request
            )
            if link
            else None,
            update_id=event_update.update_id,
        ),
        user_id=event.new_chat_member.user.id,
    )


def create_router() -> Router:
    router = Router(name="ingest")
    router.channel_post.register(on_post)
    router.edited_channel_post.register(on_post)
    router.message_reaction_count.register(on_reaction_count)
    router.chat_member.register(on_subscriber_change, F.chat.type == "channel")
    return router
