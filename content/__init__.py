"""Lodestone's content (TOML data), installed as the package `lodestone_content`."""
