"""Commercial inventories: manufacturers' stocks soften a supply cut and bid prices up when a
boom makes everyone restock, explanations name them; refiners' ore stocks keep their plants
running through an ore cut; a mineral's cover is content."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from game.content import Content
from game.lab.params import apply_params
from game.rules import events as ev
from game.world.mechanisms import effects
from game.world.model import WorldModel
from game.world.record import TurnRecord

SCENARIO = "ministerial-2026"
SEED = 3


def civil_price(world: WorldModel, r: TurnRecord, m: int) -> float:
    """What the mineral's civil buyers paid on average (weighted by what they consumed), as a
    multiple of the reference."""
    n = len(world.nation_ids)
    used = r.consumption[m].sum(axis=1)
    return float((r.refined_paid[m, :n] * used).sum() / used.sum() / world.ref_price[m])


def play(
    content: Content,
    mineral: str,
    cover: float | None,
    turns: int,
    shock: Callable[[WorldModel, int], None],
    field: str = "cover_quarters",
    others: dict[str, float] | None = None,
) -> WorldModel:
    """A game with nobody giving orders; `cover` replaces the mineral's content figure
    `field` (0: no such inventories), `others` other inventory figures; `shock(world,
    turn)` runs before each turn."""
    changes = {f"minerals.{mineral}.inventories.{k}": v for k, v in (others or {}).items()}
    if cover is not None:
        changes[f"minerals.{mineral}.inventories.{field}"] = cover
    if changes:
        content = apply_params(content, SCENARIO, changes)
    world = WorldModel(content, SCENARIO, seed=SEED)
    for turn in range(turns):
        shock(world, turn)
        world.step()
    return world


def supply_cut(mineral: str, stage: str = "refined") -> Callable[[WorldModel, int], None]:
    """In turn 1 the largest producer of `mineral` at `stage` loses half its capacity for a
    year."""

    def shock(world: WorldModel, turn: int) -> None:
        if turn == 1:
            m = world.mineral_ids.index(mineral)
            made = (
                world.records[-1].refined_production
                if stage == "refined"
                else world.records[-1].ore_production
            )
            top = world.nation_ids[int(np.argmax(made[m]))]
            cut = ev.SupplyShock(
                type="supply_shock",
                mineral=mineral,
                stage=stage,
                country=top,
                capacity_factor=0.5,
                duration_turns=4,
            )
            effects.apply_effect(world.state, cut, "test")

    return shock


def demand_ramp(mineral: str) -> Callable[[WorldModel, int], None]:
    """From turn 1, demand for `mineral` grows 8 % a quarter on top of its trend (a boom)."""

    def shock(world: WorldModel, turn: int) -> None:
        if turn >= 1:
            boom = ev.DemandShock(type="demand_shock", mineral=mineral, factor=1.08, duration_turns=12)
            effects.apply_effect(world.state, boom, "test")

    return shock


@pytest.fixture(scope="module")
def cut_worlds(content: Content) -> tuple[WorldModel, WorldModel]:
    """Rare earths, half of the largest refiner cut: with the content's inventories, without."""
    return (
        play(content, "rare_earths", None, 2, supply_cut("rare_earths")),
        play(content, "rare_earths", 0.0, 2, supply_cut("rare_earths")),
    )


def test_a_supply_cut_is_partly_absorbed_by_inventories(cut_worlds: tuple[WorldModel, WorldModel]) -> None:
    """The quarter supply is cut, manufacturers draw on their stocks: the price spikes less
    and less need goes unmet than in the same world without stocks."""
    held, bare = cut_worlds
    m = held.mineral_ids.index("rare_earths")
    rise = {
        name: civil_price(w, w.records[1], m) / civil_price(w, w.records[0], m)
        for name, w in (("held", held), ("bare", bare))
    }
    assert rise["bare"] > 1.5, "the cut should squeeze the market without stocks"
    assert rise["held"] - 1 < 0.75 * (rise["bare"] - 1)
    assert held.records[1].inventory_change[m].sum() < 0, "stocks were drawn"
    assert held.records[1].shortfall[m].sum() < bare.records[1].shortfall[m].sum()
    assert np.all(held.inventory[m] >= 0)


def test_explanations_name_destocking_in_a_supply_cut(cut_worlds: tuple[WorldModel, WorldModel]) -> None:
    """The cut's price rise names inventories among its causes, pushing against the rise."""
    held, _ = cut_worlds
    m = held.mineral_ids.index("rare_earths")
    rows = [r for r in held.records[1].explanations.rows() if r.mineral == m and r.stage == 1]
    drawn = [r for r in rows if r.cause == "inventories"]
    assert drawn, "inventories not named"
    assert all(r.share < 0 for r in drawn if r.change > 0)


def test_restocking_raises_prices_in_a_boom(content: Content) -> None:
    """A boom of several quarters makes manufacturers want more cover and bid for it: they
    restock, prices rise faster than in the same world without stocks, and the explanations
    name restocking as a cause of the rise."""
    turns = 4
    held = play(content, "lithium", None, turns, demand_ramp("lithium"))
    bare = play(content, "lithium", 0.0, turns, demand_ramp("lithium"))
    m = held.mineral_ids.index("lithium")
    last = turns - 1
    assert civil_price(held, held.records[last], m) > 1.1 * civil_price(bare, bare.records[last], m)
    assert sum(r.inventory_change[m].sum() for r in held.records[1:]) > 0, "stocks were built"
    named = [
        r
        for rec in held.records[1:]
        for r in rec.explanations.rows()
        if r.mineral == m and r.stage == 1 and r.cause == "inventories" and r.change > 0
    ]
    assert any(r.share > 0 for r in named), "restocking not named as pushing the rise"


def test_refiners_ore_stocks_keep_their_plants_running_through_an_ore_cut(content: Content) -> None:
    """Half the largest lithium mining country's output is lost: refiners run part of the ore
    they could not buy from their stocks, so less refined output is lost and the refined
    price rises less than in the same world without ore stocks (manufacturers' stocks left
    out of both, they would lean on theirs the more, the less refiners run)."""
    field, alone = "refiner_ore_cover_quarters", {"cover_quarters": 0.0}  # ore stocks alone
    held = play(content, "lithium", None, 2, supply_cut("lithium", "ore"), field, alone)
    bare = play(content, "lithium", 0.0, 2, supply_cut("lithium", "ore"), field, alone)
    m = held.mineral_ids.index("lithium")
    cut_held, cut_bare = held.records[1], bare.records[1]
    assert cut_held.ore_inventory_change[m].sum() < 0, "ore stocks were drawn"
    lost = {
        name: w.records[0].refined_production[m].sum() - r.refined_production[m].sum()
        for name, w, r in (("held", held, cut_held), ("bare", bare, cut_bare))
    }
    assert lost["bare"] > 0
    assert lost["held"] < 0.75 * lost["bare"]
    assert civil_price(held, cut_held, m) < civil_price(bare, cut_bare, m)


def test_a_minerals_cover_is_validated_content(content: Content) -> None:
    """Cover is in quarters, 0..8: a negative one is refused with the field named."""
    with pytest.raises(ValueError, match="cover_quarters"):
        apply_params(content, SCENARIO, {"minerals.lithium.inventories.cover_quarters": -1.0})


def test_the_ledger_shows_the_countrys_industry_stocks(
    cut_worlds: tuple[WorldModel, WorldModel], content: Content
) -> None:
    """The national ledger reads the country's stocks and their change from the world: in the
    cut's quarter, the country whose suppliers failed shows stocks that fell."""
    from game.ledger import Names, mineral_ledger

    held, _ = cut_worlds
    m = held.mineral_ids.index("rare_earths")
    i = int(np.argmin(held.inventory_change[m]))  # the country that drew the most
    nation = held.nation_ids[i]
    led = mineral_ledger(held, None, nation, "rare_earths", Names(content, held))
    assert led.industry_stock == pytest.approx(held.inventory[m, i])
    assert led.industry_stock_change == pytest.approx(held.records[-1].inventory_change[m, i])
    assert led.industry_stock_change < 0
