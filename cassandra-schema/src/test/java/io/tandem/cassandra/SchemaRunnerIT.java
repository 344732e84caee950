package io.tandem.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SchemaRunnerIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  @Test
  void everyTableOfTheSchemaExists() {
    Set<String> tables = cassandra.session()
        .execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", cassandra.keyspace())
        .all().stream().map(r -> r.getString("table_name")).collect(Collectors.toSet());
    assertTrue(tables.containsAll(List.of("messages", "tag_views", "tag_write_progress", "tag_scanning", "metadata",
        "all_persistence_ids", "snapshots", "offset_store", "projection_management", "schema_migrations")), tables::toString);
  }

  @Test
  void aSecondRunAppliesNothing() {
    var again = SchemaRunner.apply(cassandra.session(), cassandra.keyspace(), SchemaRunner.Replication.simple(1));
    assertEquals(List.of(), again.applied());
    assertEquals(SchemaRunner.migrations().size(), again.alreadyApplied().size());
  }

  @Test
  void aFileChangedAfterItWasAppliedIsRefused() {
    var changed = SchemaRunner.migrations().stream()
        .map(m -> new SchemaRunner.Migration(m.name(), m.cql() + "\n-- edited", "another checksum")).toList();
    var e = assertThrows(IllegalStateException.class,
        () -> SchemaRunner.apply(cassandra.session(), cassandra.keyspace(), SchemaRunner.Replication.simple(1), changed));
    assertTrue(e.getMessage().contains("was changed after it was applied"), e.getMessage());
  }

  @Test
  void aNewMigrationIsAppliedOnceAfterTheOthers() {
    var more = new java.util.ArrayList<>(SchemaRunner.migrations());
    more.add(new SchemaRunner.Migration("999-test.cql",
        "CREATE TABLE IF NOT EXISTS ${keyspace}.extra (k text PRIMARY KEY);", "c999"));
    var first = SchemaRunner.apply(cassandra.session(), cassandra.keyspace(), SchemaRunner.Replication.simple(1), more);
    var second = SchemaRunner.apply(cassandra.session(), cassandra.keyspace(), SchemaRunner.Replication.simple(1), more);
    assertEquals(List.of("999-test.cql"), first.applied());
    assertEquals(List.of(), second.applied());
  }

  @Test
  void refusesAKeyspaceNameThatIsNotOne() {
    assertThrows(IllegalArgumentException.class,
        () -> SchemaRunner.apply(cassandra.session(), "x; DROP KEYSPACE system", SchemaRunner.Replication.simple(1)));
  }

  @Test
  void replicationReadsBothForms() {
    assertEquals("{'class': 'SimpleStrategy', 'replication_factor': 3}", SchemaRunner.Replication.parse("3").cql());
    assertEquals("{'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 2}", SchemaRunner.Replication.parse("dc1:3, dc2:2").cql());
    assertThrows(IllegalArgumentException.class, () -> SchemaRunner.Replication.parse("dc1"));
  }
}
