"""How often refiners pay more for ore than the metal made from it allows (issue 17).

    python bench/ore_netback.py [--turns 40] [--seeds 2] [--scenario ministerial-2026] [--soft]

Plays games with every nation on its AI and counts the country-turns where refiners bought ore
and paid more per contained tonne than (a) the netback they bid from (the refined price they
expect less their conversion cost) and (b) the refined price at home that turn. `--soft`
plays with the ceiling taken off the ore bids (the demand curve's choke alone, as before the
ceiling), for the comparison. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import warnings

from game.content import load_content
from game.session import Game
from game.world import turn
from game.world.economy import supply


def count(scenario: str, seeds: int, turns: int, soft: bool) -> tuple[int, int, int, float]:
    """(country-turns that bought ore, over the netback, over the refined price at home,
    the largest ratio of ore paid to netback)."""
    content = load_content()
    real = supply.ore_market
    ceilings = []

    def keep(s):
        market = real(s)
        ceilings.append(market.bids.ceiling.copy())
        if soft:
            market = market._replace(bids=dataclasses.replace(market.bids, ceiling=None))
        return market

    turn.supply.ore_market = keep
    bought = over_netback = over_refined = 0
    worst = 0.0
    try:
        for seed in range(seeds):
            game = Game(content, scenario, seed=seed)
            world = game.world
            n_nat = len(world.nation_ids)
            for _ in range(turns):
                game.play_turn()
                r = world.records[-1]
                took = r.ore_intake > 0
                ratio = r.ore_paid[took] / ceilings[-1][took]
                bought += int(took.sum())
                over_netback += int((ratio > 1.0).sum())
                over_refined += int((r.ore_paid[took] > r.refined_paid[:, :n_nat][took]).sum())
                worst = max(worst, float(ratio.max(initial=0.0)))
    finally:
        turn.supply.ore_market = real
    return bought, over_netback, over_refined, worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="ministerial-2026")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--soft", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    bought, over_netback, over_refined, worst = count(args.scenario, args.seeds, args.turns, args.soft)
    print(
        f"{args.scenario}, {args.seeds} games x {args.turns} turns, AI, "
        f"ceiling {'off' if args.soft else 'on'}: "
        f"{bought} country-turns bought ore; paid over the netback in {over_netback} "
        f"(worst {worst:.3f} x), over the refined price at home in {over_refined}"
    )


if __name__ == "__main__":
    main()
