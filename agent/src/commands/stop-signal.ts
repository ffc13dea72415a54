// Ctrl-C during a long `process` run: the outputs are finished (the video playable, every visit
// closed) and the summary printed for what was read, rather than dropped mid-write.

/** The first SIGINT or SIGTERM stops the run at the next frame; a second one quits at once. */
export function stopOnSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    process.stderr.write(
      '\nStopping: finishing the outputs for what was read (press Ctrl-C again to quit at once)\n',
    );
    // The summary still prints; the exit status says the run was stopped.
    process.exitCode = signal === 'SIGINT' ? 130 : 143;
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return controller.signal;
}
