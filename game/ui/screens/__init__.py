"""The game's screens: title, new game, briefing, main map, order panels, reports, menus."""
