/**
 * A port the hub cannot listen on, in words that say what to do: Node's "listen EADDRINUSE" names
 * neither the program in the way nor the option that moves the hub elsewhere.
 */
export function listenError(error: unknown, port: number, host: string, option: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE')
    return new Error(
      `port ${port} on ${host} is already in use (another hub, or another program): stop that program, or start the hub with ${option} and a free port`,
      { cause: error },
    );
  if (code === 'EACCES')
    return new Error(
      `the hub may not listen on port ${port} on ${host}: ports below 1024 need root; start the hub with ${option} 1024 or above`,
      { cause: error },
    );
  if (code === 'EADDRNOTAVAIL')
    return new Error(
      `${host} is not an address of this machine: start the hub with --host and one of its addresses (or 0.0.0.0 for all)`,
      { cause: error },
    );
  return error;
}
