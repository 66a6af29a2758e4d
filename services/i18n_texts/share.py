"""The key numbers of a shared report, named for whoever reads it: the page, its JSON, the chat."""

from services.i18n import Message

SUBSCRIBERS = Message("share-key-subscribers", "Subscribers")
SUBSCRIBER_CHANGE = Message("share-key-subscriber-change", "Subscriber change")
JOINED = Message("share-key-joined", "Joined")
LEFT = Message("share-key-left", "Left")
POSTS = Message("share-key-posts", "Posts")
AVERAGE_REACH = Message("share-key-average-reach", "Average reach")
ERR = Message("share-key-err", "ERR")
ENGAGEMENT_RATE = Message("share-key-engagement-rate", "Engagement rate")
