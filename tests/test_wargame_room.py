"""A wargame's room, headless: the PIN kept as a hash, events that leave the teams' policy
to them, the facilitator's inject schedule, rulings, rewinds with reasons and a shorter
game, all in the save and replayed bit-identically; the hot-wash report and the team pack."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from game.content import Content
from game.report.chains import causal_chains
from game.report.hotwash import (
    blocks,
    build_hotwash,
    measured_chains,
    pdf_pages,
    render_html,
    write_hotwash,
)
from game.report.teampack import team_pack, write_team_pack
from game.saves import Room, hash_pin, parse_save, pin_matches, read_save, write_save
from game.session import Game

pytest.importorskip("pygame")  # game.ui.wargame sits in the UI package (no window is opened)

from game.ui.wargame import Wargame

TEAMS = ["china", "united_states", "japan"]
PIN = "97531864"


def china_controls(game: Game) -> set[tuple[str, str, str]]:
    return {
        (a.spec.mineral, a.spec.stage.value, a.spec.instrument.value)
        for a in game.world.policies.controls
        if a.spec.issuer == "china"
    }


def test_pin_is_stored_only_as_a_salted_hash_and_survives_save_and_load(content: Content, tmp_path: Path):
    session = Wargame.new(content, "tutorial", ["japan", "australia"], seed=2, pin=PIN)
    assert session.pin and session.guarded
    assert session.check_pin(PIN) and not session.check_pin("1234") and not session.check_pin("")
    path = write_save(session.game.to_save(), tmp_path / "room.json")
    text = path.read_text()
    assert PIN not in text
    room = json.loads(text)["wargame"]
    assert len(room["pin"]["salt"]) == 32 and len(room["pin"]["digest"]) == 64
    again = Wargame.from_save(content, read_save(path))
    assert again.pin and again.check_pin(PIN) and not again.check_pin("97531865")
    # two hashes of one PIN differ (fresh salt) and both match it
    a, b = hash_pin(PIN), hash_pin(PIN)
    assert a.digest != b.digest and pin_matches(a, PIN) and pin_matches(b, PIN)
    # a hand-edited save with impossible scrypt parameters is a wrong PIN, not a crash
    broken = json.loads(text)
    broken["wargame"]["pin"]["n"] = 3
    assert not Wargame.from_save(content, parse_save(json.dumps(broken))).check_pin(PIN)


def test_scheduled_events_never_set_a_teams_controls(content: Content):
    """In 2026 Q4 the scenario's events re-impose China's October 2025 package and its US
    gallium ban: with China on its AI they do; with a China team they become news."""
    ai = Game(content, "ministerial-2026", seed=1)
    for _ in range(4):
        ai.play_turn()
    assert ("lithium", "refined", "licensing") in china_controls(ai)

    session = Wargame.new(content, "ministerial-2026", TEAMS, seed=1)
    game = session.game
    before = china_controls(game)
    for _ in range(4):
        game.play_turn()
    assert china_controls(game) == before
    left = [h for h in game.world.news if h.kind == "team"]
    assert {h.event for h in left} >= {"cn_oct_package_returns_2026", "cn_us_ban_returns_2026"}
    assert all("Team China decides" in h.news for h in left)
    # a prompt, when the facilitator chose prompts: the team reads it
    prompted = Wargame.new(content, "ministerial-2026", TEAMS, seed=1)
    assert prompted.set_team_events("prompt")[0]
    for _ in range(4):
        prompted.game.play_turn()
    assert not prompted.set_team_events("news")[0]  # chosen before the first quarter only
    assert any(
        n == "china" and "decides its own policy" in text
        for _, n, text in prompted.game.world.diplomacy.replies
    )
    # replays (the teams and the mode are in the save) give the same world
    assert Game.from_save(content, game.to_save()).world_hashes == game.world_hashes
    again = Game.from_save(content, prompted.game.to_save())
    assert again.world_hashes == prompted.game.world_hashes and again.world.team_events == "prompt"


def test_injects_can_be_disabled_moved_and_added_and_replay(content: Content, tmp_path: Path):
    session = Wargame.new(content, "ministerial-2026", TEAMS, seed=3)
    upcoming = session.upcoming()
    dates = [i.turn for i in upcoming]
    assert dates == sorted(dates) and upcoming[0].date.startswith("2026")
    ban = next(i for i in upcoming if i.event == "cn_us_ban_returns_2026")
    oct_package = next(i for i in upcoming if i.event == "cn_oct_package_returns_2026")
    assert session.disable_inject(ban)[0]
    ok, text = session.reschedule_inject(oct_package, 2)  # console turns are 1-based
    assert ok and "2026 Q2" in text
    assert not session.reschedule_inject(oct_package, 0)[0]  # a turn already played
    assert not session.add_inject("no_such_event", 3)[0]
    assert session.add_inject("us_ministerial_2026", 2)[0]
    second = [i.event for i in session.upcoming() if i.turn == 1]
    assert {"cn_oct_package_returns_2026", "us_ministerial_2026"} <= set(second)
    assert "cn_us_ban_returns_2026" not in [i.event for i in session.upcoming()]
    assert len(session.log) == 3
    game = session.game
    for _ in range(4):
        game.play_turn()
    fired = [(h.turn, h.event) for h in game.world.news if h.kind in ("scheduled", "team")]
    assert (1, "cn_oct_package_returns_2026") in fired and (1, "us_ministerial_2026") in fired
    assert all(e != "cn_us_ban_returns_2026" for _, e in fired)
    assert all(not (t == 3 and e == "cn_oct_package_returns_2026") for t, e in fired)
    saved = read_save(write_save(game.to_save(), tmp_path / "s.json"))
    assert [e.action for e in saved.wargame.schedule] == ["disable", "reschedule", "add"]
    assert Game.from_save(content, saved).world_hashes == game.world_hashes


def test_rulings_rewinds_and_a_shorter_game_are_kept_and_replayed(content: Content, tmp_path: Path):
    session = Wargame.new(content, "tutorial", ["japan", "australia"], seed=4, pin=PIN)
    game = session.game
    buy = {"kind": "stockpile", "action": "buy", "mineral": "rare_earths", "tonnes": 500, "budget_usd_m": 20}
    japan = session.play("japan")
    assert japan.submit(buy)[0] and japan.submit({**buy, "mineral": "lithium"})[0]
    session.set_rationale("japan", japan.queued()[0], "Hedge against a rare-earth ban")
    assert not session.veto("japan", 1, "  ")[0]  # a ruling needs its note
    assert session.veto("japan", 1, "Lithium stockpiles are not in this exercise")[0]
    ok, text = session.amend("japan", 0, {"tonnes": 250}, "Budget committee halves the buy")
    assert ok, text
    assert [o.tonnes for o in japan.queued()] == [250]
    assert not session.amend("japan", 0, {"tonnes": -5}, "nonsense")[0]
    assert [o.tonnes for o in japan.queued()] == [250]  # a refused amendment leaves the order
    assert "vetoed" in session.inbox["japan"][0]
    assert session.set_length(6)[0] and not session.set_length(999)[0]
    for _ in range(3):
        game.play_turn()
    assert not session.rewind(1, "")[0]
    ok, _ = session.rewind(1, "Replay the strike quarter with the new rules")
    assert ok
    game = session.game
    while not game.over:
        game.play_turn()
    assert game.turn == 6
    saved = read_save(write_save(game.to_save(), tmp_path / "r.json"))
    room = saved.wargame
    assert [r.action for r in room.rulings] == ["veto", "amend"] and room.rulings[1].amended.tonnes == 250
    assert room.rewinds[0].reason == "Replay the strike quarter with the new rules"
    assert saved.branches[0].note == room.rewinds[0].reason
    assert room.turns == 6 and room.rationales[0].note == "Hedge against a rare-earth ban"
    assert any("rewound" in line for line in room.log)
    again = Game.from_save(content, saved)
    assert again.world_hashes == game.world_hashes and again.over

    # the hot-wash: a page per team, rulings, the rewind and the notes in it; the PDF holds
    # every line the HTML holds
    report = build_hotwash(again)
    assert [p.name for p in report.teams] == ["Japan", "Australia"]
    page = report.teams[0]
    assert any("Hedge against a rare-earth ban" in said for *_, said in page.orders)
    assert any(outcome == "vetoed" for _, _, outcome, _ in page.orders)
    # orders in the names players read: "rare earths", not the id "rare_earths"
    assert any("rare earths" in what for _, what, _, _ in page.orders)
    assert not any("rare_earths" in what for _, what, _, _ in page.orders)
    kinds = {r.kind for r in report.timeline}
    assert {"ruling", "rewind", "decision"} <= kinds
    html = render_html(report)
    assert "Replay the strike quarter" in html and "Budget committee halves the buy" in html
    printed = " ".join(" ".join(lines) for _, lines in pdf_pages(report))
    printed = "".join(printed.split())  # wrapping moves spaces, never words
    for _, lines in blocks(report):
        for line in lines:
            assert "".join(line.split()) in printed
    assert all(len(lines) <= 52 for _, lines in pdf_pages(report))
    paths = write_hotwash(again, tmp_path / "report")
    assert [p.name for p in paths] == ["hotwash.html", "hotwash.pdf"]
    assert paths[1].read_bytes().startswith(b"%PDF")


def test_no_motive_is_invented_for_a_team(content: Content):
    """A causal chain ends at what the model measured when its target is a team; an AI
    nation's next move may still be shown as its answer. The chain is the core's own, read
    off a played game, and then the same chain is put to a team."""
    teams = ["japan", "united_states"]
    session = Wargame.new(content, "ministerial-2026", teams, seed=6)
    game = session.game
    game.play_turn()
    assert session.play("japan").submit(
        {"kind": "export_control", "mineral": "gallium", "stage": "refined", "instrument": "ban"}
    )[0]
    for _ in range(2):
        game.play_turn()
    world = game.world
    answered = [c for c in causal_chains(world, limit=100) if c.response_turn is not None]
    ai = next(c for c in answered if c.target not in teams)
    as_team = dataclasses.replace(ai, target="japan")
    assert "Japan answered" in as_team.text(world)  # what the core would read off
    kept, dropped = measured_chains(world, teams, [ai, as_team])
    assert kept == ai.text(world) and "answered" in kept  # an AI's answer is shown
    assert "answered" not in dropped and dropped.startswith(as_team.text(world).split(" → ")[0])


def test_team_pack_is_one_page(content: Content, tmp_path: Path):
    session = Wargame.new(content, "ministerial-2026", TEAMS, seed=1)
    pack = team_pack(session.game, "japan")
    assert pack.nation == "Japan" and [h for h, _ in pack.sections][:3] == [
        "Situation",
        "Objectives",
        "Your levers",
    ]
    path = write_team_pack(pack, tmp_path / "japan.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") <= 1
    assert Room(teams=TEAMS).teams == TEAMS


@pytest.mark.parametrize(
    ("where", "value", "field"),
    [
        ("teams", ["japan", "atlantis"], "wargame.teams[1]: 'atlantis' is not a nation of tutorial"),
        (
            "schedule",
            [{"turn": 0, "action": "add", "event": "no_such_event", "date": "2025-01-01"}],
            "wargame.schedule[0].event: no event 'no_such_event' in the library",
        ),
    ],
)
def test_a_hand_edited_room_is_named_not_replayed(content: Content, where, value, field):
    """Issue 19's strict load applies to the room too: a team that is no nation of the
    scenario, or an inject the library lacks, is refused with the field named."""
    from game.saves import SaveError

    session = Wargame.new(content, "tutorial", ["japan", "australia"], seed=2, pin=PIN)
    raw = json.loads(session.game.to_save().model_dump_json())
    raw["wargame"][where] = value
    with pytest.raises(SaveError, match=field.replace("[", r"\[").replace("]", r"\]")):
        Game.from_save(content, parse_save(json.dumps(raw)))
