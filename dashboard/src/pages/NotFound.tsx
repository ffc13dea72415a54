import { A } from '@solidjs/router';
import type { JSX } from 'solid-js';

export default function NotFound(): JSX.Element {
  return (
    <div class="card">
      <h1>This page does not exist</h1>
      <p>
        <A href="/">Go to the overview</A>
      </p>
    </div>
  );
}
