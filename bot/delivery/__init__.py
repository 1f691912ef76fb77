"""Delivery: the outbox dispatcher that sends what turns, reminders and broadcasts enqueued."""

from bot.delivery.dispatcher import Dispatcher, Limits
from bot.delivery.queue import record_status

__all__ = ["Dispatcher", "Limits", "record_status"]
