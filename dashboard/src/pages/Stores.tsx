import type { JSX } from 'solid-js';

export default function Stores(): JSX.Element {
  return <div class="page">Stores</div>;
}
