package io.tandem.persistence.access;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A document's access list: a role per principal. A user's role is the highest any grant gives
 * them: their own, a group's they belong to, or the link's when they came by it. Only users own;
 * a document always keeps at least one owner, so the last one can be neither removed nor
 * lowered (transfer ownership first). Immutable: every change returns a new list, or a refusal.
 */
public record Acl(List<Grant> grants) {

  /** One principal's role. */
  public record Grant(Principal principal, Role role) {}

  /** Why a change was refused. */
  public enum Refusal {
    /** It would leave the document without an owner. */
    LAST_OWNER,
    /** Only a user can own a document. */
    OWNER_NOT_A_USER,
    /** Ownership goes only to a user the document is already shared with, and not to oneself. */
    NOT_A_TRANSFEREE
  }

  /** A change's outcome: the new list, or why not. */
  public sealed interface Change permits Changed, Refused {}

  public record Changed(Acl acl) implements Change {}

  public record Refused(Refusal refusal) implements Change {}

  public Acl {
    grants = List.copyOf(grants);
  }

  private Acl(Map<Principal, Role> grants) {
    this(grants.entrySet().stream().map(e -> new Grant(e.getKey(), e.getValue())).toList());
  }

  /** The list of a new document: its creator owns it. */
  public static Acl ownedBy(String userId) {
    return new Acl(List.of(new Grant(new Principal.User(userId), Role.OWNER)));
  }

  private Map<Principal, Role> asMap() {
    var map = new LinkedHashMap<Principal, Role>();
    for (Grant g : grants) map.put(g.principal(), g.role());
    return map;
  }

  /** The users who own the document. */
  public List<String> ownerIds() {
    return grants.stream().filter(g -> g.role() == Role.OWNER && g.principal() instanceof Principal.User)
        .map(g -> ((Principal.User) g.principal()).userId()).toList();
  }

  /** The highest role {@code userId} has, through {@code groups} and, when {@code viaLink}, the link. */
  public Optional<Role> roleOf(String userId, Set<String> groups, boolean viaLink) {
    Role best = null;
    for (Grant grant : grants) {
      Principal p = grant.principal();
      boolean applies = p instanceof Principal.User u ? u.userId().equals(userId)
          : p instanceof Principal.Group g ? groups.contains(g.groupId())
          : viaLink; // anyone-with-link
      if (applies && (best == null || grant.role().compareTo(best) > 0)) best = grant.role();
    }
    return Optional.ofNullable(best);
  }

  /** Gives {@code principal} exactly {@code role}. */
  public Change grant(Principal principal, Role role) {
    if (role == Role.OWNER && !(principal instanceof Principal.User)) return new Refused(Refusal.OWNER_NOT_A_USER);
    var next = asMap();
    next.put(principal, role);
    return checked(next);
  }

  /** Takes every grant of {@code principal} away. */
  public Change revoke(Principal principal) {
    var next = asMap();
    next.remove(principal);
    return checked(next);
  }

  /**
   * Makes {@code to} an owner and {@code from} an editor: ownership changes hands in one step.
   * {@code to} must already hold a grant of their own, so a mistyped id cannot take a document
   * out of everyone's hands.
   */
  public Change transferOwnership(String from, String to) {
    var next = asMap();
    if (from.equals(to) || !next.containsKey(new Principal.User(to))) return new Refused(Refusal.NOT_A_TRANSFEREE);
    next.put(new Principal.User(to), Role.OWNER);
    next.put(new Principal.User(from), Role.EDITOR);
    return checked(next);
  }

  public long owners() {
    return grants.stream().filter(g -> g.role() == Role.OWNER).count();
  }

  private static Change checked(Map<Principal, Role> next) {
    boolean owned = next.values().stream().anyMatch(r -> r == Role.OWNER);
    return owned ? new Changed(new Acl(next)) : new Refused(Refusal.LAST_OWNER);
  }
}
