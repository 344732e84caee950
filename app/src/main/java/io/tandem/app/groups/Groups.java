package io.tandem.app.groups;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Groups of users (schema 006). The user who makes a group owns it and is its first member; only
 * the owner adds and removes members, and any member may leave, except the owner. A user's groups
 * are read on every request, so a change of membership takes effect at once. Sizes are bounded:
 * {@link #MAX_MEMBERS} per group and {@link #MAX_GROUPS} groups per user, so a list of documents
 * reads a bounded number of partitions.
 */
public final class Groups {

  public static final int MAX_MEMBERS = 1000;
  public static final int MAX_GROUPS = 100;
  public static final int MAX_NAME = 100;

  public record Group(String groupId, String name, String ownerId, Instant createdAt, List<String> members) {}

  /** A group a user is in. */
  public record Membership(String groupId, String name) {}

  private final CqlSession session;
  private final PreparedStatement insertGroup;
  private final PreparedStatement insertMember;
  private final PreparedStatement insertByUser;
  private final PreparedStatement deleteMember;
  private final PreparedStatement deleteByUser;
  private final PreparedStatement group;
  private final PreparedStatement members;
  private final PreparedStatement ofUser;

  public Groups(CqlSession session, String keyspace) {
    this.session = session;
    insertGroup = session.prepare("INSERT INTO " + keyspace + ".groups (group_id, name, owner_id, created_at) VALUES (?, ?, ?, ?)");
    insertMember = session.prepare("INSERT INTO " + keyspace + ".group_members (group_id, user_id, added_at) VALUES (?, ?, ?)");
    insertByUser = session.prepare("INSERT INTO " + keyspace + ".groups_by_user (user_id, group_id, name) VALUES (?, ?, ?)");
    deleteMember = session.prepare("DELETE FROM " + keyspace + ".group_members WHERE group_id = ? AND user_id = ?");
    deleteByUser = session.prepare("DELETE FROM " + keyspace + ".groups_by_user WHERE user_id = ? AND group_id = ?");
    group = session.prepare("SELECT name, owner_id, created_at FROM " + keyspace + ".groups WHERE group_id = ?");
    members = session.prepare("SELECT user_id FROM " + keyspace + ".group_members WHERE group_id = ? LIMIT " + (MAX_MEMBERS + 1));
    ofUser = session.prepare("SELECT group_id, name FROM " + keyspace + ".groups_by_user WHERE user_id = ? LIMIT " + (MAX_GROUPS + 1));
  }

  /** Makes a group owned by {@code ownerId}, its first member. */
  public CompletionStage<Group> create(String ownerId, String name) {
    String id = UUID.randomUUID().toString();
    Instant now = Instant.now();
    var batch = BatchStatement.builder(DefaultBatchType.LOGGED)
        .addStatement(insertGroup.bind(id, name, ownerId, now))
        .addStatement(insertMember.bind(id, ownerId, now))
        .addStatement(insertByUser.bind(ownerId, id, name))
        .build();
    return session.executeAsync(batch).thenApply(rs -> new Group(id, name, ownerId, now, List.of(ownerId)));
  }

  /** The group with its members, if it exists. */
  public CompletionStage<Optional<Group>> find(String groupId) {
    return session.executeAsync(group.bind(groupId)).thenCompose(rs -> {
      Row g = rs.one();
      if (g == null) return CompletableFuture.completedFuture(Optional.<Group>empty());
      return session.executeAsync(members.bind(groupId)).thenApply(m -> {
        var ids = new ArrayList<String>();
        for (Row r : m.currentPage()) ids.add(r.getString("user_id"));
        return Optional.of(new Group(groupId, g.getString("name"), g.getString("owner_id"), g.getInstant("created_at"), ids));
      });
    });
  }

  /** The ids of the groups {@code userId} is in. */
  public CompletionStage<Set<String>> of(String userId) {
    return memberships(userId).thenApply(ms -> {
      var ids = new LinkedHashSet<String>();
      for (Membership m : ms) ids.add(m.groupId());
      return ids;
    });
  }

  /** The groups {@code userId} is in, with their names. */
  public CompletionStage<List<Membership>> memberships(String userId) {
    return session.executeAsync(ofUser.bind(userId)).thenApply(rs -> {
      var out = new ArrayList<Membership>();
      for (Row r : rs.currentPage()) out.add(new Membership(r.getString("group_id"), r.getString("name")));
      return out;
    });
  }

  public CompletionStage<Void> add(Group g, String userId) {
    var batch = BatchStatement.builder(DefaultBatchType.LOGGED)
        .addStatement(insertMember.bind(g.groupId(), userId, Instant.now()))
        .addStatement(insertByUser.bind(userId, g.groupId(), g.name()))
        .build();
    return session.executeAsync(batch).thenApply(rs -> null);
  }

  public CompletionStage<Void> remove(Group g, String userId) {
    var batch = BatchStatement.builder(DefaultBatchType.LOGGED)
        .addStatement(deleteMember.bind(g.groupId(), userId))
        .addStatement(deleteByUser.bind(userId, g.groupId()))
        .build();
    return session.executeAsync(batch).thenApply(rs -> null);
  }
}
