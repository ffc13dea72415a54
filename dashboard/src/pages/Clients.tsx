import type { JSX } from 'solid-js';

export default function Clients(): JSX.Element {
  return <div class="page">Clients</div>;
}
