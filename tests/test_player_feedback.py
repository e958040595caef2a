"""What the player reads after a turn: what each order did or why it was refused, where the
money went, causes in points that add up to the move, names and never ids."""

from __future__ import annotations

import re

import pytest

from game.rules import orders as o
from game.ui.forms.spec import bounds
from game.ui.play import Play, signed_points

SCENARIO = "ministerial-2026"


@pytest.fixture(scope="module")
def played(content) -> tuple[Play, list]:
    """Japan, three quarters: an absurd stockpile order, an offtake Australia cannot honour,
    a subsidy; the AI nations play the rest of the world."""
    play = Play.new(content, SCENARIO, "japan", seed=3)
    assert play.submit(
        {"kind": "stockpile", "action": "buy", "mineral": "gallium", "tonnes": 1e9, "budget_usd_m": 5000}
    )[0]
    play.submit(
        {
            "kind": "propose_deal",
            "deal": "offtake",
            "buyer": "japan",
            "seller": "australia",
            "mineral": "rare_earths",
            "stage": "refined",
            "tonnes_per_turn": 100,
            "duration_turns": 8,
        }
    )
    assert play.submit(
        {
            "kind": "subsidise",
            "programme": "recycling",
            "mineral": "gallium",
            "usd_m_per_turn": 50,
            "turns": 8,
        }
    )[0]
    reports = [play.end_turn() for _ in range(3)]
    return play, reports


def test_your_orders_say_what_each_order_did_or_why_it_was_refused(played) -> None:
    _, reports = played
    first = reports[0]
    by_order = {x.order: x for x in first.orders}
    stock = next(x for k, x in by_order.items() if k.startswith("Stockpile"))
    assert stock.good and "set aside $5,000m" in stock.result and "you paid" in stock.result
    offtake = next(x for k, x in by_order.items() if k.startswith("Offtake"))
    assert offtake.good is False and offtake.result.startswith("Refused")
    assert "Australia" in offtake.result and "australia" not in offtake.result
    subsidy = next(x for k, x in by_order.items() if k.startswith("Subsidise"))
    assert "$50m a quarter" in subsidy.result
    assert reports[1].orders == []  # no order in the second quarter: nothing invented


def test_every_dollar_of_the_treasury_move_has_a_named_line(played) -> None:
    _, reports = played
    for report in reports:
        sp = report.spending
        assert sp is not None and sp.lines
        assert sum(v for _, v in sp.lines) == pytest.approx(sp.after - sp.before, abs=1e-6)
        assert all(name and not re.search(r"[a-z]+_[a-z]+", name) for name, _ in sp.lines)
    first = reports[0].spending
    assert ("Stockpile 1,000,000,000 t gallium (budget $5,000m)", -5000.0) in first.lines


def test_causes_are_signed_points_that_add_up_to_the_move(played) -> None:
    _, reports = played
    seen = 0
    for report in reports:
        for change in report.changes:
            if "pts" not in change.why:
                continue
            seen += 1
            assert "(you paid $" in change.headline
            total = int(re.match(r"([+-]\d+) %:", change.why).group(1))
            parts = [int(x) for x in re.findall(r"([+-]\d+) pts", change.why)]
            # each part is rounded on its own: the sum may miss by half a point per part
            assert abs(sum(parts) - total) <= len(parts) * 0.5 + 0.5, change.why
    assert seen > 0


def test_signed_points_keep_the_sign_of_each_cause() -> None:
    class Row:
        def __init__(self, cause: str, share: float) -> None:
            self.cause, self.share = cause, share

    text = signed_points([Row("export_controls", 1.5), Row("market_dynamics", -0.5)], 0.2)
    assert text == "+20 %: export controls +30 pts, market adjustment -10 pts"


IDS = re.compile(r"\b[a-z]+_[a-z_]+\b|String should match|proposal #\d")


def test_no_internal_id_or_validator_text_reaches_the_player(played) -> None:
    _, reports = played
    lines: list[str] = []
    for r in reports:
        lines += [f"{x.order}: {x.result}" for x in r.orders]
        lines += r.messages + r.replies
        lines += [f"{h}: {t}" for h, t in r.news]
        lines += [f"{c.headline}: {c.why}" for c in r.changes]
        lines += [name for name, _ in r.spending.lines]
    leaks = [line for line in lines if IDS.search(line)]
    assert not leaks, leaks[:5]


def test_names_turn_ids_and_proposal_numbers_into_words(played) -> None:
    play, _ = played
    names = play.names
    assert names("south_korea and dr_congo cut rare_earths") == "South Korea and DR Congo cut rare earths"
    bad = "zone: String should match pattern '^[a-z][a-z0-9_]*$'"
    assert "pattern" not in names(bad)


def test_form_ranges_are_the_order_schema_ranges() -> None:
    assert bounds(o.ProposeDeal, "discount_pct") == (-50, 50)
    assert bounds(o.SetTariff, "rate_pct") == (0, 500)
    assert bounds(o.Stockpile, "tonnes") == (0, 1e9)


def test_autosaves_of_one_game_never_delete_another_games(content, tmp_path) -> None:
    from game.ui.savelist import describe_save, enable_autosave, list_saves

    a = Play.new(content, "tutorial", content.scenarios["tutorial"].default_player, seed=1)
    b = Play.new(content, "tutorial", content.scenarios["tutorial"].default_player, seed=2)
    enable_autosave(tmp_path, a.game)
    enable_autosave(tmp_path, b.game)
    for _ in range(7):
        a.end_turn()
    b.end_turn()
    saves = list_saves(tmp_path)
    folders = {p.parent for p in saves}
    assert len(folders) == 2
    assert sum(p.parent == b.game.autosave[0] for p in saves) == 1  # b's one autosave survives a's seven
    assert sum(p.parent == a.game.autosave[0] for p in saves) == 5
    line = describe_save(b.game.autosave[0] / "autosave-0001.json", content)
    assert line.startswith(content.scenarios["tutorial"].name)
    assert "(turn 2 of 12)" in line and "autosave" in line


def test_every_briefing_suggestion_is_accepted_at_turn_0(content) -> None:
    """Advice never sends a new player into a refusal: each order a briefing suggests passes
    the order desk at turn 0, and every scenario's default nation gets at least one."""
    from game.session import Game

    checked = 0
    for sid, scenario in content.scenarios.items():
        assert scenario.briefings[scenario.default_player].suggested, f"{sid}: no suggestion for the default"
        for nation, brief in scenario.briefings.items():
            if not brief.suggested:
                continue
            game = Game(content, sid, 0, controllers={nation: None})
            for suggestion in brief.suggested:
                order = game.world.desk.parse({"issuer": nation, **suggestion.order})
                assert not isinstance(order, str), f"{sid}/{nation}: {suggestion.label}: {order}"
                verdict = game.world.check(order)
                assert verdict.accepted, f"{sid}/{nation}: {suggestion.label}: {verdict.reason}"
                checked += 1
    assert checked >= 5


def test_the_tutorial_speaks_of_china_s_licensing_only_once_it_is_in_force(content) -> None:
    from game.ui.tutorial import Guidance, facts

    play = Play.new(content, "tutorial", "japan", seed=0)
    guide = Guidance.for_scenario("tutorial")
    guide.facts = lambda: facts(play)
    licensing = next(i for i, s in enumerate(guide.steps) if "licenses" in s.prompt)
    guide.index = licensing  # as if the earlier steps were done
    seen_at = None
    for _ in range(8):
        in_force = any(c.issuer == "china" and c.mineral == "rare_earths" for c in play.obs.controls)
        shown = guide.current(play.turn) is not None
        assert shown == in_force, (play.turn, shown, in_force)
        if shown and seen_at is None:
            seen_at = play.turn
        play.end_turn()
    assert seen_at is not None  # the scenario's control did come, and the prompt with it


def test_the_tutorial_waits_for_charts_with_lines_and_reads_the_legend_right(content) -> None:
    from game.ui import palette as pal
    from game.ui.tutorial import Guidance

    guide = Guidance.for_scenario("tutorial")
    charts = next(s for s in guide.steps if "charts" in s.do)
    assert "played:2" in charts.when
    first = guide.steps[0].done
    p = pal.palette(False)

    def luminance(c) -> float:
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    # the map's legend: small shares dark, the largest bright; the text must say the same
    assert luminance(p.seq(1.0)) > luminance(p.seq(0.2))
    assert "brighter, the bigger" in first and "darker" not in first


def test_a_preview_resolves_next_quarter_with_and_without_the_order(content) -> None:
    """The 'without' fork is the quarter the game then plays without the order (same seed,
    same AI decisions), and the order's effect shows in the 'with' fork."""
    from game.preview import preview

    play = Play.new(content, "tutorial", "japan", seed=5)
    play.end_turn()
    order = play.parse(
        {"kind": "stockpile", "action": "buy", "mineral": "lithium", "tonnes": 1200, "budget_usd_m": 400}
    )
    pv = preview(play.game, "japan", order)
    assert pv.accepted
    lithium = next(ln for ln in pv.lines if ln.mineral == "lithium")
    assert lithium.stock[1] > lithium.stock[0]  # the buy filled the stockpile on its fork
    assert pv.treasury[1] < pv.treasury[0]  # and was paid for
    play.end_turn()  # the real quarter, without the order
    i = play.world.nation_ids.index("japan")
    m = play.world.mineral_index("lithium")
    assert float(play.world.stockpile[i, m]) == pytest.approx(lithium.stock[0])
    assert float(play.world.treasury[i]) == pytest.approx(pv.treasury[0])


def test_no_id_in_the_panels_a_player_reads_over_a_scripted_game(content) -> None:
    """Side panel for every nation, news, ledger, inbox and queued orders, over a game with
    zones, deals and controls (AI nations plus a script for the player)."""
    pytest.importorskip("pygame")
    from game.ledger import mineral_ledger
    from game.ui.panels.side import guidance_html, nation_html, news_html  # noqa: F401

    play = Play.new(content, SCENARIO, "japan", seed=11)
    script = {
        0: [
            {"kind": "propose_zone", "zone": "club", "name": "Minerals Club", "invite": ["australia"]},
            {"kind": "stockpile", "action": "buy", "mineral": "rare_earths", "tonnes": 30, "budget_usd_m": 9},
        ],
        1: [{"kind": "invite_to_zone", "zone": "club", "nation": "india"}],
        2: [{"kind": "share_stockpile", "zone": "club", "share_pct": 20}],
    }
    lines: list[str] = []
    for turn in range(6):
        for raw in script.get(turn, []):
            play.submit(raw)
        lines += [play.describe(o) for o in play.queued()]
        lines += [play.names.proposal(p) for p in play.obs.inbox]
        report = play.end_turn()
        lines += [f"{x.order}: {x.result}" for x in report.orders] + report.messages + report.replies
        lines.append(news_html(play))
        for i in range(len(play.obs.nations)):
            lines.append(nation_html(play, i, "rare_earths", 1.0))
        for mineral in play.obs.minerals:
            led = mineral_ledger(play.world, play.obs, play.nation, mineral, play.names)
            lines += led.deals + led.programmes + led.projects + [who for who, _, _ in led.bought]
            lines += [sector for sector, _, _ in led.need_by_sector]
    leaks = sorted({m for line in lines for m in IDS.findall(re.sub(r"<[^>]+>", " ", line))})
    assert not leaks, leaks[:10]


def test_a_ban_s_outcome_gives_the_tonnes_it_stopped(content) -> None:
    play = Play.new(content, SCENARIO, "japan", seed=3)
    play.end_turn()
    ban = {"kind": "export_control", "mineral": "copper", "stage": "refined", "instrument": "ban"}
    assert play.submit(ban)[0]
    report = play.end_turn()
    outcome = next(x for x in report.orders if x.order.startswith("Ban"))
    tonnes = re.findall(r"([\d,]+) t (?:last|this) quarter", outcome.result)
    was, now = (float(t.replace(",", "")) for t in tonnes)
    assert was > 0 and now == 0  # a ban on everyone closes every route out


def test_the_release_form_refuses_exactly_what_the_desk_refuses(content) -> None:
    """The stockpile form's release check is the desk's own rule on the desk's own fact
    (`stockpiles.releasable`): all of the stockpile passes both, a tonne more fails both."""
    from game.ui.forms.scale import check_scale
    from game.ui.forms.spec import BadInput

    play = Play.new(content, "tutorial", "japan", seed=0)
    mineral = "rare_earths"
    held = float(play.obs.stockpile[play.obs.m(mineral)])
    assert held > 0
    for tonnes, ok in ((held, True), (held + 1.0, False)):
        order = {"kind": "stockpile", "action": "release", "mineral": mineral, "tonnes": tonnes}
        accepted = play.check(order)[0]
        try:
            check_scale(play, "release", {"mineral": mineral, "tonnes": tonnes})
            form = True
        except BadInput as err:
            form = False
            assert "you hold only" in str(err) and "rare earths" in str(err)
        assert accepted == form == ok
