"""The /compare chart's title and panels (services/charts.py, draw_comparison)."""

from services.i18n import Message, PluralMessage

COMPARE_CHART_TITLE = PluralMessage(
    "copies-chart-title",
    "Your channel and watched ones, last {n} day",
    "Your channel and watched ones, last {n} days",
)
SUBSCRIBERS_PANEL = Message("copies-chart-subscribers", "Subscribers")
POSTS_PANEL = Message("copies-chart-posts", "Posts a day")
VIEWS_PANEL = Message("copies-chart-views", "Average views")
ERR_PANEL = Message("copies-chart-err", "ERR, %")
