"""Orders: each kind changes the world as stated when valid, and every kind of invalid order
is refused with a reason and leaves the world exactly as it was."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from game.content import Content
from game.ledger import Names
from game.rules import Stage
from game.rules.orders import ORDER_KINDS, ProposeDeal
from game.world.mechanisms.programmes import RND_TURNS
from game.world.model import WorldModel

BAN_JAPAN = {
    "kind": "export_control",
    "issuer": "china",
    "mineral": "rare_earths",
    "stage": "refined",
    "instrument": "ban",
    "targets": ["japan"],
}
ZONE = {
    "kind": "propose_zone",
    "issuer": "united_states",
    "zone": "minerals_club",
    "name": "Minerals Security Club",
    "invite": ["japan"],
}


@pytest.fixture
def world(content: Content) -> WorldModel:
    return WorldModel(content, "tutorial", seed=3)


def submit_ok(world: WorldModel, order: dict) -> None:
    verdict = world.submit(order)
    assert verdict.accepted, verdict.reason


def refused(world: WorldModel, order: dict) -> str:
    """Submit an order that must be refused; the world hash must not move."""
    before = world.world_hash()
    verdict = world.submit(order)
    assert not verdict.accepted, f"{order} was accepted"
    assert verdict.reason
    assert world.world_hash() == before
    return verdict.reason


def idx(world: WorldModel, nation: str) -> int:
    return world.nation_ids.index(nation)


def refined_flow(world: WorldModel, mineral: str, origin: str, dest: str) -> float:
    m = world.mineral_index(mineral)
    return float(world.records[-1].refined_flow[m, idx(world, origin), idx(world, dest)])


# ---------------------------------------------------------------- valid orders


def test_export_control_closes_the_route_and_hurts_relations(world: WorldModel) -> None:
    world.step()
    assert refined_flow(world, "rare_earths", "china", "japan") > 0
    regard = world.diplomacy.relations[idx(world, "japan"), idx(world, "china")]
    submit_ok(world, BAN_JAPAN)
    world.step()
    assert refined_flow(world, "rare_earths", "china", "japan") == 0.0
    assert world.diplomacy.relations[idx(world, "japan"), idx(world, "china")] < regard - 10
    assert [r.accepted for r in world.turn_orders] == [True]


def test_lifting_a_control_reopens_the_route(world: WorldModel) -> None:
    submit_ok(world, BAN_JAPAN)
    world.step()
    submit_ok(world, {"kind": "lift_export_control", "issuer": "china", "mineral": "rare_earths"})
    world.step()
    assert not world.matching_controls("china", "rare_earths", None, None)
    assert refined_flow(world, "rare_earths", "china", "japan") > 0


def test_tariff_is_set_and_removed(world: WorldModel) -> None:
    tariff = {
        "kind": "tariff",
        "issuer": "united_states",
        "mineral": "lithium",
        "stage": "refined",
        "origins": ["china"],
        "rate_pct": 60,
    }
    submit_ok(world, tariff)
    world.step()
    assert [t.rate_pct for t in world.policies.tariffs if t.mineral == "lithium"] == [60]
    assert world.trade_revenue[idx(world, "united_states")] >= 0
    submit_ok(world, {**tariff, "rate_pct": 0})
    world.step()
    assert not [t for t in world.policies.tariffs if t.mineral == "lithium"]


def test_zone_is_founded_invitations_answered_and_left(world: WorldModel) -> None:
    submit_ok(world, ZONE)
    world.step()
    assert world.policies.zones["minerals_club"].members == ["united_states"]
    assert [p.to for p in world.diplomacy.pending(sender="united_states")] == ["japan"]
    submit_ok(world, {"kind": "join_zone", "issuer": "japan", "zone": "minerals_club"})
    submit_ok(
        world,
        {"kind": "invite_to_zone", "issuer": "united_states", "zone": "minerals_club", "nation": "australia"},
    )
    world.step()
    assert world.policies.zones["minerals_club"].members == ["united_states", "japan"]
    invitation = world.diplomacy.invited("australia", "minerals_club")
    assert invitation is not None
    submit_ok(world, {"kind": "respond", "issuer": "australia", "proposal": invitation.id, "accept": True})
    world.step()
    assert "australia" in world.policies.zones["minerals_club"].members
    regard = world.diplomacy.relations[idx(world, "united_states"), idx(world, "japan")]
    submit_ok(world, {"kind": "leave_zone", "issuer": "japan", "zone": "minerals_club"})
    world.step()
    assert "japan" not in world.policies.zones["minerals_club"].members
    assert world.diplomacy.relations[idx(world, "united_states"), idx(world, "japan")] < regard


def test_offtake_deal_delivers_its_tonnes_once_accepted(world: WorldModel) -> None:
    deal = {
        "kind": "propose_deal",
        "issuer": "japan",
        "buyer": "japan",
        "seller": "united_states",
        "mineral": "lithium",
        "tonnes_per_turn": 300,
        "duration_turns": 4,
    }
    submit_ok(world, deal)
    world.step()
    (proposal,) = world.observe("united_states").inbox
    submit_ok(world, {"kind": "respond", "issuer": "united_states", "proposal": proposal.id, "accept": True})
    world.step()
    assert len(world.diplomacy.deals_in_force(world.turn)) == 1
    world.step()
    # Contracted tonnes come first: Japan gets its 300 t, or all the seller put on the market
    # if its refiners (idling plants along their cost curve) had less to sell.
    m, us = world.mineral_index("lithium"), world.nation_index["united_states"]
    sold = world.records[-1].refined_flow[m, us].sum()
    assert refined_flow(world, "lithium", "united_states", "japan") >= min(300.0, sold) - 1e-6
    assert sold > 100


def test_a_deal_leaves_the_deals_in_force_at_its_term_and_when_broken(world: WorldModel) -> None:
    """Nations and markets read the deals in force many times a turn (the list is kept per
    turn): a deal must drop out of it the turn it ends, whether by its term or broken."""
    for buyer, turns in (("japan", 3), ("australia", 8)):
        deal = {"kind": "propose_deal", "issuer": buyer, "buyer": buyer, "seller": "united_states"}
        submit_ok(world, {**deal, "mineral": "lithium", "tonnes_per_turn": 100, "duration_turns": turns})
    world.step()
    for p in world.observe("united_states").inbox:
        submit_ok(world, {"kind": "respond", "issuer": "united_states", "proposal": p.id, "accept": True})
    world.step()
    assert {d.terms.buyer for d in world.diplomacy.deals_in_force(world.turn)} == {"japan", "australia"}
    submit_ok(
        world,
        {
            "kind": "export_control",
            "issuer": "united_states",
            "mineral": "lithium",
            "stage": "refined",
            "instrument": "ban",
            "targets": ["australia"],
        },
    )
    world.step()  # the ban breaks Australia's deal
    assert {d.terms.buyer for d in world.diplomacy.deals_in_force(world.turn)} == {"japan"}
    world.step()  # Japan's three turns are over
    assert world.diplomacy.deals_in_force(world.turn) == []
    assert not world.observe("japan").deals
    # Within a turn too: a deal signed or ended is in (or out of) the list at once.
    terms = world.diplomacy.deals[0].terms
    signed = world.diplomacy.sign(world.turn, terms)
    assert world.diplomacy.deals_in_force(world.turn) == [signed]
    world.diplomacy.end(signed)
    assert world.diplomacy.deals_in_force(world.turn) == []


def test_refused_proposal_tells_the_proposer_why(world: WorldModel) -> None:
    submit_ok(world, {**ZONE, "invite": ["australia"]})
    world.step()
    (p,) = world.observe("australia").inbox
    submit_ok(
        world,
        {"kind": "respond", "issuer": "australia", "proposal": p.id, "accept": False, "reason": "too soon"},
    )
    world.step()
    assert not world.diplomacy.proposals
    assert any("too soon" in text for text in world.observe("united_states").replies)


def test_investment_at_home_starts_a_project_and_costs_its_capex(world: WorldModel, content: Content) -> None:
    template = content.projects["lithium_refinery"]
    cost = template.capex_usd_per_tpy * template.capacity_tpy / 1e6
    before = len(world.pipeline.projects)
    treasury = world.treasury[idx(world, "japan")]
    verdict = world.submit(
        {"kind": "invest", "issuer": "japan", "template": "lithium_refinery", "country": "japan"}
    )
    assert verdict.accepted and verdict.cost_usd_m == pytest.approx(cost)
    world.step()
    assert len(world.pipeline.projects) > before
    assert world.pipeline.projects[-1].owner == idx(world, "japan") or any(
        p.owner == idx(world, "japan") for p in world.pipeline.projects
    )
    spent = treasury + world.budget_income[idx(world, "japan")] + world.trade_revenue[idx(world, "japan")]
    assert world.treasury[idx(world, "japan")] == pytest.approx(spent - cost)


def test_investment_abroad_needs_the_hosts_consent(world: WorldModel) -> None:
    order = {"kind": "invest", "issuer": "japan", "template": "lithium_mine", "country": "australia"}
    submit_ok(world, order)
    world.step()
    owned = [p for p in world.pipeline.projects if p.owner == idx(world, "japan")]
    assert not owned
    (p,) = world.observe("australia").inbox
    submit_ok(world, {"kind": "respond", "issuer": "australia", "proposal": p.id, "accept": True})
    world.step()
    owned = [p for p in world.pipeline.projects if p.owner == idx(world, "japan")]
    assert owned and owned[0].country == idx(world, "australia")


def test_stockpile_buy_and_release(world: WorldModel) -> None:
    j, m = idx(world, "japan"), world.mineral_index("rare_earths")
    target = world.stock_target[j, m]
    submit_ok(
        world,
        {
            "kind": "stockpile",
            "issuer": "japan",
            "action": "buy",
            "mineral": "rare_earths",
            "tonnes": 500,
            "budget_usd_m": 100,
        },
    )
    world.step()
    assert world.stock_target[j, m] == target + 500
    held = world.stockpile[j, m]
    assert held > 0
    submit_ok(
        world,
        {
            "kind": "stockpile",
            "issuer": "japan",
            "action": "release",
            "mineral": "rare_earths",
            "tonnes": held / 2,
        },
    )
    world.step()
    assert world.stockpile[j, m] < held


def test_emergency_sharing_moves_stock_to_a_member_in_need(world: WorldModel) -> None:
    us, j, m = idx(world, "united_states"), idx(world, "japan"), world.mineral_index("rare_earths")
    world.stockpile[us, m] = 5000.0  # the tutorial's US holds no rare earths; give it some
    submit_ok(world, {**ZONE, "emergency_sharing": True})
    world.step()
    submit_ok(world, {"kind": "join_zone", "issuer": "japan", "zone": "minerals_club"})
    submit_ok(
        world,
        {"kind": "share_stockpile", "issuer": "united_states", "zone": "minerals_club", "share_pct": 50},
    )
    submit_ok(world, {**BAN_JAPAN})
    submit_ok(world, {**BAN_JAPAN, "mineral": "rare_earths", "stage": "ore"})
    world.step()
    assert world.consumption_fill[j, m] < 0.85
    us_stock, regard = world.stockpile[us, m], world.diplomacy.relations[j, us]
    world.step()
    assert world.stockpile[us, m] < us_stock
    assert any(a.kind == "stockpile_shared" for a in world.diplomacy.acts)
    assert world.diplomacy.relations[j, us] > regard


def test_subsidy_cuts_need_and_is_paid_every_turn(world: WorldModel) -> None:
    j, m = idx(world, "japan"), world.mineral_index("rare_earths")
    world.step()
    need = world.need_now()[m, j].sum()
    submit_ok(
        world,
        {
            "kind": "subsidise",
            "issuer": "japan",
            "programme": "substitution",
            "mineral": "rare_earths",
            "usd_m_per_turn": 50,
            "turns": 3,
        },
    )
    treasury = world.treasury[j]
    world.step()
    assert world.need_now()[m, j].sum() < need * world.growth_per_turn.max(axis=1)[m] * 0.99
    assert world.treasury[j] == pytest.approx(
        treasury - 50 + world.budget_income[j] + world.trade_revenue[j] - world.zone_fund_paid[j]
    )
    for _ in range(3):
        world.step()
    assert not world.subsidies


def test_research_settles_after_its_lead_time(world: WorldModel) -> None:
    submit_ok(
        world,
        {
            "kind": "fund_rnd",
            "issuer": "japan",
            "programme": "substitution",
            "mineral": "rare_earths",
            "budget_usd_m": 2000,
        },
    )
    for _ in range(RND_TURNS + 1):
        world.step()
    assert not world.research
    assert any(h.kind == "research" for h in world.news)


def test_messages_move_relations(world: WorldModel) -> None:
    us, cn = idx(world, "united_states"), idx(world, "china")
    regard = world.diplomacy.relations[cn, us]
    submit_ok(
        world,
        {
            "kind": "message",
            "issuer": "united_states",
            "to": ["china"],
            "tone": "pressure",
            "text": "Lift it.",
        },
    )
    world.step()
    assert world.diplomacy.relations[cn, us] < regard


def test_every_order_kind_is_exercised_here() -> None:
    source = Path(__file__).read_text()
    assert all(f'"{kind}"' in source for kind in ORDER_KINDS)


# ---------------------------------------------------------------- invalid orders


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ({**BAN_JAPAN, "issuer": "atlantis"}, "not a nation"),
        ({**BAN_JAPAN, "targets": ["atlantis"]}, "not a nation"),
        ({**BAN_JAPAN, "mineral": "cobalt"}, "not traded"),
        ({**BAN_JAPAN, "issuer": "australia", "targets": []}, "no rare earths refineries"),
        ({"kind": "lift_export_control", "issuer": "japan", "mineral": "rare_earths"}, "no such control"),
        ({"kind": "join_zone", "issuer": "japan", "zone": "nowhere"}, "no such zone"),
        (
            {"kind": "invite_to_zone", "issuer": "japan", "zone": "nowhere", "nation": "australia"},
            "no such zone",
        ),
        ({"kind": "respond", "issuer": "japan", "proposal": 7, "accept": True}, "no such proposal"),
        ({**BAN_JAPAN, "instrument": "quota"}, "needs quota_tpy"),
        (
            {"kind": "stockpile", "issuer": "japan", "action": "buy", "mineral": "lithium", "tonnes": -5},
            "greater than or equal",
        ),
        (
            {
                "kind": "stockpile",
                "issuer": "japan",
                "action": "release",
                "mineral": "lithium",
                "tonnes": 1e8,
            },
            "to release",
        ),
        (
            {"kind": "invest", "issuer": "japan", "template": "unobtainium_mine", "country": "japan"},
            "no project template",
        ),
        (
            {"kind": "tariff", "issuer": "japan", "mineral": "lithium", "stage": "refined", "rate_pct": 0},
            "no such tariff",
        ),
        ({"kind": "message", "issuer": "japan", "to": ["japan"], "tone": "summit"}, "itself"),
        ({"kind": "teleport", "issuer": "japan"}, "not a valid order"),
        ("{not json", "not a valid order"),
        (
            {
                "kind": "propose_deal",
                "issuer": "japan",
                "buyer": "australia",
                "seller": "united_states",
                "mineral": "lithium",
                "tonnes_per_turn": 5,
            },
            "issuer must be the buyer or the seller",
        ),
        (
            {
                "kind": "propose_deal",
                "issuer": "japan",
                "buyer": "japan",
                "seller": "australia",
                "mineral": "lithium",
                "stage": "ore",
                "tonnes_per_turn": 1e7,
            },
            "more than half",
        ),
    ],
)
def test_invalid_orders_are_refused_with_a_reason(world: WorldModel, order: dict, expected: str) -> None:
    assert expected in refused(world, order)


def test_reasons_name_nations_minerals_and_zones_as_players_read_them(world: WorldModel) -> None:
    """The world writes its refusals with display names ('United States', 'rare earths', the
    zone's name), so a CLI summary or a log shows them as they are, and the UI's rewrite of
    ids (game.ledger.Names) finds nothing left to change."""
    ban = {**BAN_JAPAN, "targets": ["united_states"]}
    submit_ok(world, ban)
    submit_ok(world, ZONE)
    world.step()  # the ban and the zone are in force
    subsidy = {
        "kind": "subsidise",
        "issuer": "japan",
        "programme": "recycling",
        "mineral": "rare_earths",
        "usd_m_per_turn": 1,
        "turns": 4,
    }
    submit_ok(world, subsidy)
    world.step()
    orders = [
        ban,
        {
            "kind": "lift_export_control",
            "issuer": "japan",
            "mineral": "rare_earths",
            "targets": ["united_states"],
        },
        {"kind": "tariff", "issuer": "japan", "mineral": "rare_earths", "stage": "refined", "rate_pct": 0},
        {"kind": "invite_to_zone", "issuer": "united_states", "zone": "minerals_club", "nation": "japan"},
        {"kind": "leave_zone", "issuer": "australia", "zone": "minerals_club"},
        {
            "kind": "stockpile",
            "issuer": "united_states",
            "action": "release",
            "mineral": "rare_earths",
            "tonnes": 1e8,
        },
        subsidy,
        {
            "kind": "propose_deal",
            "issuer": "japan",
            "buyer": "japan",
            "seller": "united_states",
            "mineral": "rare_earths",
            "tonnes_per_turn": 1e8,
        },
    ]
    names = Names(world.content, world)
    for order in orders:
        reason = refused(world, order)
        assert "rare_earths" not in reason and "united_states" not in reason, reason
        assert "minerals_club" not in reason or order["kind"] == "propose_zone", reason
        assert "rare earths" in reason or "United States" in reason or "Minerals Security Club" in reason
        assert names(reason) == reason


def test_the_observed_offtake_ceiling_is_the_desks_limit_to_the_last_bit(world: WorldModel) -> None:
    """What the doctrines read (Observation.offtake_ceiling) is where the desk draws the line:
    an offtake of exactly the ceiling passes, the next float above it is refused, and a
    seller that refines nothing has a ceiling of 0."""
    world.step()
    obs = world.observe("japan")
    for m, mineral in enumerate(world.mineral_ids):
        for n, seller in enumerate(world.nation_ids):
            if seller == "japan":
                continue
            ceiling = obs.offtake_limit(m, n)
            deal = {"issuer": "japan", "buyer": "japan", "seller": seller, "mineral": mineral}
            if world.capacity_of(seller, mineral, Stage.REFINED) <= 0:
                assert ceiling == 0.0
                continue
            assert world.check(ProposeDeal(**deal, tonnes_per_turn=ceiling)).accepted
            above = float(np.nextafter(ceiling, np.inf))
            assert "more than half" in world.check(ProposeDeal(**deal, tonnes_per_turn=above)).reason


def test_no_budget_is_refused(world: WorldModel) -> None:
    world.treasury[idx(world, "australia")] = 10.0
    reason = refused(
        world,
        {"kind": "invest", "issuer": "australia", "template": "lithium_refinery", "country": "australia"},
    )
    assert "only $10m is available" in reason
    reason = refused(
        world, {"kind": "invest", "issuer": "australia", "template": "lithium_refinery", "country": "japan"}
    )
    assert "more than its treasury" in reason


def test_budget_counts_orders_already_queued(world: WorldModel) -> None:
    j = idx(world, "japan")
    world.treasury[j] = 150.0
    buy = {
        "kind": "stockpile",
        "issuer": "japan",
        "action": "buy",
        "mineral": "lithium",
        "tonnes": 10,
        "budget_usd_m": 100,
    }
    submit_ok(world, buy)
    assert "available" in refused(world, {**buy, "mineral": "rare_earths"})


def test_missing_consent_and_wrong_issuer_are_refused(world: WorldModel) -> None:
    submit_ok(world, ZONE)
    world.step()
    assert "not invited" in refused(
        world, {"kind": "join_zone", "issuer": "australia", "zone": "minerals_club"}
    )
    (p,) = world.diplomacy.pending(to="japan")
    assert "no such proposal" in refused(
        world, {"kind": "respond", "issuer": "australia", "proposal": p.id, "accept": True}
    )
    assert "only members may invite" in refused(
        world, {"kind": "invite_to_zone", "issuer": "china", "zone": "minerals_club", "nation": "australia"}
    )
    assert "already exists" in refused(world, {**ZONE, "issuer": "japan", "invite": []})


def test_duplicates_are_refused(world: WorldModel) -> None:
    submit_ok(world, BAN_JAPAN)
    assert "already queued" in refused(world, BAN_JAPAN)
    world.step()
    assert "already in force" in refused(world, BAN_JAPAN)


def test_refused_orders_leave_the_game_identical(content: Content) -> None:
    """A world that saw only refused orders plays on exactly like one that saw none."""
    plain, noisy = WorldModel(content, "tutorial", seed=5), WorldModel(content, "tutorial", seed=5)
    for _ in range(2):
        for order in (
            {"kind": "join_zone", "issuer": "japan", "zone": "x"},
            {**BAN_JAPAN, "issuer": "japan"},
        ):
            assert not noisy.submit(order).accepted
        plain.step()
        noisy.step()
        assert plain.world_hash() == noisy.world_hash()


def test_orders_are_applied_in_a_fixed_order_whatever_the_submission_order(content: Content) -> None:
    orders = [
        {"kind": "message", "issuer": "japan", "to": ["china"], "tone": "protest"},
        BAN_JAPAN,
        {
            "kind": "stockpile",
            "issuer": "japan",
            "action": "buy",
            "mineral": "lithium",
            "tonnes": 10,
            "budget_usd_m": 5,
        },
        ZONE,
    ]
    hashes = []
    for ordering in (orders, orders[::-1]):
        world = WorldModel(content, "tutorial", seed=2)
        for order in ordering:
            submit_ok(world, order)
        world.step()
        hashes.append(world.world_hash())
    assert hashes[0] == hashes[1]


def test_withdrawn_order_does_not_apply(world: WorldModel) -> None:
    submit_ok(world, BAN_JAPAN)
    assert world.desk.withdraw("china", 0) is not None
    world.step()
    assert not world.matching_controls("china", "rare_earths", Stage.REFINED, None) or all(
        a.spec.instrument.value != "ban" for a in world.policies.controls
    )
    assert np.isfinite(world.treasury).all()


def test_lifting_a_control_for_one_nation_keeps_it_on_the_others(world: WorldModel) -> None:
    submit_ok(world, {**BAN_JAPAN, "targets": ["japan", "united_states"]})
    world.step()
    assert refined_flow(world, "rare_earths", "china", "united_states") == 0.0
    lift = {"kind": "lift_export_control", "issuer": "china", "mineral": "rare_earths", "targets": ["japan"]}
    submit_ok(world, lift)
    world.step()
    (ban,) = [a for a in world.policies.controls if a.spec.instrument.value == "ban"]
    assert ban.spec.targets == ["united_states"]
    assert refined_flow(world, "rare_earths", "china", "japan") > 0
    assert refined_flow(world, "rare_earths", "china", "united_states") == 0.0
    assert "no such control" in refused(world, lift)


def test_a_control_on_everyone_is_not_lifted_for_one_nation(world: WorldModel) -> None:
    submit_ok(world, {**BAN_JAPAN, "targets": []})
    world.step()
    lift = {"kind": "lift_export_control", "issuer": "china", "mineral": "rare_earths", "targets": ["japan"]}
    assert "applies to everyone" in refused(world, lift)


def test_observations_cannot_change_the_world_or_each_other(world: WorldModel) -> None:
    """What every nation sees alike is shared between the turn's observations, read-only: a
    controller that writes into its view gets an error instead of changing the world or the
    view of another nation; its private arrays are its own copies."""
    japan, china = world.observe("japan"), world.observe("china")
    before = world.world_hash()
    with pytest.raises(ValueError, match="read-only"):
        japan.refined_price[0, 0] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        japan.refined_flow[:] = 0.0
    japan.stockpile[:] = -1.0
    japan.need[:] = -1.0
    assert (china.refined_price > 0).all() and (world.stockpile >= 0).all() and (world.need_now() >= 0).all()
    assert world.world_hash() == before
