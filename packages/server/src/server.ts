import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { type AppOptions, createApp } from './app.ts';

/** Default whole-request deadline: inside AssemblyAI's 10 s webhook wait, with the handler's own 8 s budget. */
export const DEFAULT_REQUEST_DEADLINE_MS = 10_000;
/** Default cap on open sockets: far above a Prometheus, a load balancer and AssemblyAI's deliveries. */
export const DEFAULT_MAX_CONNECTIONS = 256;

/** How often Node looks for sockets past headersTimeout / requestTimeout. */
const CHECK_INTERVAL_MS = 500;

/** What `startServer` needs: the app's dependencies and where to listen. */
export interface ServerOptions extends AppOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** Open sockets beyond this are closed at once (default 256). */
  maxConnections?: number | undefined;
}

/** A listening server. */
export interface RunningServer {
  /** Base URL to reach it from this machine, e.g. `http://127.0.0.1:8080` (a wildcard host gives loopback). */
  url: string;
  /** Where it really listens: `http://0.0.0.0:8080` followed by each interface address it is reachable on. */
  addresses: string[];
  port: number;
  /** Stops accepting, lets requests in progress finish (up to 5 s), then closes every connection. */
  close(): Promise<void>;
}

export { isLoopback } from './loopback.ts';

const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return urlHost(host);
}

/** The bound address, and for a wildcard every interface address that it covers. */
function boundAddresses(address: AddressInfo): string[] {
  const bound = `http://${urlHost(address.address)}:${address.port}`;
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  if (!wildcard) return [bound];
  const covered = Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && (address.address === '::' || i.family === 'IPv4'))
    .map((i) => `http://${urlHost(i?.address ?? '')}:${address.port}`);
  return [bound, ...covered];
}

/**
 * Node's own timeouts do not bound a request whose body trickles in (on Node 20
 * `requestTimeout` is only checked every `connectionsCheckingInterval` and a slow body kept a
 * socket open for minutes), so every request gets a timer: past the deadline it is answered
 * (408 if the client was still sending, 503 if we were slow) unless an answer had begun, and
 * its socket is destroyed either way.
 */
function withDeadline(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  deadlineMs: number,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const timer = setTimeout(() => {
      const socket = req.socket;
      if (res.headersSent || res.writableEnded) {
        socket.destroy();
        return;
      }
      res.writeHead(req.complete ? 503 : 408, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ error: 'request deadline exceeded' }), () => socket.destroy());
      // A client that does not read its answer must not hold the socket either.
      setTimeout(() => socket.destroy(), 1000).unref();
    }, deadlineMs);
    timer.unref();
    res.once('close', () => clearTimeout(timer));
    handler(req, res);
  };
}

/** Starts `mediatag serve`'s HTTP server: webhook receiver, /healthz, /metrics and the dashboard. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const deadlineMs = options.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS;
  // The batch pages' open-without-credentials rule depends on where this server really listens.
  const batchPages = options.batchPages && { ...options.batchPages, host: options.host };
  const { app, close: closeApp } = createApp({ ...options, batchPages, requestDeadlineMs: deadlineMs });
  // Headers are Node's to time: it checks headersTimeout every connectionsCheckingInterval
  // (30 s by default, which let trickled headers hold a socket that long), so it checks twice
  // a second and the headers of a request must be complete half a second before its deadline.
  // Idle keep-alive sockets go after 5 s, and the number of sockets is capped.
  const server = createServer(
    {
      connectionsCheckingInterval: CHECK_INTERVAL_MS,
      headersTimeout: Math.max(CHECK_INTERVAL_MS, deadlineMs - CHECK_INTERVAL_MS),
      requestTimeout: deadlineMs,
      keepAliveTimeout: 5000,
    },
    withDeadline(app, deadlineMs),
  );
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const url = `http://${displayHost(options.host)}:${address.port}`;
  const addresses = boundAddresses(address);
  options.log.info(
    { url, addresses, webhook: Boolean(options.webhook), dashboard: Boolean(options.dashboard) },
    'server listening',
  );
  return {
    url,
    addresses,
    port: address.port,
    async close() {
      closeApp();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 5000);
      await closed;
      clearTimeout(force);
    },
  };
}
