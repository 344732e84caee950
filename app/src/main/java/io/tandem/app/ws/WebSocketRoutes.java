package io.tandem.app.ws;

import io.tandem.app.auth.AuthRoutes;
import io.tandem.app.groups.Groups;
import io.tandem.app.http.Problems;
import io.tandem.app.http.RateLimits;
import io.tandem.persistence.document.DocumentEntity;
import io.tandem.persistence.document.DocumentEntity.Caller;
import io.tandem.protocol.ErrorCode;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.CompletionStrategy;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;

/**
 * {@code GET /v1/docs/{docId}/ws[?since=&clientId=&access_token=]}: authenticates the handshake,
 * joins the document (404 before any upgrade when the caller may not see it), then runs a
 * {@link Connection} actor between the socket and the document.
 */
public final class WebSocketRoutes extends AllDirectives {

  private static final Pattern DOC_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

  /** Limits of a connection: message size, outgoing queue, op rate, ack wait. */
  public record Settings(int maxMessageBytes, int outgoingBuffer, Duration ackTimeout, long opsPerSecond, long opsBurst) {}

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final DocTopics topics;
  private final AuthRoutes auth;
  private final Groups groups;
  private final Settings settings;
  private final RateLimits opLimits;
  private final Materializer materializer;

  public WebSocketRoutes(ActorSystem<?> system, ClusterSharding sharding, DocTopics topics, AuthRoutes auth, Groups groups,
      Settings settings) {
    this.system = system;
    this.sharding = sharding;
    this.topics = topics;
    this.auth = auth;
    this.groups = groups;
    this.settings = settings;
    this.opLimits = new RateLimits(settings.opsPerSecond(), Duration.ofSeconds(1), settings.opsBurst(), 1_000_000);
    this.materializer = Materializer.matFromSystem(system);
  }

  public Route routes() {
    return pathPrefix("docs", () -> pathPrefix(docId -> path("ws", () -> get(() -> {
      if (!DOC_ID.matcher(docId).matches()) return complete(Problems.of(ErrorCode.NOT_FOUND, "no document " + docId));
      return extractRequest(request -> auth.authenticatedHandshake(principal -> parameterOptional("since", since -> parameterOptional("clientId",
          clientId -> {
            Long from;
            try {
              from = since.map(Long::parseLong).orElse(null);
            } catch (NumberFormatException e) {
              return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "since is a version number"));
            }
            if (from != null && from < 0) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "since is 0 or more"));
            return onSuccess(groups.of(principal.userId()), mine -> {
              Caller caller = new Caller(principal.userId(), mine, true);
              var entity = sharding.entityRefFor(DocumentEntity.TYPE_KEY, docId);
              CompletionStage<DocumentEntity.Reply> joined = entity.ask(
                  r -> new DocumentEntity.Join(caller, clientId.orElse(null), from, r), Duration.ofSeconds(10));
              return onSuccess(joined, reply -> {
                if (!(reply instanceof DocumentEntity.JoinAccepted j)) {
                  var r = (DocumentEntity.Rejected) reply;
                  return complete(Problems.of(r.code(), r.detail()));
                }
                if (request.getAttribute(AttributeKeys.webSocketUpgrade).isEmpty()) { // no connection for a plain GET
                  return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "this is a WebSocket endpoint: send an upgrade request"));
                }
                return handleWebSocketMessages(flow(docId, caller, principal.shownAs(), j));
              });
            });
          }))));
    }))));
  }

  /**
   * The socket's flow: client messages into a new connection actor, its outgoing queue out. The
   * queue is part of the socket's own stream (one graph, no second stream to hand messages over
   * to): the connection is given it when that stream materialises.
   */
  private Flow<Message, Message, NotUsed> flow(String docId, Caller caller, String name, DocumentEntity.JoinAccepted joined) {
    var connection = system.systemActorOf(
        Connection.detached(sharding.entityRefFor(DocumentEntity.TYPE_KEY, docId), topics.apply(docId),
            caller, name, docId, joined, new Connection.Settings(settings.ackTimeout(), opLimits)),
        "ws-" + UUID.randomUUID(), Props.empty());
    Sink<Message, NotUsed> in = Flow.<Message>create()
        .mapAsync(1, this::text)
        .to(ActorSink.actorRef(connection, Connection.ClientGone.INSTANCE, e -> Connection.ClientGone.INSTANCE));
    // Completing drains what is queued first: an error sent just before the close reaches the client.
    Source<Message, NotUsed> messages = Source.<Object>actorRef(
            m -> m == Connection.Outgoing.COMPLETE ? Optional.of(CompletionStrategy.draining()) : Optional.empty(),
            m -> Optional.empty(), settings.outgoingBuffer(), OverflowStrategy.fail())
        .mapMaterializedValue(out -> {
          connection.tell(new Connection.Attach(Adapter.toTyped(out)));
          return NotUsed.getInstance();
        })
        .map(m -> TextMessage.create((String) m));
    return Flow.fromSinkAndSourceCoupled(in, messages).watchTermination((mat, done) -> {
      CONNECTIONS.increment();
      done.whenComplete((d, e) -> CONNECTIONS.decrement());
      return mat;
    });
  }

  private static final kamon.metric.Gauge CONNECTIONS =
      kamon.Kamon.gauge("tandem.ws.connections", "Open WebSocket connections to documents on this node").withoutTags();

  /**
   * The text of a message, read up to the size limit: a longer one, or a binary one, is drained
   * and becomes the client message that is answered with its error.
   */
  private CompletionStage<Connection.Msg> text(Message m) {
    if (!m.isText()) {
      m.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), materializer);
      return CompletableFuture.completedFuture(new Connection.Refuse(ErrorCode.INVALID_MESSAGE, "messages are JSON text"));
    }
    TextMessage t = m.asTextMessage();
    if (t.isStrict()) return CompletableFuture.completedFuture(checked(t.getStrictText()));
    var acc = new StringBuilder();
    boolean[] over = {false};
    return t.getStreamedText().runForeach(part -> {
      if (over[0]) return;
      if (acc.length() + part.length() > settings.maxMessageBytes()) {
        over[0] = true;
        acc.setLength(0);
      } else {
        acc.append(part);
      }
    }, materializer).thenApply(done -> over[0] ? tooLarge() : checked(acc.toString()));
  }

  private Connection.Msg checked(String text) {
    // UTF-8 is at least as long as UTF-16 in units: count bytes only when the units come near.
    if (text.length() > settings.maxMessageBytes() / 3 && utf8Length(text) > settings.maxMessageBytes()) return tooLarge();
    return new Connection.FromClient(text);
  }

  private Connection.Msg tooLarge() {
    return new Connection.Refuse(ErrorCode.TOO_LARGE, "a message is at most " + settings.maxMessageBytes() + " bytes");
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) n++;
      else if (c < 0x800) n += 2;
      else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else n += 3;
    }
    return n;
  }
}
