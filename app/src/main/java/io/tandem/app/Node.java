package io.tandem.app;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.tandem.app.auth.Accounts;
import io.tandem.app.auth.AuthRoutes;
import io.tandem.app.auth.ExternalIssuers;
import io.tandem.app.auth.Tokens;
import io.tandem.app.docs.DocumentRoutes;
import io.tandem.app.docs.Eraser;
import io.tandem.app.docs.TrashPurger;
import io.tandem.app.metrics.Metrics;
import io.tandem.app.groups.GroupRoutes;
import io.tandem.app.groups.Groups;
import io.tandem.app.http.Origins;
import io.tandem.app.http.RateLimits;
import io.tandem.app.http.Routes;
import io.tandem.app.ws.DocTopics;
import io.tandem.app.ws.WebSocketRoutes;
import io.tandem.ot.OpValidator;
import io.tandem.cassandra.EmbeddedCassandra;
import io.tandem.cassandra.SchemaRunner;
import io.tandem.persistence.document.DocumentEntity;
import io.tandem.persistence.document.OlderOps;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import io.tandem.projections.docs.DocsByUserProjection;
import io.tandem.projections.docs.DocsIndex;
import io.tandem.projections.history.CheckpointProjection;
import io.tandem.projections.history.Checkpoints;
import io.tandem.projections.history.DocHistory;
import io.tandem.app.docs.HistoryRoutes;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Tandem node: the embedded Cassandra when configured, the schema when configured, the Pekko
 * cluster node, and the HTTP endpoint. {@link #close()} stops what {@link #start} started, in
 * reverse order.
 */
public final class Node implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private final EmbeddedCassandra cassandra;
  private final CqlSession session;
  private final ActorSystem<Void> system;
  private final ServerBinding binding;

  private Node(EmbeddedCassandra cassandra, CqlSession session, ActorSystem<Void> system, ServerBinding binding) {
    this.cassandra = cassandra;
    this.session = session;
    this.system = system;
    this.binding = binding;
  }

  public static Node start(Config config) throws Exception {
    Config t = config.getConfig("tandem");
    EmbeddedCassandra cassandra = null;
    CqlSession session = null;
    ActorSystem<Void> system = null;
    try {
      var contactPoints = new ArrayList<InetSocketAddress>();
      if (t.getBoolean("cassandra.embedded.enabled")) {
        cassandra = EmbeddedCassandra.start(embeddedSettings(t.getConfig("cassandra.embedded")));
        contactPoints.add(cassandra.contactPoint());
      } else {
        for (String hp : t.getString("cassandra.contact-points").split(",")) {
          String[] parts = hp.strip().split(":");
          contactPoints.add(new InetSocketAddress(parts[0], parts.length > 1 ? Integer.parseInt(parts[1]) : 9042));
        }
      }
      session = session(t.getConfig("cassandra"), contactPoints);
      if (t.getBoolean("cassandra.apply-schema")) applySchema(session, t);
      var metrics = Metrics.start(config);
      system = ActorSystem.create(Behaviors.empty(), "tandem", persistenceConfig(t, contactPoints).withFallback(config));
      ServerBinding binding = Http.get(system)
          .newServerAt(t.getString("http.interface"), t.getInt("http.port"))
          .bind(wire(t, session, system, metrics::scrapeData).routes())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      return new Node(cassandra, session, system, binding);
    } catch (Exception | Error e) {
      if (system != null) system.terminate();
      if (session != null) session.close();
      if (cassandra != null) cassandra.close();
      throw e;
    }
  }

  private static void applySchema(CqlSession session, Config t) {
    String keyspace = t.getString("cassandra.keyspace");
    var result = SchemaRunner.apply(session, keyspace, SchemaRunner.Replication.parse(t.getString("cassandra.replication")));
    log.info("Schema of keyspace {}: applied {}, {} already there", keyspace, result.applied(), result.alreadyApplied().size());
  }

  /** Starts the entities and projections of this node and builds the routes that reach them. */
  private static Routes wire(Config t, CqlSession session, ActorSystem<Void> system, Supplier<String> metrics) throws Exception {
    String keyspace = t.getString("cassandra.keyspace");
    var clock = Clock.systemUTC();
    var sharding = ClusterSharding.get(system);
    var topics = new DocTopics(system);
    Config d = t.getConfig("docs");
    var docSettings = new DocumentEntity.Settings(d.getInt("window-ops"), d.getInt("journal-ops"), d.getInt("max-clients"), d.getInt("max-batch"),
        d.getInt("snapshot-every"), new OpValidator((int) Math.min(Integer.MAX_VALUE, d.getLong("max-document-units")),
            d.getInt("max-op-components")), d.getInt("checkpoint-every"));
    var journal = PersistenceQuery.get(Adapter.toClassic(system))
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    var olderOps = OlderOps.fromJournal(journal, system);
    sharding.init(Entity.of(DocumentEntity.TYPE_KEY,
        ctx -> DocumentEntity.create(ctx.getEntityId(), clock, docSettings, topics, olderOps)));
    Cluster.get(system); // joins the seed nodes
    var index = new DocsIndex(session, keyspace);
    DocsByUserProjection.init(system, index);
    var history = new DocHistory(journal, system, new Checkpoints(session, keyspace));
    CheckpointProjection.init(system, history, docSettings.checkpointEvery());
    var blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    var eraser = new Eraser(system, session, keyspace, blocking, history.checkpoints(), index);
    TrashPurger.init(system, index, sharding, eraser, new TrashPurger.Settings(t.getDuration("trash.retention"),
        t.getDuration("trash.purge-interval"), (int) t.getDuration("trash.lookback").toDays()), clock);
    var issuers = t.getConfigList("auth.oidc.issuers").stream().map(i -> new ExternalIssuers.Issuer(i.getString("issuer"),
        i.getString("jwks-uri"), i.getString("audience"), i.hasPath("username-claim") ? i.getString("username-claim") : "preferred_username"))
        .toList();
    var tokens = new Tokens(Tokens.secret(t.getString("auth.jwt-secret"), Path.of(t.getString("auth.secret-file"))),
        t.getDuration("auth.token-lifetime"), clock, new ExternalIssuers(issuers));
    var accounts = new Accounts(session, keyspace, t.getInt("auth.bcrypt-cost"), blocking);
    long maxBody = t.getBytes("http.max-body");
    var signIn = t.getConfig("rate-limits.sign-in");
    var auth = new AuthRoutes(accounts, tokens, t.getDuration("auth.token-lifetime"), t.getBoolean("auth.secure-cookie"),
        maxBody, RateLimits.from(t.getConfig("rate-limits.rest")), RateLimits.from(signIn), RateLimits.from(signIn), blocking);
    var groups = new Groups(session, keyspace);
    var docs = new DocumentRoutes(sharding, auth, groups, index,
        new HistoryRoutes(sharding, history, Duration.ofSeconds(30), maxBody, t.getBytes("ws.max-message")),
        Duration.ofSeconds(10), maxBody);
    Config w = t.getConfig("ws");
    var ws = new WebSocketRoutes(system, sharding, topics, auth, groups, new WebSocketRoutes.Settings(
        (int) w.getBytes("max-message").longValue(), w.getInt("outgoing-buffer"), w.getDuration("ack-timeout"),
        w.getLong("ops-per-second"), w.getLong("ops-burst")));
    return new Routes(session, system, auth, ws, docs, new GroupRoutes(groups, accounts, auth, maxBody),
        new Origins(t.getStringList("http.allowed-origins")), metrics);
  }

  /** The journal's driver points where Tandem's session does, and writes to Tandem's keyspace. */
  private static Config persistenceConfig(Config t, List<InetSocketAddress> contactPoints) {
    var points = contactPoints.stream().map(a -> a.getHostString() + ":" + a.getPort()).toList();
    String keyspace = t.getString("cassandra.keyspace");
    var c = ConfigFactory.empty()
        .withValue("datastax-java-driver.basic.contact-points", ConfigValueFactory.fromIterable(points))
        .withValue("datastax-java-driver.basic.load-balancing-policy.local-datacenter",
            ConfigValueFactory.fromAnyRef(t.getString("cassandra.local-datacenter")))
        .withValue("pekko.persistence.cassandra.journal.keyspace", ConfigValueFactory.fromAnyRef(keyspace))
        .withValue("pekko.persistence.cassandra.snapshot.keyspace", ConfigValueFactory.fromAnyRef(keyspace))
        .withValue("pekko.projection.cassandra.offset-store.keyspace", ConfigValueFactory.fromAnyRef(keyspace));
    if (!t.getString("cassandra.username").isEmpty()) {
      c = c.withValue("datastax-java-driver.advanced.auth-provider.class", ConfigValueFactory.fromAnyRef("PlainTextAuthProvider"))
          .withValue("datastax-java-driver.advanced.auth-provider.username", ConfigValueFactory.fromAnyRef(t.getString("cassandra.username")))
          .withValue("datastax-java-driver.advanced.auth-provider.password", ConfigValueFactory.fromAnyRef(t.getString("cassandra.password")));
    }
    return c;
  }

  private static EmbeddedCassandra.Settings embeddedSettings(Config e) {
    return new EmbeddedCassandra.Settings(Path.of(e.getString("server-dir")), Path.of(e.getString("data-dir")),
        "127.0.0.1", e.getInt("cql-port"), e.getInt("storage-port"), e.getInt("heap-mb"),
        e.getString("commitlog-sync"), e.getDuration("commitlog-window"), Duration.ofMinutes(3),
        ProcessHandle.current().pid());
  }

  private static CqlSession session(Config c, List<InetSocketAddress> contactPoints) {
    CqlSessionBuilder b = CqlSession.builder().addContactPoints(contactPoints)
        .withLocalDatacenter(c.getString("local-datacenter")).withConfigLoader(SchemaRunner.driverConfig());
    if (!c.getString("username").isEmpty()) b.withAuthCredentials(c.getString("username"), c.getString("password"));
    return b.build();
  }

  /** The embedded Cassandra's process, when this node started one. */
  public Optional<ProcessHandle> embeddedCassandra() {
    return cassandra == null ? Optional.empty() : ProcessHandle.of(cassandra.pid());
  }

  public InetSocketAddress httpAddress() {
    return binding.localAddress();
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** Unbinds HTTP, leaves the cluster, closes the session, and stops the embedded Cassandra. */
  @Override
  public void close() throws Exception {
    try {
      binding.terminate(Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      system.terminate();
      CompletionStage<?> done = system.getWhenTerminated();
      done.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      session.close();
      if (cassandra != null) cassandra.close();
    }
  }
}
