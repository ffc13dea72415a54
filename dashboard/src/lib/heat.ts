/** Heatmap colours: transparent for nothing, blue → yellow → red as more people walked there. */
export function heatColor(value: number, max: number): string | null {
  if (!(value > 0) || !(max > 0)) return null;
  const t = Math.min(1, Math.sqrt(value / max));
  // Hue 220 (blue) down to 0 (red); more opaque where busier.
  const hue = Math.round(220 * (1 - t));
  const alpha = (0.25 + 0.5 * t).toFixed(2);
  return `hsla(${hue}, 90%, 50%, ${alpha})`;
}
