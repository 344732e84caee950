package io.tandem.persistence.access;

import java.util.Locale;

/** What a user may do with a document, each role including the ones before it. */
public enum Role {
  /** Reads the document, its history and its comments. */
  VIEWER,
  /** A viewer who also comments and suggests edits. */
  COMMENTER,
  /** A commenter who also edits, renames, reverts and names versions. */
  EDITOR,
  /** An editor who also shares, deletes, restores and transfers ownership. */
  OWNER;

  public boolean atLeast(Role other) {
    return compareTo(other) >= 0;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role of a wire name ({@code owner}, {@code editor}, {@code commenter}, {@code viewer}), or null. */
  public static Role fromWire(String wire) {
    for (Role r : values()) if (r.wire().equals(wire)) return r;
    return null;
  }
}
