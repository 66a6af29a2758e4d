"""A turn to send, handed out by the budget all bot processes share."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SendSlot:
    """`reserved`: the send may go in `wait` seconds. Otherwise the chat is still waiting for
    its next turn, and asking again in `wait` seconds makes sense."""

    wait: float
    reserved: bool
