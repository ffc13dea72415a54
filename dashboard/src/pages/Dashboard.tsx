import type { JSX } from 'solid-js';

export default function Dashboard(): JSX.Element {
  return <div class="page">Dashboard</div>;
}
