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
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
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
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), DocumentEntity.create("d1", Clock.systemUTC()));
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
    var purge = kit.<Reply>runCommand(r -> new DocumentEntity.Purge(java.time.Instant.now().plusSeconds(1), r));
    assertTrue(((DocumentEntity.PurgeResult) purge.reply()).purged());
    assertInstanceOf(DocumentEntity.Purged.class, purge.event());
    assertRejected(ErrorCode.NOT_FOUND, run(r -> new DocumentEntity.Get(ALICE, r)));
    assertRejected(ErrorCode.NOT_FOUND, run(r -> new DocumentEntity.Restore(ALICE, r)));
    assertRejected(ErrorCode.CONFLICT, run(r -> new DocumentEntity.Create(ALICE, "reuse", r)));
    assertInstanceOf(DocumentEntity.Gone.class, kit.restart().state());
    assertRejected(ErrorCode.NOT_FOUND, run(r -> new DocumentEntity.Share(ALICE, new Principal.User("bob"), Role.VIEWER, r)));
  }
}
