package io.tandem.app.docs;

import io.tandem.persistence.document.DocumentEntity;
import io.tandem.projections.docs.DocsIndex;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Empties the trash: once per cluster (a sharded daemon process of one), every {@code interval},
 * it reads from the {@code trash_by_day} index the documents trashed before now minus
 * {@code retention} and asks each document's entity to purge itself. The entity decides again
 * (a document restored since is kept), journals {@code Purged} and becomes a tombstone that
 * answers {@code not_found}. The {@link Eraser} then deletes everything else the document left
 * (lists, journal, snapshots, history). It stays in the index: the next pass asks again, the
 * entity (purged already) names its Purged event, and the document is erased again if anything
 * is left (a pass cut short, or a history row that work under way wrote back), or else taken out
 * of the index.
 */
public final class TrashPurger {

  private static final Logger log = LoggerFactory.getLogger(TrashPurger.class);

  /** How long a trashed document stays restorable, how often the trash is checked, how far back. */
  public record Settings(Duration retention, Duration interval, int lookbackDays) {}

  sealed interface Command {}
  private enum Tick implements Command { INSTANCE }
  private record Finished(int purged, Throwable failure) implements Command {}

  private TrashPurger() {}

  public static void init(ActorSystem<?> system, DocsIndex index, ClusterSharding sharding, Eraser eraser, Settings settings,
      Clock clock) {
    ShardedDaemonProcess.get(system).init(Command.class, "trash-purger", 1,
        i -> create(index, sharding, eraser, settings, clock), ShardedDaemonProcessSettings.create(system), Optional.empty());
  }

  static Behavior<Command> create(DocsIndex index, ClusterSharding sharding, Eraser eraser, Settings settings, Clock clock) {
    Supplier<CompletionStage<Integer>> pass =
        () -> purge(index, sharding, eraser, clock.instant().minus(settings.retention()), settings.lookbackDays());
    return Behaviors.withTimers(timers -> {
      // A first pass soon after start: an instance moved by a rolling deploy would otherwise wait a whole interval.
      Duration first = settings.interval().compareTo(Duration.ofMinutes(1)) < 0 ? settings.interval() : Duration.ofMinutes(1);
      timers.startTimerWithFixedDelay(Tick.INSTANCE, first, settings.interval());
      return Behaviors.setup(ctx -> idle(ctx, pass));
    });
  }

  private static Behavior<Command> idle(ActorContext<Command> ctx, Supplier<CompletionStage<Integer>> pass) {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, () -> {
          ctx.pipeToSelf(pass.get(), (n, e) -> new Finished(n == null ? 0 : n, e));
          return busy(ctx, pass);
        })
        .build();
  }

  /** While a pass runs, ticks are dropped. */
  private static Behavior<Command> busy(ActorContext<Command> ctx, Supplier<CompletionStage<Integer>> pass) {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, Behaviors::same)
        .onMessage(Finished.class, f -> {
          if (f.failure() != null) log.warn("Emptying the trash failed; the next pass retries", f.failure());
          else if (f.purged() > 0) log.info("Purged {} documents from the trash", f.purged());
          return idle(ctx, pass);
        })
        .build();
  }

  private static CompletionStage<Integer> purge(DocsIndex index, ClusterSharding sharding, Eraser eraser, Instant cutoff,
      int lookback) {
    return index.trashedBefore(cutoff, lookback).thenCompose(docs -> purgeEach(index, sharding, eraser, docs, cutoff));
  }

  /** One document at a time: the purger is background work and must not crowd out users. */
  private static CompletionStage<Integer> purgeEach(DocsIndex index, ClusterSharding sharding, Eraser eraser,
      List<DocsIndex.Trashed> docs, Instant cutoff) {
    CompletionStage<Integer> done = CompletableFuture.completedFuture(0);
    for (DocsIndex.Trashed doc : docs) {
      String id = doc.docId();
      done = done.thenCompose(n -> sharding.entityRefFor(DocumentEntity.TYPE_KEY, id)
          .<DocumentEntity.Reply>ask(r -> new DocumentEntity.Purge(cutoff, r), Duration.ofSeconds(10))
          .thenCompose(reply -> {
            if (!(reply instanceof DocumentEntity.PurgeResult p) || p.purgedSeqNr() == 0) return CompletableFuture.completedFuture(n);
            if (p.purged()) return eraser.erase(id, p.purgedSeqNr(), p.purgedAt()).thenApply(v -> n + 1);
            return eraser.leftOver(id, p.purgedSeqNr()).thenCompose(left -> {
              if (!left) return index.erased(doc);
              log.info("Document {} was purged but not wholly erased; erasing it again", id);
              return eraser.erase(id, p.purgedSeqNr(), p.purgedAt());
            }).thenApply(v -> n);
          })
          .handle((count, failure) -> {
            if (failure == null) return count;
            log.warn("Purging document {} failed; the next pass retries it", id, failure);
            return n;
          }));
    }
    return done;
  }
}
