"""After-action reports and debriefs: what happened in a game, why, and how each nation did."""
