/** What is drawn over a camera picture: areas, counting lines, live boxes, a visit's path, a heatmap. */

import { createResource, For, type JSX, Show } from 'solid-js';
import { listLines, listZones } from '../api/endpoints.ts';
import type { CountingLine, Heatmap, Point, Zone } from '../api/types.ts';
import { centroid, type Frame, inArrow } from '../lib/editor.ts';
import { heatColor } from '../lib/heat.ts';
import type { LiveTrack } from '../lib/live.ts';
import { useApp } from '../stores/app.tsx';

export function useGeometry(cameraId: () => string | null | undefined) {
  const { api } = useApp();
  return createResource(cameraId, async (id) => {
    const [zones, lines] = await Promise.all([listZones(api, id), listLines(api, id)]);
    return { zones, lines };
  });
}

const pts = (points: readonly Point[]) => points.map((p) => `${p[0]},${p[1]}`).join(' ');

export function AreasLayer(props: { zones: readonly Zone[]; lines: readonly CountingLine[] }): JSX.Element {
  return (
    <g>
      <For each={props.zones}>
        {(z) => (
          <g data-testid={`area-${z.id}`}>
            <polygon class="area" points={pts(z.polygon)} />
            <text class="label" x={centroid(z.polygon)[0]} y={centroid(z.polygon)[1]} text-anchor="middle">
              {z.name}
            </text>
          </g>
        )}
      </For>
      <For each={props.lines}>
        {(l) => {
          const a = inArrow(l);
          return (
            <g data-testid={`line-${l.id}`}>
              <line class="count-line" x1={l.start[0]} y1={l.start[1]} x2={l.end[0]} y2={l.end[1]} />
              <line class="arrow" x1={a.from[0]} y1={a.from[1]} x2={a.to[0]} y2={a.to[1]} />
              <circle cx={a.to[0]} cy={a.to[1]} r="4" fill="#fbbf24" />
              <text class="label" x={l.start[0] + 6} y={l.start[1] - 6}>
                {l.name}
              </text>
            </g>
          );
        }}
      </For>
    </g>
  );
}

export function TracksLayer(props: {
  tracks: readonly LiveTrack[];
  scaleX: number;
  scaleY: number;
}): JSX.Element {
  return (
    <g data-testid="live-boxes">
      <For each={props.tracks}>
        {(t) => {
          const x = () => t.box[0] * props.scaleX;
          const y = () => t.box[1] * props.scaleY;
          return (
            <g class="live-box" data-track={t.id}>
              <rect
                class="track"
                x={x()}
                y={y()}
                width={t.box[2] * props.scaleX}
                height={t.box[3] * props.scaleY}
              />
              <rect class="track-tag" x={x()} y={y() - 18} width={String(t.id).length * 8 + 10} height="18" />
              <text class="track-id" x={x() + 5} y={y() - 4}>
                {t.id}
              </text>
            </g>
          );
        }}
      </For>
    </g>
  );
}

export function PathLayer(props: { path: readonly { point: Point }[] }): JSX.Element {
  const first = () => props.path[0]?.point;
  const last = () => props.path[props.path.length - 1]?.point;
  return (
    <g data-testid="visit-path">
      <polyline class="path" points={pts(props.path.map((p) => p.point))} />
      <Show when={first()}>{(p) => <circle cx={p()[0]} cy={p()[1]} r="6" fill="#16a34a" />}</Show>
      <Show when={last()}>{(p) => <circle cx={p()[0]} cy={p()[1]} r="6" fill="#dc2626" />}</Show>
    </g>
  );
}

export function HeatLayer(props: { heat: Heatmap; frame: Frame }): JSX.Element {
  const cw = () => props.frame.width / props.heat.cols;
  const ch = () => props.frame.height / props.heat.rows;
  const cells = () => {
    const out: { x: number; y: number; color: string }[] = [];
    props.heat.grid.forEach((row, r) => {
      row.forEach((v, c) => {
        const color = heatColor(v, props.heat.max);
        if (color) out.push({ x: c, y: r, color });
      });
    });
    return out;
  };
  return (
    <g class="heat" data-testid="heat-layer">
      <For each={cells()}>
        {(cell) => (
          <rect
            x={cell.x * cw()}
            y={cell.y * ch()}
            width={cw() + 0.5}
            height={ch() + 0.5}
            fill={cell.color}
          />
        )}
      </For>
    </g>
  );
}
