"""The Discord adapter (discord.py): translate at the edge, judge in the core, act through `DiscordEnforcer`."""
