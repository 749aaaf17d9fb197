"""The ``opsbot`` subcommands, one module each; ``bot.cli`` puts them together."""
