// A counting pass-through in front of the emulator: GETs per transcript id, in submission
// order, so the first wave (submitted before the poll schedule has learnt anything) can be
// told apart from the steady state. The emulator only reports the overall mean.
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class CountingProxy {
  /** Transcript ids in the order their submissions were answered. */
  readonly submitted: string[] = [];
  readonly gets = new Map<string, number>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<CountingProxy> {
    const upstream = new URL(target);
    let proxy: CountingProxy | undefined;
    const server = createServer((req, res) => {
      const path = req.url ?? '/';
      const id = req.method === 'GET' ? /^\/v2\/transcript\/([^/?]+)$/.exec(path)?.[1] : undefined;
      if (id && proxy) proxy.gets.set(id, (proxy.gets.get(id) ?? 0) + 1);
      const isSubmit = req.method === 'POST' && path === '/v2/transcript';
      const out = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path,
          headers: req.headers,
          agent: proxy?.agent,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          if (!isSubmit || up.statusCode !== 200) {
            up.pipe(res);
            return;
          }
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.on('end', () => {
            const body = Buffer.concat(chunks);
            try {
              const parsed = JSON.parse(body.toString()) as { id?: string };
              if (parsed.id) proxy?.submitted.push(parsed.id);
            } catch {
              // not JSON: pass it on untouched
            }
            res.end(body);
          });
        },
      );
      out.on('error', () => res.destroy());
      req.pipe(out);
    });
    server.keepAliveTimeout = 10_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    proxy = new CountingProxy(server, `http://127.0.0.1:${port}`);
    return proxy;
  }

  /** Mean GETs per submitted transcript, over submissions [from, to). */
  meanGets(from = 0, to = this.submitted.length): number {
    const ids = this.submitted.slice(from, to);
    if (ids.length === 0) return 0;
    return ids.reduce((sum, id) => sum + (this.gets.get(id) ?? 0), 0) / ids.length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
  }
}
