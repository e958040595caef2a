"""Pure data: the pydantic schemas of content, policies and (later) orders. No numpy state."""

from game.rules.events import ConditionalEvent, Event, EventFile, RandomEvent, Trigger
from game.rules.firms import Firm, FirmFile
from game.rules.ids import Alignment, Doctrine, FirmKind, Region, Sector, Stage
from game.rules.minerals import Mineral
from game.rules.nations import Nation
from game.rules.objectives import DOCTRINE_OBJECTIVES, PARTS, Objectives, Part
from game.rules.policies import ExportControl, FloorPaidBy, Instrument, Tariff, Zone
from game.rules.projects import ProjectFile, ProjectTemplate
from game.rules.scenarios import Briefing, Scenario, ScheduledEvent

__all__ = [
    "DOCTRINE_OBJECTIVES",
    "PARTS",
    "Alignment",
    "Briefing",
    "ConditionalEvent",
    "Doctrine",
    "Event",
    "EventFile",
    "ExportControl",
    "Firm",
    "FirmFile",
    "FirmKind",
    "FloorPaidBy",
    "Instrument",
    "Mineral",
    "Nation",
    "Objectives",
    "Part",
    "ProjectFile",
    "ProjectTemplate",
    "RandomEvent",
    "Region",
    "Scenario",
    "ScheduledEvent",
    "Sector",
    "Stage",
    "Tariff",
    "Trigger",
    "Zone",
]
