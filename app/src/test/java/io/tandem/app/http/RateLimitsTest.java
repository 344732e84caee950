package io.tandem.app.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitsTest {

  @Test
  void aKeyGetsItsBurstThenWaits() {
    var limits = new RateLimits(1, Duration.ofHours(1), 3, 100);
    for (int i = 0; i < 3; i++) assertTrue(limits.take("a").allowed());
    var refused = limits.take("a");
    assertFalse(refused.allowed());
    assertTrue(refused.retryAfter().compareTo(Duration.ofMinutes(59)) > 0, refused.retryAfter()::toString);
    assertTrue(limits.take("b").allowed(), "keys do not share a bucket");
  }

  @Test
  void aFloodOfKeysNeitherGrowsTheMapNorResetsBusyBuckets() {
    var limits = new RateLimits(1, Duration.ofHours(1), 1, 10);
    assertTrue(limits.take("victim").allowed());
    for (int i = 0; i < 1_000; i++) {
      limits.take("key-" + i);
      assertTrue(limits.size() <= 10, () -> limits.size() + " buckets");
    }
    assertFalse(limits.take("victim").allowed(), "the busy bucket was kept, not reset");
  }

  @Test
  void refusesNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new RateLimits(0, Duration.ofSeconds(1), 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new RateLimits(5, Duration.ofSeconds(1), 1, 1));
  }
}
