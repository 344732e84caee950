package io.tandem.app.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.app.Node;
import io.tandem.app.TestNode;
import io.tandem.cassandra.TestCassandra;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The browser client in Debian's headless Chromium (web/test/*.mjs, playwright-core), against a
 * real node serving the pages it was built with and the build's Cassandra. Each script is one
 * scenario; it fails with its assertion and the seed to replay it.
 */
class BrowserIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static final Path WEB = Path.of(System.getProperty("tandem.web", "../web"));
  private static final Path SCREENSHOTS = Path.of("target/screenshots");
  private static Node node;

  @BeforeAll
  static void start() throws Exception {
    // a short memory, so that resync.mjs can outrun it: 50 ops in memory, 100 read back from the journal
    node = Node.start(com.typesafe.config.ConfigFactory.parseString("tandem.docs { window-ops = 50, journal-ops = 100 }")
        .withFallback(TestNode.config(cassandra)));
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  @Test
  void theSyncsPositionMappingAndRebaseHoldOnSeededRandomTextsAndOps() throws Exception {
    run("test/sync-unit.mjs", "3000");
  }

  @Test
  void twoBrowsersTypingAtRandomPlacesConvergeOnTheServersTextWithFormattingAndCursors() throws Exception {
    run("test/coedit.mjs", "250");
  }

  @Test
  void editsMadeOfflineArriveOnReconnectAndAfterThePageWasClosedWithNothingLost() throws Exception {
    run("test/offline.mjs", "60");
  }

  @Test
  void aReconnectPastWhatTheServerKeepsRebasesTheUnsentEditsOnTheSnapshotWithoutLosingOrDoublingAny() throws Exception {
    run("test/resync.mjs", "130");
  }

  @Test
  void twoTabsOfOneUserSendUnderTheirOwnClientIdsAndBothClosedOfflineTheirEditsArriveOnTheNextOpen() throws Exception {
    run("test/tabs.mjs");
  }

  @Test
  void theScreenshotsOfTheEditorWithTwoCursorsTheDocumentListAndTheShareDialog() throws Exception {
    run("test/screens.mjs");
  }

  @Test
  void theHistoryPanelListsSessionsNamesAVersionPreviewsItsChangesAndRestoresIt() throws Exception {
    run("test/history.mjs");
  }

  @Test
  void signUpCreateShareByUsernameAndTheOtherFindsItAViewerCannotEditARevokedUserIsTold() throws Exception {
    run("test/journey.mjs");
  }

  private static void run(String script, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", script, TestNode.base(node).toString()));
    command.addAll(List.of(args));
    var pb = new ProcessBuilder(command).directory(WEB.toFile()).redirectErrorStream(true);
    pb.environment().put("SCREENSHOTS", SCREENSHOTS.toAbsolutePath().toString());
    Process p = pb.start();
    // the script's own output, read while it runs (a full pipe would stall it)
    var out = new StringBuilder();
    Thread reader = new Thread(() -> {
      try {
        out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException ignored) {
        // the process ended
      }
    });
    reader.start();
    boolean ended = p.waitFor(5, TimeUnit.MINUTES);
    if (!ended) p.destroyForcibly();
    reader.join(10_000);
    System.out.println(out);
    assertTrue(ended, script + " did not end in 5 minutes:\n" + out);
    assertEquals(0, p.exitValue(), script + " failed:\n" + out);
  }
}
