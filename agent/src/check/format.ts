// The camera check in plain words, for the terminal.
import type { CameraCheck, CheckRecommendation, CheckRun } from '@oskartrack/protocol';
import { name, perFrame } from './advice.ts';

const pct = (share: number) => `${Math.round(share * 100)} %`;

function runLine(r: CheckRun): string {
  // The detector the check is for (the box's, or the one asked for), and the other one beside it.
  const role = r.configured ? 'checked' : 'tried on a sample';
  const found = `people in ${pct(r.peopleShare)} of ${r.frames} frames (${r.seconds.toFixed(1)} s), ${perFrame(r.peoplePerFrame)} per frame`;
  return `  ${name(r.detector).padEnd(5)} (${role}): ${r.fps.toFixed(1)} frames/s on this box; ${found}`;
}

/** The settings to make on the hub: the detector, and every-Nth left automatic. */
export function settingsWords(rec: CheckRecommendation): string {
  return `${name(rec.detector)}, every-Nth automatic`;
}

export function formatCheck(c: CameraCheck): string {
  const h = c.personHeight;
  const lines = [
    `Camera check of ${c.source} (${c.width}x${c.height}, ${c.cameraFps} frames/s, ${c.seconds.toFixed(1)} s looked at)`,
    ...(c.cameraFpsFrom ? [`Frame rate: ${c.cameraFpsFrom}`] : []),
    `${c.verdict.toUpperCase()}: ${c.summary}`,
    h
      ? `People: typically ${Math.round(h.median)} px tall (10th-90th percentile ${Math.round(h.p10)}-${Math.round(h.p90)} px, from ${h.boxes} boxes)`
      : 'People: none measured',
    `Picture: brightness ${Math.round(c.brightness)} of 255; something moved in ${pct(c.motionShare)} of the moments`,
    'Detectors:',
    ...c.runs.map(runLine),
    `Recommended: ${settingsWords(c.recommended)} (${c.recommended.reason})`,
  ];
  if (c.warnings.length > 0) lines.push('Warnings:', ...c.warnings.map((w) => `  - ${w.message}`));
  return lines.join('\n');
}
