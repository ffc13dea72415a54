import type { JSX } from 'solid-js';

export default function Live(): JSX.Element {
  return <div class="page">Live</div>;
}
