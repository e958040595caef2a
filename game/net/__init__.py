"""Teams on their own machines: a host that runs the game and clients that play one team each."""
