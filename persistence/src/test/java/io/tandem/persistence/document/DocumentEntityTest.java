package io.tandem.persistence.document;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.persistence.access.Principal;
import io.tandem.persistence.access.Role;
import io.tandem.persistence.document.DocumentEntity.Caller;
import io.tandem.persistence.document.DocumentEntity.Reply;
import io.tandem.protocol.ErrorCode;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The entity alone, on Pekko's in-memory journal; every command, event and state round-trips through CBOR. */
class DocumentEntityTest {

  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  private static final Caller ALICE = Caller.user("alice");
  private static final Caller BOB = Caller.user("bob");
  private static final Caller STRANGER = Caller.user("mallory");

  private EventSourcedBehaviorTestKit<DocumentEntity.Command, DocumentEntity.Event, DocumentEntity.State> kit;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    // The state holds the mutable content, which snapshots store through the entity's snapshot adapter.
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), DocumentEntity.create("d1", Clock.systemUTC()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    kit.clear();
    Reply created = kit.<Reply>runCommand(r -> new DocumentEntity.Create(ALICE, " Notes ", r)).reply();
    assertEquals("Notes", ((DocumentEntity.Summary) created).title());
  }

  private Reply run(java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<Reply>, DocumentEntity.Command> c) {
    return kit.<Reply>runCommand(c).reply();
  }

  private static void assertRejected(ErrorCode code, Reply reply) {
    assertEquals(code, assertInstanceOf(DocumentEntity.Rejected.class, reply).code(), reply::toString);
  }

  @Test
  void theCreatorOwnsAndAStrangerSeesNothing() {
    assertEquals(Role.OWNER, ((DocumentEntity.Summary) run(r -> new DocumentEntity.Get(ALICE, r))).role());
    assertRejected(ErrorCode.NOT_FOUND, run(r -> new DocumentEntity.Get(STRANGER, r)));
    assertRejected(ErrorCode.NOT_FOUND, run(r -> new DocumentEntity.Rename(STRANGER, "x", r)));
    assertRejected(ErrorCode.CONFLICT, run(r -> new DocumentEntity.Create(BOB, "again", r)));
  }

  @Test
  void rolesDecideWhatEachMayDo() {
    run(r -> new DocumentEntity.Share(ALICE, new Principal.User("bob"), Role.VIEWER, r));
    assertRejected(ErrorCode.FORBIDDEN, run(r -> new DocumentEntity.Rename(BOB, "mine", r)));
    run(r -> new DocumentEntity.Share(ALICE, new Principal.Group("team"), Role.EDITOR, r));
    var inTeam = new Caller("bob", Set.of("team"), false);
    assertEquals("Team notes", ((DocumentEntity.Summary) run(r -> new DocumentEntity.Rename(inTeam, "Team notes", r))).title());
    assertRejected(ErrorCode.FORBIDDEN, run(r -> new DocumentEntity.Delete(inTeam, r)));
    assertRejected(ErrorCode.FORBIDDEN, run(r -> new DocumentEntity.Share(inTeam, new Principal.AnyoneWithLink(), Role.VIEWER, r)));
    run(r -> new DocumentEntity.Share(ALICE, new Principal.AnyoneWithLink(), Role.COMMENTER, r));
    var byLink = new Caller("mallory", Set.of(), true);
    assertEquals(Role.COMMENTER, ((DocumentEntity.Summary) run(r -> new DocumentEntity.Get(byLink, r))).role());
    assertRejected(ErrorCode.NOT_FOUND, run(r -> new DocumentEntity.Get(STRANGER, r)));
  }

  @Test
  void deleteMovesToTheOwnersTrashUntilRestored() {
    run(r -> new DocumentEntity.Share(ALICE, new Principal.User("bob"), Role.EDITOR, r));
    var trashed = (DocumentEntity.Summary) run(r -> new DocumentEntity.Delete(ALICE, r));
    assertNotNull(trashed.trashedAt());
    assertRejected(ErrorCode.NOT_FOUND, run(r -> new DocumentEntity.Get(BOB, r)));
    assertRejected(ErrorCode.FORBIDDEN, run(r -> new DocumentEntity.Rename(ALICE, "x", r)));
    assertRejected(ErrorCode.NOT_FOUND, run(r -> new DocumentEntity.Restore(BOB, r)));
    assertNull(((DocumentEntity.Summary) run(r -> new DocumentEntity.Restore(ALICE, r))).trashedAt());
    assertEquals(Role.EDITOR, ((DocumentEntity.Summary) run(r -> new DocumentEntity.Get(BOB, r))).role());
  }

  @Test
  void theLastOwnerStaysAndOwnershipTransfers() {
    assertRejected(ErrorCode.CONFLICT, run(r -> new DocumentEntity.Unshare(ALICE, new Principal.User("alice"), r)));
    assertRejected(ErrorCode.CONFLICT, run(r -> new DocumentEntity.TransferOwnership(ALICE, "bob", r)));
    run(r -> new DocumentEntity.Share(ALICE, new Principal.User("bob"), Role.COMMENTER, r));
    var after = (DocumentEntity.Summary) run(r -> new DocumentEntity.TransferOwnership(ALICE, "bob", r));
    assertEquals(Role.EDITOR, after.role());
    assertEquals(Role.OWNER, ((DocumentEntity.Summary) run(r -> new DocumentEntity.Get(BOB, r))).role());
    assertRejected(ErrorCode.FORBIDDEN, run(r -> new DocumentEntity.Share(ALICE, new Principal.User("carol"), Role.VIEWER, r)));
  }

  @Test
  void aCoOwnerMayGiveUpTheirOwnAccessAndAnEditorMayNotRestore() {
    run(r -> new DocumentEntity.Share(ALICE, new Principal.User("bob"), Role.OWNER, r));
    var left = (DocumentEntity.Summary) run(r -> new DocumentEntity.Unshare(BOB, new Principal.User("bob"), r));
    assertNull(left.role(), "journaled, and the caller no longer has a role");
    assertRejected(ErrorCode.NOT_FOUND, run(r -> new DocumentEntity.Get(BOB, r)));
    run(r -> new DocumentEntity.Share(ALICE, new Principal.User("bob"), Role.EDITOR, r));
    assertRejected(ErrorCode.FORBIDDEN, run(r -> new DocumentEntity.Restore(BOB, r)));
  }

  @Test
  void aRevokedUserLosesAccessAtOnce() {
    run(r -> new DocumentEntity.Share(ALICE, new Principal.User("bob"), Role.EDITOR, r));
    run(r -> new DocumentEntity.Unshare(ALICE, new Principal.User("bob"), r));
    assertRejected(ErrorCode.NOT_FOUND, run(r -> new DocumentEntity.Get(BOB, r)));
  }

  @Test
  void titlesAreCheckedAndStateSurvivesARestart() {
    assertRejected(ErrorCode.INVALID_MESSAGE, run(r -> new DocumentEntity.Rename(ALICE, "  ", r)));
    assertRejected(ErrorCode.INVALID_MESSAGE, run(r -> new DocumentEntity.Rename(ALICE, "x".repeat(201), r)));
    run(r -> new DocumentEntity.Rename(ALICE, "Plans", r));
    run(r -> new DocumentEntity.Share(ALICE, new Principal.User("bob"), Role.VIEWER, r));
    var restarted = kit.restart();
    var doc = assertInstanceOf(DocumentEntity.Doc.class, restarted.state());
    assertEquals("Plans", doc.title());
    assertEquals(Role.VIEWER, ((DocumentEntity.Summary) run(r -> new DocumentEntity.Get(BOB, r))).role());
  }

  @Test
  void repliesCarryTheJournalSequenceNumberAndEventsTheirTag() {
    var renamed = (DocumentEntity.Summary) run(r -> new DocumentEntity.Rename(ALICE, "Two", r));
    assertEquals(2, renamed.seqNr());
    var result = kit.<Reply>runCommand(r -> new DocumentEntity.Share(ALICE, new Principal.User("bob"), Role.VIEWER, r));
    assertEquals(3, ((DocumentEntity.Summary) result.reply()).seqNr());
    assertEquals(3, ((DocumentEntity.Summary) run(r -> new DocumentEntity.Get(BOB, r))).seqNr());
    assertEquals(DocumentEntity.tagOf("d1"), DocumentEntity.tagOf("d1"));
    assertTrue(DocumentEntity.tagOf("d1").matches("docs-[0-3]"));
  }

  @Test
  void thePurgerErasesOnlyWhatHasBeenInTheTrashLongEnough() {
    var cutoffBefore = java.time.Instant.now().minusSeconds(3600);
    assertFalse(((DocumentEntity.PurgeResult) run(r -> new DocumentEntity.Purge(java.time.Instant.now(), r))).purged(),
        "not in the trash: kept");
    run(r -> new DocumentEntity.Delete(ALICE, r));
    assertFalse(((DocumentEntity.PurgeResult) run(r -> new DocumentEntity.Purge(cutoffBefore, r))).purged(),
        "trashed after the cutoff: kept");
    var kept = (DocumentEntity.PurgeResult) run(r -> new DocumentEntity.Purge(cutoffBefore, r));
    assertEquals(0, kept.purgedSeqNr(), "nothing to erase while kept");
    var purge = kit.<Reply>runCommand(r -> new DocumentEntity.Purge(java.time.Instant.now().plusSeconds(1), r));
    var purged = (DocumentEntity.PurgeResult) purge.reply();
    assertTrue(purged.purged());
    assertInstanceOf(DocumentEntity.Purged.class, purge.event());
    assertEquals(kit.persistenceTestKit().persistedInStorage(PersistenceId.of(DocumentEntity.TYPE_KEY.name(), "d1").id()).size(),
        purged.purgedSeqNr(),
        "the Purged event's sequence number: what comes before it is erased");
    assertEquals(((DocumentEntity.Purged) purge.event()).at(), purged.purgedAt());
    // asked again (an erasure cut short), the tombstone names the same event
    var again = (DocumentEntity.PurgeResult) run(r -> new DocumentEntity.Purge(java.time.Instant.now().plusSeconds(1), r));
    assertFalse(again.purged());
    assertEquals(purged.purgedSeqNr(), again.purgedSeqNr());
    assertRejected(ErrorCode.NOT_FOUND, run(r -> new DocumentEntity.Get(ALICE, r)));
    assertRejected(ErrorCode.NOT_FOUND, run(r -> new DocumentEntity.Restore(ALICE, r)));
    assertRejected(ErrorCode.CONFLICT, run(r -> new DocumentEntity.Create(ALICE, "reuse", r)));
    assertInstanceOf(DocumentEntity.Gone.class, kit.restart().state());
    assertRejected(ErrorCode.NOT_FOUND, run(r -> new DocumentEntity.Share(ALICE, new Principal.User("bob"), Role.VIEWER, r)));
  }

  private Reply submit(Caller who, String clientId, long seq, long base, String opsJson) throws Exception {
    var ops = io.tandem.protocol.DeltaJson.parse(opsJson);
    return run(r -> new DocumentEntity.Submit(who, clientId, seq, base, ops, r));
  }

  private String text() {
    var doc = (DocumentEntity.Doc) kit.getState();
    return doc.content().text().text();
  }

  @Test
  void opsAreTransformedJournaledAckedAndDeduplicated() throws Exception {
    run(r -> new DocumentEntity.Share(ALICE, new Principal.User("bob"), Role.EDITOR, r));
    assertEquals(new DocumentEntity.Acked("a1", 1, 1), submit(ALICE, "a1", 1, 0, "[{\"insert\":\"Hello\"}]"));
    // bob, still at version 0, inserts at 0: the history op wins the tie, so his text goes after
    assertEquals(new DocumentEntity.Acked("b1", 1, 2), submit(BOB, "b1", 1, 0, "[{\"insert\":\"World\"}]"));
    assertEquals("HelloWorld", text());
    assertEquals(new DocumentEntity.Acked("b1", 1, 2), submit(BOB, "b1", 1, 0, "[{\"insert\":\"World\"}]"),
        "a duplicate gets its original ack and is not applied again");
    assertEquals("HelloWorld", text());

    var ahead = assertInstanceOf(DocumentEntity.OpRefused.class, submit(ALICE, "a1", 2, 9, "[{\"insert\":\"x\"}]"));
    assertEquals(ErrorCode.VERSION_AHEAD, ahead.code());
    var gap = assertInstanceOf(DocumentEntity.OpRefused.class, submit(ALICE, "a1", 5, 2, "[{\"insert\":\"x\"}]"));
    assertEquals(ErrorCode.INVALID_MESSAGE, gap.code());
    var pastEnd = assertInstanceOf(DocumentEntity.OpRefused.class, submit(ALICE, "a1", 2, 2, "[{\"retain\":99},{\"insert\":\"x\"}]"));
    assertEquals(ErrorCode.INVALID_OP, pastEnd.code());
    var stale = assertInstanceOf(DocumentEntity.OpRefused.class, submit(BOB, "b1", 2, 1, "[{\"insert\":\"x\"}]"));
    assertEquals(ErrorCode.INVALID_OP, stale.code(), "based below the client's own last ack");
    var stolen = assertInstanceOf(DocumentEntity.OpRefused.class, submit(BOB, "a1", 2, 2, "[{\"insert\":\"x\"}]"));
    assertEquals(ErrorCode.INVALID_MESSAGE, stolen.code(), "a client id belongs to its user");
    assertEquals("HelloWorld", text(), "refusals change nothing");
    assertEquals(new DocumentEntity.Acked("a1", 2, 3), submit(ALICE, "a1", 2, 2, "[{\"retain\":5},{\"insert\":\", \"}]"),
        "a refused op used up no seq");

    run(r -> new DocumentEntity.Share(ALICE, new Principal.User("bob"), Role.COMMENTER, r));
    var forbidden = assertInstanceOf(DocumentEntity.OpRefused.class, submit(BOB, "b1", 2, 3, "[{\"insert\":\"x\"}]"));
    assertEquals(ErrorCode.FORBIDDEN, forbidden.code());

    kit.restart();
    assertEquals("Hello, World", text(), "recovered from the journal");
    var doc = (DocumentEntity.Summary) run(r -> new DocumentEntity.Get(ALICE, r));
    assertEquals(3, doc.version());
    assertEquals("[{\"insert\":\"Hello, World\"}]", doc.content());
    var joined = (DocumentEntity.JoinAccepted) run(r -> new DocumentEntity.Join(BOB, "b1", 1L, r));
    assertEquals("b1", joined.clientId());
    assertEquals(List.of(2L, 3L), joined.ops().stream().map(DocumentEntity.OpMessage::version).toList(), "since 1: ops 2 and 3");
    var other = (DocumentEntity.JoinAccepted) run(r -> new DocumentEntity.Join(BOB, "a1", null, r));
    assertFalse(other.clientId().equals("a1"), "alice's client id is not given to bob");
    assertEquals("[{\"insert\":\"Hello, World\"}]", other.content());
  }

  /** An entity keeping {@code window} ops in memory, reading back up to {@code journalOps} from Pekko's in-memory journal. */
  private EventSourcedBehaviorTestKit<DocumentEntity.Command, DocumentEntity.Event, DocumentEntity.State> withWindow(
      String docId, int window, int journalOps) throws Exception {
    var settings = new DocumentEntity.Settings(window, journalOps, 100, 500, 1000, io.tandem.ot.OpValidator.DEFAULT);
    var journal = PersistenceQuery.get(Adapter.toClassic(testKit.system()))
        .getReadJournalFor(PersistenceTestKitReadJournal.class, PersistenceTestKitReadJournal.Identifier());
    EventSourcedBehaviorTestKit<DocumentEntity.Command, DocumentEntity.Event, DocumentEntity.State> k =
        EventSourcedBehaviorTestKit.create(testKit.system(),
        DocumentEntity.create(docId, Clock.systemUTC(), settings,
            id -> testKit.spawn(Topic.create(DocumentEntity.Broadcast.class, DocumentEntity.topicName(id))),
            OlderOps.fromJournal(journal, testKit.system())),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    k.<Reply>runCommand(r -> new DocumentEntity.Create(ALICE, "Old", r)).reply();
    k.<Reply>runCommand(r -> new DocumentEntity.Share(ALICE, new Principal.User("bob"), Role.EDITOR, r)).reply();
    // alice types e, d, c, b, a, each at the start: versions 1 to 5, "abcde"
    String letters = "edcba";
    for (int v = 0; v < letters.length(); v++) {
      var ops = io.tandem.protocol.DeltaJson.parse("[{\"insert\":\"" + letters.charAt(v) + "\"}]");
      long seq = v + 1;
      long base = v;
      assertEquals(new DocumentEntity.Acked("a1", seq, seq),
          k.<Reply>runCommand(r -> new DocumentEntity.Submit(ALICE, "a1", seq, base, ops, r)).reply());
    }
    return k;
  }

  private static Reply awaitReply(EventSourcedBehaviorTestKit<DocumentEntity.Command, DocumentEntity.Event, DocumentEntity.State> k,
      java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<Reply>, DocumentEntity.Command> command) {
    var probe = testKit.<Reply>createTestProbe();
    k.runCommand(command.apply(probe.ref())); // answered later: after the journal is read
    return probe.receiveMessage(java.time.Duration.ofSeconds(10));
  }

  @Test
  void opsOlderThanTheWindowAreReadFromTheJournal() throws Exception {
    var k = withWindow("old-ops", 3, 100);
    // bob saw only "e" (version 1) and types X after it; versions 2 and 3 are no longer in memory
    var late = io.tandem.protocol.DeltaJson.parse("[{\"retain\":1},{\"insert\":\"X\"}]");
    assertEquals(new DocumentEntity.Acked("b1", 1, 6), awaitReply(k, r -> new DocumentEntity.Submit(BOB, "b1", 1, 1, late, r)));
    assertEquals("abcdeX", ((DocumentEntity.Doc) k.getState()).content().text().text(), "transformed through versions 2 to 5");
    assertEquals(new DocumentEntity.Acked("b1", 1, 6), awaitReply(k, r -> new DocumentEntity.Submit(BOB, "b1", 1, 1, late, r)),
        "sent again: the original ack, applied once");

    var page = assertInstanceOf(DocumentEntity.OpsPage.class, awaitReply(k, r -> new DocumentEntity.FetchOps(1, 5, r)));
    assertEquals(List.of(2L, 3L, 4L, 5L), page.ops().stream().map(DocumentEntity.OpMessage::version).toList());
    var joined = assertInstanceOf(DocumentEntity.JoinAccepted.class, awaitReply(k, r -> new DocumentEntity.Join(BOB, "b1", 1L, r)));
    assertNull(joined.content(), "the missed ops, not the snapshot");
    assertEquals(List.of(2L, 3L, 4L, 5L, 6L), joined.ops().stream().map(DocumentEntity.OpMessage::version).toList());
  }

  @Test
  void beyondTheJournalsReachALateOpGetsResyncAndAResumingClientTheSnapshot() throws Exception {
    var k = withWindow("too-old", 2, 3); // versions 4 and 5 in memory; bases from version 2 on are served
    var late = io.tandem.protocol.DeltaJson.parse("[{\"insert\":\"X\"}]");
    var refused = assertInstanceOf(DocumentEntity.OpRefused.class, awaitReply(k, r -> new DocumentEntity.Submit(BOB, "b1", 1, 1, late, r)));
    assertEquals(ErrorCode.RESYNC, refused.code());
    assertEquals("abcde", ((DocumentEntity.Doc) k.getState()).content().text().text(), "nothing changed");
    assertNull(assertInstanceOf(DocumentEntity.OpsPage.class, awaitReply(k, r -> new DocumentEntity.FetchOps(1, 5, r))).ops());
    var joined = assertInstanceOf(DocumentEntity.JoinAccepted.class, awaitReply(k, r -> new DocumentEntity.Join(BOB, "b1", 1L, r)));
    assertEquals("[{\"insert\":\"abcde\"}]", joined.content());
    // within reach: on "de" (version 2), X at the start goes after c, b and a, which won the tie
    assertEquals(new DocumentEntity.Acked("b1", 1, 6), awaitReply(k, r -> new DocumentEntity.Submit(BOB, "b1", 1, 2, late, r)));
    assertEquals("abcXde", ((DocumentEntity.Doc) k.getState()).content().text().text());
  }
}
