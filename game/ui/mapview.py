"""The world map: country shapes, lens colours, trade-flow arrows and controls on routes.

Everything heavy is drawn once into a cached surface and redrawn only when the view (pan,
zoom, size) or the data (lens, mineral, turn) changes; an idle frame is one blit plus the
hover outline. Shapes were projected at build time (`tools/build_map.py`); here the stored
coordinates are only scaled and shifted, in one numpy operation per redraw. A hidden "pick"
surface, filled with each nation's index as its colour, answers "which nation is under the
mouse" with one pixel read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pygame

from game.ui import palette as pal
from game.ui.geo import X_MAX, WorldMap, robinson

Y_TOP, Y_BOTTOM = 1.33, -0.95
"""Projected latitude range shown (Antarctica is not in the asset)."""
ROW_ANCHOR = (45.0, 24.0)
"""Where 'rest of world' flows attach (lon, lat): the Gulf, between its many members."""


def _graticule() -> list[np.ndarray]:
    """Meridians and parallels every 30°, projected once."""
    lines = []
    for lon in range(-180, 181, 30):
        lat = np.linspace(-60, 85, 30)
        lines.append(np.column_stack(robinson(np.full_like(lat, lon), lat)))
    for lat_v in range(-60, 90, 30):
        lon = np.linspace(-180, 180, 40)
        lines.append(np.column_stack(robinson(lon, np.full_like(lon, float(lat_v)))))
    return lines


GRATICULE = _graticule()
BADGES: list[pygame.Rect] = []
"""Control badges drawn in the current render (map names avoid them)."""


@dataclass(frozen=True)
class Flow:
    origin: int
    dest: int
    tonnes: float


@dataclass(frozen=True)
class RouteControl:
    issuer: int
    target: int | None  # None: toward everyone
    label: str


class MapView:
    """Draws the map in `rect` and answers pan, zoom, hover and click."""

    def __init__(self, world_map: WorldMap, nations: Sequence[str], iso: Mapping[str, Sequence[str]]) -> None:
        self.map = world_map
        self.nations = tuple(nations)
        owner = {code: i for i, n in enumerate(self.nations) for code in iso.get(n, ())}
        rest = self.nations.index("rest_of_world") if "rest_of_world" in self.nations else -1
        self.country_nation = np.array([owner.get(code, rest) for code in world_map.codes], dtype=np.int64)
        self.anchor = self._anchors()
        starts, ends = world_map.offsets[:-1], world_map.offsets[1:]
        self._lo = np.array([world_map.xy[a:b].min(axis=0) for a, b in zip(starts, ends, strict=True)])
        self._hi = np.array([world_map.xy[a:b].max(axis=0) for a, b in zip(starts, ends, strict=True)])
        """Bounding box of every ring (world units), to skip rings outside the view."""
        self.rect = pygame.Rect(0, 0, 100, 100)
        self.center = np.array([0.0, (Y_TOP + Y_BOTTOM) / 2])
        self.zoom = 1.0
        self.target_zoom = 1.0
        self._zoom_focus: tuple[int, int] | None = None
        self.fills: list[pal.Colour] = [pal.LAND_NEUTRAL] * len(self.nations)
        self.outside = pal.LAND_OUTSIDE
        self.flows: list[Flow] = []
        self.controls: list[RouteControl] = []
        self.flow_colour: pal.Colour = pal.GOLD
        self.control_colour: pal.Colour = (255, 80, 80)
        self.labels: Mapping[int, str] = {}
        self.player: int | None = None
        self.selected: int | None = None
        self.hover: int | None = None
        self.font: pygame.font.Font | None = None
        self.small: pygame.font.Font | None = None
        self._cache: pygame.Surface | None = None
        self._pick: pygame.Surface | None = None
        self._shift = (0, 0)
        """Margin added by to_screen while the cache (bigger than the view) is drawn."""
        self._margin = (0, 0)
        self._cache_center = self.center.copy()
        self._rings_px: list[np.ndarray] = []
        self._visible = np.zeros(len(world_map.ring_country), dtype=bool)
        self._drag: tuple[int, int] | None = None
        self._dragged = False
        self.redraws = 0

    # ---------------------------------------------------------------- geometry

    def _anchors(self) -> np.ndarray:
        """(N, 2) projected point per nation: its largest country's middle; a bloc's
        members averaged by size; rest of world at ROW_ANCHOR."""
        out = np.zeros((len(self.nations), 2))
        sizes = np.diff(self.map.offsets)
        for i, nation in enumerate(self.nations):
            countries = np.flatnonzero(self.country_nation == i)
            if nation == "rest_of_world" or len(countries) == 0:
                x, y = robinson(np.array([ROW_ANCHOR[0]]), np.array([ROW_ANCHOR[1]]))
                out[i] = (x[0], y[0])
                continue
            weights = np.array([sizes[self.map.ring_country == c].sum() for c in countries], dtype=float)
            out[i] = (self.map.anchor[countries] * weights[:, None]).sum(axis=0) / weights.sum()
        return out

    @property
    def scale(self) -> float:
        base = min(self.rect.w / (2 * X_MAX * 1.02), self.rect.h / ((Y_TOP - Y_BOTTOM) * 1.02))
        return base * self.zoom

    def to_screen(self, xy: np.ndarray) -> np.ndarray:
        """Pixels in the map rect (or, while rendering, in the cache with its margins)."""
        s = self.scale
        out = np.empty_like(xy)
        out[..., 0] = self.rect.w / 2 + self._shift[0] + (xy[..., 0] - self.center[0]) * s
        out[..., 1] = self.rect.h / 2 + self._shift[1] - (xy[..., 1] - self.center[1]) * s
        return out

    def to_world(self, px: float, py: float) -> np.ndarray:
        s = self.scale
        return np.array(
            [(px - self.rect.w / 2) / s + self.center[0], -(py - self.rect.h / 2) / s + self.center[1]]
        )

    def _clamp(self) -> None:
        s = self.scale
        half_w, half_h = self.rect.w / 2 / s, self.rect.h / 2 / s
        for axis, lo, hi, half in ((0, -X_MAX, X_MAX, half_w), (1, Y_BOTTOM, Y_TOP, half_h)):
            if hi - lo <= 2 * half:
                self.center[axis] = (hi + lo) / 2
            else:
                self.center[axis] = float(np.clip(self.center[axis], lo + half, hi - half))

    # ---------------------------------------------------------------- state

    def set_rect(self, rect: pygame.Rect) -> None:
        if rect != self.rect:
            self.rect = pygame.Rect(rect)
            self._clamp()
            self.invalidate()

    def invalidate(self) -> None:
        self._cache = None

    def set_data(
        self,
        fills: Sequence[pal.Colour],
        flows: Sequence[Flow],
        controls: Sequence[RouteControl],
        labels: Mapping[int, str],
    ) -> None:
        self.fills, self.flows, self.controls, self.labels = list(fills), list(flows), list(controls), labels
        self.invalidate()

    def zoom_by(self, factor: float, focus: tuple[int, int] | None = None) -> None:
        self.target_zoom = float(np.clip(self.target_zoom * factor, 1.0, 10.0))
        self._zoom_focus = focus

    def pan_by(self, dx: float, dy: float) -> None:
        s = self.scale
        self.center += np.array([-dx / s, dy / s])
        self._clamp()
        self._pick = None  # the cache has margins to pan into; the pick buffer is per view

    def reset_view(self) -> None:
        self.target_zoom = 1.0
        self._zoom_focus = None

    def update(self, dt: float) -> None:
        """Ease the zoom toward its target, keeping the point under the cursor still."""
        if abs(self.zoom - self.target_zoom) < 1e-3:
            if self.zoom != self.target_zoom:
                self.zoom = self.target_zoom
                self._clamp()
                self.invalidate()
            return
        focus = self._zoom_focus or (self.rect.w // 2, self.rect.h // 2)
        before = self.to_world(*focus)
        k = 1 - math.exp(-dt * 14)
        self.zoom = math.exp(math.log(self.zoom) + (math.log(self.target_zoom) - math.log(self.zoom)) * k)
        after = self.to_world(*focus)
        self.center += before - after
        self._clamp()
        self.invalidate()

    # ---------------------------------------------------------------- input

    def nation_at(self, pos: tuple[int, int]) -> int | None:
        if not self.rect.collidepoint(pos) or (self._drag is not None and self._dragged):
            return None
        if self._pick is None:
            self._render_pick()
        r, g, _, _ = self._pick.get_at((pos[0] - self.rect.x, pos[1] - self.rect.y))
        idx = r + 256 * g - 1
        return idx if 0 <= idx < len(self.nations) else None

    def handle(self, event: pygame.event.Event) -> int | bool | None:
        """Pan (drag, arrows), zoom (wheel, +/-), hover and click. Returns the clicked
        nation index, None when the sea is clicked, False when nothing was selected."""
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.rect.collidepoint(event.pos):
            self._drag, self._dragged = event.pos, False
        elif event.type == pygame.MOUSEMOTION:
            if self._drag is not None and event.buttons[0]:
                dx, dy = event.pos[0] - self._drag[0], event.pos[1] - self._drag[1]
                if self._dragged or abs(dx) + abs(dy) > 4:
                    self._dragged = True
                    self.pan_by(dx, dy)
                    self._drag = event.pos
            self.hover = self.nation_at(event.pos)
        elif event.type == pygame.MOUSEBUTTONUP and event.button == 1 and self._drag is not None:
            clicked = not self._dragged
            self._drag = None
            if clicked and self.rect.collidepoint(event.pos):
                self.selected = self.nation_at(event.pos)
                self.invalidate()
                return self.selected
        elif event.type == pygame.MOUSEWHEEL:
            pos = pygame.mouse.get_pos()
            if self.rect.collidepoint(pos):
                self.zoom_by(1.25**event.y, (pos[0] - self.rect.x, pos[1] - self.rect.y))
        elif event.type == pygame.KEYDOWN:
            step = 80
            moves = {
                pygame.K_LEFT: (step, 0),
                pygame.K_RIGHT: (-step, 0),
                pygame.K_UP: (0, step),
                pygame.K_DOWN: (0, -step),
            }
            if event.key in moves:
                self.pan_by(*moves[event.key])
            elif event.key in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS):
                self.zoom_by(1.4)
            elif event.key in (pygame.K_MINUS, pygame.K_KP_MINUS):
                self.zoom_by(1 / 1.4)
            elif event.key == pygame.K_0:
                self.reset_view()
        return False

    # ---------------------------------------------------------------- drawing

    def _render_pick(self) -> None:
        """The hidden surface that says which nation is under each pixel of the view:
        drawn lazily (hover needs it, panning does not)."""
        pick = pygame.Surface(self.rect.size)
        pick.fill((0, 0, 0))
        pts = self.to_screen(self.map.xy)
        offsets = self.map.offsets
        for r, country in enumerate(self.map.ring_country):
            nation = int(self.country_nation[country])
            if nation >= 0:
                ring = pts[offsets[r] : offsets[r + 1]]
                pygame.draw.polygon(pick, ((nation + 1) % 256, (nation + 1) // 256, 0), ring)
        self._pick = pick

    def _render(self) -> None:
        """Redraw the cached map for the current view and data, with margins around the
        view so that panning is a shifted blit until it runs off the margin."""
        self.redraws += 1
        settled = abs(self.zoom - self.target_zoom) < 1e-9
        mx, my = (self.rect.w // 3, self.rect.h // 3) if settled else (0, 0)
        self._margin, self._shift, self._cache_center = (mx, my), (mx, my), self.center.copy()
        w, h = self.rect.w + 2 * mx, self.rect.h + 2 * my
        surface = pygame.Surface((w, h))
        self._draw_sea(surface)
        pts = self.to_screen(self.map.xy)
        offsets = self.map.offsets
        self._rings_px = [pts[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)]
        lo, hi = self.to_screen(self._lo), self.to_screen(self._hi)  # y flips: hi is the top
        visible = (hi[:, 0] >= 0) & (lo[:, 0] <= w) & (hi[:, 1] <= h) & (lo[:, 1] >= 0)
        self._visible = visible
        for r in np.flatnonzero(visible):
            ring = self._rings_px[r]
            nation = int(self.country_nation[self.map.ring_country[r]])
            colour = self.fills[nation] if nation >= 0 else self.outside
            pygame.draw.polygon(surface, colour, ring)
        for r in np.flatnonzero(visible):
            pygame.draw.lines(surface, pal.BORDER, True, self._rings_px[r], 1)
        self._outline(surface, self.player, pal.PLAYER, 2)
        self._outline(surface, self.selected, (255, 255, 255), 2)
        overlay = pygame.Surface((w, h), pygame.SRCALPHA)
        BADGES.clear()
        self._draw_flows(overlay)
        self._draw_controls(overlay)
        surface.blit(overlay, (0, 0))
        self._draw_labels(surface)
        self._shift = (0, 0)
        self._cache, self._pick = surface, None

    def _draw_sea(self, surface: pygame.Surface) -> None:
        surface.fill(pal.OCEAN)
        for line in GRATICULE:
            pygame.draw.lines(surface, pal.OCEAN_GRID, False, self.to_screen(line), 1)

    def _outline(self, surface: pygame.Surface, nation: int | None, colour: pal.Colour, width: int) -> None:
        if nation is None:
            return
        for r in np.flatnonzero(self._visible & (self.country_nation[self.map.ring_country] == nation)):
            pygame.draw.lines(surface, colour, True, self._rings_px[r], width)

    def _curve(self, a: np.ndarray, b: np.ndarray, bend: float = 0.22, n: int = 24) -> np.ndarray:
        """A quadratic Bézier from a to b bowed to the left of the route."""
        mid = (a + b) / 2
        d = b - a
        normal = np.array([-d[1], d[0]])
        ctrl = mid + normal * bend
        t = np.linspace(0, 1, n)[:, None]
        return (1 - t) ** 2 * a + 2 * (1 - t) * t * ctrl + t**2 * b

    def _draw_flows(self, surface: pygame.Surface) -> None:
        if not self.flows:
            return
        anchors = self.to_screen(self.anchor)
        biggest = max(f.tonnes for f in self.flows) or 1.0
        r, g, b = self.flow_colour
        for flow in sorted(self.flows, key=lambda f: f.tonnes):
            share = math.sqrt(max(flow.tonnes, 0.0) / biggest)
            width = max(1, round(1 + 9 * share * min(self.zoom, 2) ** 0.5))
            pts = self._curve(anchors[flow.origin], anchors[flow.dest])
            alpha = int(110 + 130 * share)
            pygame.draw.lines(surface, (r, g, b, alpha), False, pts[:-3], width)
            tip, back = pts[-1], pts[-4]
            d = tip - back
            norm = np.hypot(*d) or 1.0
            d /= norm
            size = 6 + width * 1.6
            left = tip - d * size + np.array([-d[1], d[0]]) * size * 0.55
            right = tip - d * size - np.array([-d[1], d[0]]) * size * 0.55
            pygame.draw.polygon(surface, (r, g, b, min(255, alpha + 20)), [tip, left, right])

    def _draw_controls(self, surface: pygame.Surface) -> None:
        if not self.controls or self.font is None:
            return
        anchors = self.to_screen(self.anchor)
        colour = self.control_colour
        seen: dict[tuple[int, int | None], list[str]] = {}
        for c in self.controls:
            seen.setdefault((c.issuer, c.target), []).append(c.label)
        small = self.small or self.font
        for (issuer, target), labels in seen.items():
            text = "/".join(sorted(set(labels)))
            if target is None:  # toward everyone: a ring around the issuer
                centre = anchors[issuer]
                pygame.draw.circle(surface, (*colour, 230), centre, 22, 3)
                self._badge(surface, small, text + " · all", centre + np.array([0, -34]), colour)
                continue
            pts = self._curve(anchors[issuer], anchors[target], bend=-0.12, n=30)
            for i in range(0, len(pts) - 1, 2):  # dashed
                pygame.draw.line(surface, (*colour, 235), pts[i], pts[i + 1], 3)
            mid = pts[len(pts) // 2]
            pygame.draw.circle(surface, (*colour, 255), mid, 9)
            for dx, dy in ((4, 4), (4, -4)):  # a white cross: the route is restricted
                pygame.draw.line(surface, (255, 255, 255), mid - (dx, dy), mid + np.array([dx, dy]), 2)
            self._badge(surface, small, text, mid + np.array([0, 18]), colour)

    @staticmethod
    def _badge(
        surface: pygame.Surface, font: pygame.font.Font, text: str, at: np.ndarray, colour: pal.Colour
    ) -> None:
        img = font.render(text, True, (255, 255, 255))
        box = img.get_rect(center=(int(at[0]), int(at[1]))).inflate(10, 4)
        BADGES.append(box)
        pygame.draw.rect(surface, (20, 10, 10, 220), box, border_radius=4)
        pygame.draw.rect(surface, (*colour, 255), box, 1, border_radius=4)
        surface.blit(img, img.get_rect(center=box.center))

    def _draw_labels(self, surface: pygame.Surface) -> None:
        if self.font is None:
            return
        anchors = self.to_screen(self.anchor)
        placed: list[pygame.Rect] = list(BADGES)  # names give way to control badges
        order = sorted(self.labels, key=lambda i: (i != self.player, i != self.selected))
        for i in order:
            text = self.labels[i]
            x, y = anchors[i]
            img = self.font.render(text, True, pal.TEXT)
            rect = img.get_rect(center=(int(x), int(y) + 14))
            if not surface.get_rect().contains(rect) or rect.collidelist(placed) >= 0:
                continue
            shadow = self.font.render(text, True, (0, 0, 0))
            surface.blit(shadow, rect.move(1, 1))
            surface.blit(img, rect)
            placed.append(rect)

    def _source(self) -> pygame.Rect:
        """The part of the cache that shows the current view."""
        s = self.scale
        dx = (self.center[0] - self._cache_center[0]) * s
        dy = -(self.center[1] - self._cache_center[1]) * s
        return pygame.Rect(round(self._margin[0] + dx), round(self._margin[1] + dy), self.rect.w, self.rect.h)

    def draw(self, target: pygame.Surface) -> None:
        expected = (self.rect.w + 2 * self._margin[0], self.rect.h + 2 * self._margin[1])
        if self._cache is None or self._cache.get_size() != expected:
            self._render()
        source = self._source()
        if not self._cache.get_rect().contains(source):  # panned past the margin
            self._render()
            source = self._source()
        target.blit(self._cache, self.rect, source)
        if self.hover is not None and self.hover != self.selected:
            clip = target.get_clip()
            target.set_clip(self.rect)
            shift = np.array(self.rect.topleft) - source.topleft
            mine = self._visible & (self.country_nation[self.map.ring_country] == self.hover)
            for r in np.flatnonzero(mine):
                pygame.draw.lines(target, pal.GOLD, True, self._rings_px[r] + shift, 2)
            target.set_clip(clip)
