"""The mechanisms of the world, one module per family (AI Economist's "components").

Each family owns its orders' check, apply and cost (its `LEVERS`), its per-turn step where it
has one, and the state it keeps. `registry` maps every order type to its lever; the order desk
(`desk`) is the only code that applies orders.
"""
