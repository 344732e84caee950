package io.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A central server and 3 to 5 clients editing at once over FIFO links with random delays, as
 * PROTOCOL.md describes: the server transforms an op against every history op after its base,
 * one at a time, history winning ties ({@code h.transform(op, true)}); each client keeps one op
 * in flight, composes new edits into a pending op, and transforms what is in flight and pending
 * against each server op ({@code p' = s.transform(p, true)}, {@code s' = p.transform(s, false)}).
 * At quiescence every client holds the server's document.
 */
class JupiterSimulationProperties {

  record ToServer(int client, long baseVersion, Delta op) {}

  sealed interface ToClient permits Broadcast, Ack {}
  record Broadcast(long version, Delta op) implements ToClient {}
  record Ack(long version) implements ToClient {}

  static final class Server {
    Rope doc = Rope.EMPTY;
    final List<Delta> history = new ArrayList<>(); // history.get(v - 1) made version v

    long receive(ToServer m) throws InvalidOpException {
      Delta op = m.op();
      for (long v = m.baseVersion(); v < history.size(); v++) op = history.get((int) v).transform(op, true);
      OpValidator.DEFAULT.check(op, doc); // transformed ops stay valid: never past the end, never in a pair
      doc = doc.apply(op);
      history.add(op);
      return history.size();
    }
  }

  static final class Client {
    Delta doc = Delta.EMPTY;
    long version;           // server versions this client has seen, its own acks included
    Delta inFlight;         // sent, not yet acked
    Delta pending = Delta.EMPTY; // made since, not yet sent

    void edit(Delta op) {
      doc = doc.compose(op);
      pending = pending.compose(op);
    }

    /** The op to send now, if one may go: one in flight at a time. */
    Delta takeSendable() {
      if (inFlight != null || pending.isEmpty()) return null;
      inFlight = pending;
      pending = Delta.EMPTY;
      return inFlight;
    }

    void receive(ToClient m) {
      if (m instanceof Ack) {
        inFlight = null;
        version++;
        return;
      }
      Delta s = ((Broadcast) m).op();
      if (inFlight != null) {
        Delta s1 = inFlight.transform(s, false);
        inFlight = s.transform(inFlight, true);
        s = s1;
      }
      Delta s2 = pending.transform(s, false);
      pending = s.transform(pending, true);
      doc = doc.compose(s2);
      version++;
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void clientsConvergeOnTheServersDocument(long seed) throws InvalidOpException {
    var g = new Gen(seed);
    int n = 3 + g.nextInt(3);
    var server = new Server();
    var clients = new ArrayList<Client>();
    var up = new ArrayList<ArrayDeque<ToServer>>();
    var down = new ArrayList<ArrayDeque<ToClient>>();
    for (int i = 0; i < n; i++) {
      clients.add(new Client());
      up.add(new ArrayDeque<>());
      down.add(new ArrayDeque<>());
    }
    int edits = 40 + g.nextInt(80);
    for (int step = 0; edits > 0 || inTransit(up, down); step++) {
      int c = g.nextInt(n);
      int action = g.nextInt(10);
      if (action < 3 && edits > 0) {
        edits--;
        clients.get(c).edit(g.editOf(clients.get(c).doc));
      } else if (action < 6 && !up.get(c).isEmpty()) {
        ToServer m = up.get(c).poll();
        long version = server.receive(m);
        Delta applied = server.history.get((int) version - 1);
        for (int i = 0; i < n; i++) down.get(i).add(i == c ? new Ack(version) : new Broadcast(version, applied));
      } else if (!down.get(c).isEmpty()) {
        clients.get(c).receive(down.get(c).poll());
      }
      Client client = clients.get(c);
      long base = client.version;
      Delta send = client.takeSendable();
      if (send != null) up.get(c).add(new ToServer(c, base, send));
      if (step > 1_000_000) throw new AssertionError("seed " + seed + ": no quiescence");
    }
    Delta expected = server.doc.toDelta();
    for (int i = 0; i < n; i++) {
      Client client = clients.get(i);
      assertNull(client.inFlight, "seed " + seed);
      assertEquals(Delta.EMPTY, client.pending, "seed " + seed);
      assertEquals(server.history.size(), client.version, "seed " + seed + " client " + i);
      assertEquals(expected, client.doc, "seed " + seed + " client " + i);
    }
  }

  private static boolean inTransit(List<ArrayDeque<ToServer>> up, List<ArrayDeque<ToClient>> down) {
    return up.stream().anyMatch(q -> !q.isEmpty()) || down.stream().anyMatch(q -> !q.isEmpty());
  }

  static java.util.stream.LongStream seeds() {
    return Gen.seeds().limit(Math.max(50, Gen.seeds().count() / 4));
  }
}
