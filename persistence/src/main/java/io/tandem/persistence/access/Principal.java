package io.tandem.persistence.access;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Whom a document is shared with, as PROTOCOL.md writes it: {@code user:<userId>},
 * {@code group:<groupId>}, or {@code anyone-with-link}.
 */
@com.fasterxml.jackson.annotation.JsonTypeInfo(use = com.fasterxml.jackson.annotation.JsonTypeInfo.Id.NAME, property = "kind")
@com.fasterxml.jackson.annotation.JsonSubTypes({
  @com.fasterxml.jackson.annotation.JsonSubTypes.Type(value = Principal.User.class, name = "user"),
  @com.fasterxml.jackson.annotation.JsonSubTypes.Type(value = Principal.Group.class, name = "group"),
  @com.fasterxml.jackson.annotation.JsonSubTypes.Type(value = Principal.AnyoneWithLink.class, name = "link")
})
public sealed interface Principal permits Principal.User, Principal.Group, Principal.AnyoneWithLink {

  Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  @com.fasterxml.jackson.annotation.JsonIgnore
  String wire();

  record User(String userId) implements Principal {
    public User {
      requireId(userId);
    }

    @Override
    public String wire() {
      return "user:" + userId;
    }
  }

  record Group(String groupId) implements Principal {
    public Group {
      requireId(groupId);
    }

    @Override
    public String wire() {
      return "group:" + groupId;
    }
  }

  record AnyoneWithLink() implements Principal {
    @Override
    public String wire() {
      return "anyone-with-link";
    }
  }

  /** The principal of a wire name, or null when it is not one. */
  static Principal parse(String wire) {
    if (wire == null) return null;
    if (wire.equals("anyone-with-link")) return new AnyoneWithLink();
    int colon = wire.indexOf(':');
    if (colon < 0) return null;
    String id = wire.substring(colon + 1);
    if (!ID.matcher(id).matches()) return null;
    return switch (wire.substring(0, colon)) {
      case "user" -> new User(id);
      case "group" -> new Group(id);
      default -> null;
    };
  }

  private static void requireId(String id) {
    Objects.requireNonNull(id, "id");
    if (!ID.matcher(id).matches()) throw new IllegalArgumentException("not an id: " + id);
  }
}
