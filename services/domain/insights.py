"""What the insights model learns from, and what is stored of it."""

from dataclasses import dataclass
from datetime import date, datetime

from services.domain.posts import PublishedPost


@dataclass(frozen=True)
class PostViewsHistory(PublishedPost):
    """A post as it was published, and every views count seen of it as (age in hours, views)."""

    observations: tuple[tuple[float, int], ...]


@dataclass(frozen=True)
class TrainingSize:
    """How much a channel has to learn from: posts with views, and views counts seen."""

    posts: int
    observations: int


@dataclass(frozen=True)
class StoredInsightModel:
    channel_id: int
    trained_at: datetime
    size: TrainingSize
    model: bytes  # the fitted predictor, pickled
    summary: dict  # figures and effects, as JSON


@dataclass(frozen=True)
class DigestRecipient:
    """An owner whose weekly digest is due, and the Monday (their time zone) it is for."""

    user_id: int
    time_zone: str
    week_start: date
