// A TCP proxy in front of the server that a test can cut: a cut closes every open connection
// (the page's WebSocket ends as on a real network drop) and refuses new ones until restored.
// Muted, it still carries what the page sends but drops what the server answers (an op that
// arrives while its ack is lost).
import net from 'node:net';

export async function proxy(target) {
  const { hostname, port } = new URL(target);
  const sockets = new Set();
  let up = true;
  let muted = false;
  const server = net.createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.on('data', (d) => muted || client.write(d));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    cut() {
      up = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      up = true;
      muted = false;
    },
    mute() {
      muted = true;
    },
    close() {
      this.cut();
      server.close();
    },
  };
}
