package io.tandem.persistence.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AclTest {

  private static final Principal ALICE = new Principal.User("alice");
  private static final Principal BOB = new Principal.User("bob");
  private static final Principal TEAM = new Principal.Group("team");
  private static final Principal LINK = new Principal.AnyoneWithLink();

  private static Acl changed(Acl.Change c) {
    if (c instanceof Acl.Changed changed) return changed.acl();
    throw new AssertionError("refused: " + c);
  }

  @Test
  void theCreatorOwns() {
    assertEquals(Optional.of(Role.OWNER), Acl.ownedBy("alice").roleOf("alice", Set.of(), false));
    assertEquals(Optional.empty(), Acl.ownedBy("alice").roleOf("bob", Set.of(), true));
  }

  @Test
  void aUsersRoleIsTheHighestAnyGrantGives() {
    Acl acl = changed(changed(changed(Acl.ownedBy("alice").grant(BOB, Role.VIEWER)).grant(TEAM, Role.EDITOR))
        .grant(LINK, Role.COMMENTER));
    assertEquals(Optional.of(Role.VIEWER), acl.roleOf("bob", Set.of(), false));
    assertEquals(Optional.of(Role.COMMENTER), acl.roleOf("bob", Set.of(), true));
    assertEquals(Optional.of(Role.EDITOR), acl.roleOf("bob", Set.of("team"), true));
    assertEquals(Optional.of(Role.COMMENTER), acl.roleOf("stranger", Set.of("other"), true));
    assertEquals(Optional.empty(), acl.roleOf("stranger", Set.of("other"), false));
  }

  @Test
  void theLastOwnerCanBeNeitherRemovedNorLowered() {
    Acl acl = Acl.ownedBy("alice");
    assertEquals(new Acl.Refused(Acl.Refusal.LAST_OWNER), acl.revoke(ALICE));
    assertEquals(new Acl.Refused(Acl.Refusal.LAST_OWNER), acl.grant(ALICE, Role.EDITOR));
    Acl two = changed(acl.grant(BOB, Role.OWNER));
    assertEquals(Optional.empty(), changed(two.revoke(ALICE)).roleOf("alice", Set.of(), false));
  }

  @Test
  void onlyUsersOwn() {
    assertEquals(new Acl.Refused(Acl.Refusal.OWNER_NOT_A_USER), Acl.ownedBy("alice").grant(TEAM, Role.OWNER));
    assertEquals(new Acl.Refused(Acl.Refusal.OWNER_NOT_A_USER), Acl.ownedBy("alice").grant(LINK, Role.OWNER));
  }

  @Test
  void ownershipChangesHandsInOneStep() {
    var refused = new Acl.Refused(Acl.Refusal.NOT_A_TRANSFEREE);
    assertEquals(refused, Acl.ownedBy("alice").transferOwnership("alice", "bob"), "bob has no grant: perhaps a typo");
    assertEquals(refused, Acl.ownedBy("alice").transferOwnership("alice", "alice"));
    Acl shared = changed(Acl.ownedBy("alice").grant(new Principal.User("bob"), Role.VIEWER));
    Acl acl = changed(shared.transferOwnership("alice", "bob"));
    assertEquals(Optional.of(Role.OWNER), acl.roleOf("bob", Set.of(), false));
    assertEquals(Optional.of(Role.EDITOR), acl.roleOf("alice", Set.of(), false));
    assertEquals(1, acl.owners());
  }

  @Test
  void principalsReadAndWriteTheirWireNames() {
    for (Principal p : new Principal[] {ALICE, TEAM, LINK}) assertEquals(p, Principal.parse(p.wire()));
    assertNull(Principal.parse("user:"));
    assertNull(Principal.parse("robot:x"));
    assertNull(Principal.parse("user:a b"));
    assertNull(Principal.parse(null));
    assertTrue(Role.EDITOR.atLeast(Role.COMMENTER));
    assertEquals(Role.COMMENTER, Role.fromWire("commenter"));
    assertNull(Role.fromWire("admin"));
  }
}
