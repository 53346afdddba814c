import { connect, createServer, type Socket } from "node:net";

/**
 * A TCP load balancer in front of several relays, as HAProxy in `mode tcp`
 * would be: each new connection goes to the next backend in turn, and to the
 * one after it when that one refuses (a killed relay). It knows nothing of
 * boards, so most connections land on a relay that does not own the board
 * and must forward them (rule D7).
 */
export interface Balancer {
  url: string;
  close(): Promise<void>;
}

export async function startBalancer(backendPorts: () => number[]): Promise<Balancer> {
  let next = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.once("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    client.pause();
    const ports = backendPorts();
    const start = next++;
    const attempt = (i: number) => {
      if (i >= ports.length) return client.destroy();
      const upstream = connect(ports[(start + i) % ports.length]!, "127.0.0.1");
      let connected = false;
      upstream.once("error", () => {
        upstream.destroy();
        if (!connected) attempt(i + 1);
      });
      upstream.once("connect", () => {
        connected = true;
        sockets.add(upstream);
        upstream.once("close", () => {
          sockets.delete(upstream);
          client.destroy();
        });
        client.once("close", () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
