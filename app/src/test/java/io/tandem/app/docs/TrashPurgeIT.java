package io.tandem.app.docs;

import static io.tandem.app.TestApi.ok;
import static io.tandem.app.TestApi.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.tandem.app.Node;
import io.tandem.app.TestApi;
import io.tandem.app.TestApi.User;
import io.tandem.app.TestNode;
import io.tandem.cassandra.TestCassandra;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The trash is emptied after the retention: purged documents are gone for everyone, for ever. */
class TrashPurgeIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static Node node;
  private static final TestApi api = new TestApi(() -> node);
  private static User alice;

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.parseMap(Map.of(
            "tandem.auth.bcrypt-cost", 4,
            "tandem.trash.retention", "3s",
            "tandem.trash.purge-interval", "500ms"))
        .withFallback(TestNode.config(cassandra)));
    alice = api.register("alice");
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  private static int trashSize() throws Exception {
    return ok(api.send("GET", "/v1/docs?shelf=trash", alice, null), 200).get("items").size();
  }

  @Test
  void aDocumentLeftInTheTrashIsPurgedAndOneRestoredIsKept() throws Exception {
    String gone = api.create(alice, "Old draft");
    String kept = api.create(alice, "Keeper");
    ok(api.send("DELETE", "/v1/docs/" + gone, alice, null), 200);
    ok(api.send("DELETE", "/v1/docs/" + kept, alice, null), 200);
    assertEquals(2, trashSize());
    ok(api.send("POST", "/v1/docs/" + kept + "/restore", alice, null), 200);

    for (int i = 0; i < 600 && trashSize() > 0; i++) Thread.sleep(100); // retention, projection lag, a pass
    assertEquals(0, trashSize(), "emptied");
    problem(api.send("GET", "/v1/docs/" + gone, alice, null), 404, "not_found");
    problem(api.send("POST", "/v1/docs/" + gone + "/restore", alice, null), 404, "not_found");
    JsonNode keeper = ok(api.send("GET", "/v1/docs/" + kept, alice, null), 200);
    assertEquals("Keeper", keeper.get("title").asText());
    var active = ok(api.send("GET", "/v1/docs", alice, null), 200).get("items");
    assertEquals(1, active.size());
    assertEquals(kept, active.get(0).get("id").asText());
  }
}
