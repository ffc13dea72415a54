/**
 * Keeps a page that failed (its code could not be fetched over a dropped connection, or it threw)
 * inside the frame with a plain message, instead of a blank screen. Going to another page clears it;
 * "Try again" reloads, since a page whose code failed to load stays failed until then.
 */
import { useLocation } from '@solidjs/router';
import { createEffect, ErrorBoundary, type JSX, on } from 'solid-js';
import { ErrorNote } from './Common.tsx';

export function PageBoundary(props: { children: JSX.Element }): JSX.Element {
  const location = useLocation();
  let clear: (() => void) | undefined;
  createEffect(
    on(
      () => location.pathname,
      () => clear?.(),
      { defer: true },
    ),
  );
  return (
    <ErrorBoundary
      fallback={(err: unknown, reset) => {
        clear = reset;
        console.error('page failed', err);
        return (
          <ErrorNote
            text="This page could not be shown. Check the internet connection, then try again."
            onRetry={() => window.location.reload()}
          />
        );
      }}
    >
      {props.children}
    </ErrorBoundary>
  );
}
