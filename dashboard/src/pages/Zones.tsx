import type { JSX } from 'solid-js';

export default function Zones(): JSX.Element {
  return <div class="page">Zones</div>;
}
