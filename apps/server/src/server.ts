import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AppOptions, createApp } from './app.ts';

/** What `startServer` needs: the app's dependencies and where to listen. */
export interface ServerOptions extends AppOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
}

/** A listening server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8080` (a wildcard host is shown as loopback). */
  url: string;
  port: number;
  /** Stops accepting, lets requests in progress finish (up to 5 s), then closes every connection. */
  close(): Promise<void>;
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts `mediatag serve`'s HTTP server: webhook receiver, /healthz, /metrics and the dashboard. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { app, close: closeApp } = createApp(options);
  const server = createServer(app);
  // AssemblyAI gives up on a webhook after 10 s; nothing here should take longer than that.
  server.requestTimeout = 15_000;
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://${displayHost(options.host)}:${port}`;
  options.log.info(
    { url, webhook: Boolean(options.webhook), dashboard: Boolean(options.dashboard) },
    'server listening',
  );
  return {
    url,
    port,
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
