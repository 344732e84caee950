package io.tandem.projections.docs;

import io.tandem.persistence.access.Acl;
import io.tandem.persistence.access.Principal;
import io.tandem.persistence.access.Role;
import io.tandem.persistence.document.DocumentEntity;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A document's metadata as the lists need it, at the journal sequence number {@code seqNr}: built
 * by folding the entity's tagged events (the projection) or taken from an entity reply (write
 * through). {@code grants} maps a principal's wire form to its role.
 */
public record DocView(String docId, long seqNr, String title, Instant createdAt, Instant updatedAt,
    Instant trashedAt, boolean purged, Map<String, Role> grants) {

  public DocView {
    grants = Collections.unmodifiableMap(new TreeMap<>(grants)); // sorted: every writer picks the same ownerId
  }

  /** The state an entity reply describes. */
  public static DocView of(DocumentEntity.Summary s) {
    return new DocView(s.docId(), s.seqNr(), s.title(), s.createdAt(), s.updatedAt(), s.trashedAt(), false, grants(s.acl()));
  }

  /**
   * The state after {@code event} at {@code seqNr}, from {@code prior} (null before the first
   * event). Null when the event cannot follow {@code prior} (a journal this code did not write).
   */
  public static DocView apply(String docId, DocView prior, DocumentEntity.Event event, long seqNr) {
    if (event instanceof DocumentEntity.Created c) {
      return new DocView(docId, seqNr, c.title(), c.at(), c.at(), null, false, grants(Acl.ownedBy(c.ownerId())));
    }
    if (prior == null) return null;
    if (event instanceof DocumentEntity.Renamed r) return prior.with(seqNr, r.title(), r.at(), prior.trashedAt, prior.grants);
    if (event instanceof DocumentEntity.Trashed t) return prior.with(seqNr, prior.title, t.at(), t.at(), prior.grants);
    if (event instanceof DocumentEntity.Restored r) return prior.with(seqNr, prior.title, r.at(), null, prior.grants);
    if (event instanceof DocumentEntity.AccessChanged a) {
      return prior.with(seqNr, prior.title, a.at(), prior.trashedAt, grants(a.acl()));
    }
    if (event instanceof DocumentEntity.Purged p) { // the title is the owner's content: erased too
      return new DocView(docId, seqNr, "", prior.createdAt, p.at(), prior.trashedAt, true, prior.grants);
    }
    return prior.with(seqNr, prior.title, prior.updatedAt, prior.trashedAt, prior.grants); // not shown in lists
  }

  private DocView with(long seq, String t, Instant updated, Instant trashed, Map<String, Role> g) {
    return new DocView(docId, seq, t, createdAt, updated, trashed, purged, g);
  }

  private static Map<String, Role> grants(Acl acl) {
    var out = new LinkedHashMap<String, Role>();
    for (Acl.Grant g : acl.grants()) out.put(g.principal().wire(), g.role());
    return out;
  }

  /** The principals whose lists show this document: users and groups, never the link. */
  public Set<String> listed() {
    var out = new TreeSet<String>();
    for (String p : grants.keySet()) {
      if (!(Principal.parse(p) instanceof Principal.AnyoneWithLink)) out.add(p);
    }
    return out;
  }

  public boolean trashed() {
    return trashedAt != null;
  }

  /** An owner, shown as "owned by" in lists: the least owner id, whoever computes it. */
  public String ownerId() {
    for (var e : grants.entrySet()) {
      if (e.getValue() == Role.OWNER && Principal.parse(e.getKey()) instanceof Principal.User u) return u.userId();
    }
    return null;
  }
}
