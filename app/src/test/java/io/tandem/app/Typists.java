package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.ot.Delta;
import io.tandem.protocol.client.TandemClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One thread per client, each appending a unique token {@code <client:n>} every few milliseconds
 * until stopped: what the kill and outage tests type, and then look for in the document, each
 * token exactly once.
 */
public final class Typists {

  private final AtomicBoolean typing = new AtomicBoolean(true);
  private final int[] counts;
  private final List<Thread> threads = new ArrayList<>();

  private Typists(List<TandemClient> clients, long pauseMillis) {
    counts = new int[clients.size()];
    for (int i = 0; i < clients.size(); i++) {
      int me = i;
      TandemClient client = clients.get(i);
      var t = new Thread(() -> {
        while (typing.get()) {
          String token = token(me, counts[me]++);
          client.edit(text -> Delta.builder().retain(text.length()).insert(token).build());
          try {
            Thread.sleep(pauseMillis);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "typist-" + i);
      t.start();
      threads.add(t);
    }
  }

  /** Starts typing into every client, one keystroke each per {@code pauseMillis}. */
  public static Typists start(List<TandemClient> clients, long pauseMillis) {
    return new Typists(clients, pauseMillis);
  }

  /** Stops typing and waits for the threads: after this, {@link #total()} is final. */
  public void stop() throws InterruptedException {
    typing.set(false);
    for (Thread t : threads) t.join();
  }

  /** Keystrokes typed so far, by all clients. */
  public int total() {
    int n = 0;
    for (int c : counts) n += c;
    return n;
  }

  /** Every token typed is in {@code text} exactly once. Call after {@link #stop()}. */
  public void assertEachOnceIn(CharSequence text) {
    String s = text.toString();
    for (int c = 0; c < counts.length; c++) {
      for (int n = 0; n < counts[c]; n++) {
        String token = token(c, n);
        int at = s.indexOf(token);
        assertTrue(at >= 0, token + " is in the document");
        assertEquals(-1, s.indexOf(token, at + 1), token + " is in it once");
      }
    }
  }

  private static String token(int client, int n) {
    return "<" + client + ":" + n + ">";
  }
}
