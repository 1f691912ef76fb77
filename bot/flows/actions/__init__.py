"""Actions named by `do:` in flow files, one module per domain; importing registers them."""

from bot.flows.actions import channels, profile, trainings

__all__ = ["channels", "profile", "trainings"]
