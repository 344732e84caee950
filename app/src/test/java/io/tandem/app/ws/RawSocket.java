package io.tandem.app.ws;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.app.TestApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A raw protocol v1 socket for tests: what the server sends, one message at a time. */
final class RawSocket implements WebSocket.Listener {

  private static final HttpClient http = HttpClient.newHttpClient();

  final LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
  /** Completes with the close status, or exceptionally when the connection failed. */
  final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile boolean reading;
  WebSocket ws;

  private RawSocket(boolean reading) {
    this.reading = reading;
  }

  static RawSocket open(URI base, String token, String doc, String query) throws Exception {
    return open(base, token, doc, query, true);
  }

  /** With {@code reading} false the socket takes one message and then reads nothing until {@link #read()}. */
  static RawSocket open(URI base, String token, String doc, String query, boolean reading) throws Exception {
    var raw = new RawSocket(reading);
    raw.ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
        .buildAsync(URI.create(base.toString().replace("http", "ws") + "/v1/docs/" + doc + "/ws" + query), raw)
        .get(30, TimeUnit.SECONDS);
    return raw;
  }

  /** Starts (or goes on) reading. */
  void read() {
    reading = true;
    ws.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      try {
        received.add(TestApi.JSON.readTree(partial.toString()));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      partial.setLength(0);
    }
    if (reading) ws.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
    closed.complete(status);
    return null;
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    closed.completeExceptionally(error);
  }

  /** The next message of {@code type}, skipping others. */
  JsonNode next(String type) throws Exception {
    var skipped = new ArrayList<JsonNode>();
    while (true) {
      JsonNode m = received.poll(30, TimeUnit.SECONDS);
      if (m == null) throw new AssertionError("no " + type + " message; skipped " + skipped + "; closed " + closed.getNow(null));
      if (m.get("type").asText().equals(type)) return m;
      skipped.add(m);
    }
  }

  void send(String text) {
    ws.sendText(text, true).join();
  }
}
