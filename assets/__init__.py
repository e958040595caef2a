"""Run-time assets of the game (map geometry, UI theme), installed as `lodestone_assets`."""
