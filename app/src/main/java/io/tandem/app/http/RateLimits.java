package io.tandem.app.http;

import com.typesafe.config.Config;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets (Bucket4j) per key: a user for REST calls, a client address for sign-in and
 * sign-up. A bucket holds {@code burst} tokens and gets {@code tokens} back every {@code period};
 * a request takes one or is refused with how long to wait. Idle buckets (full again) are dropped
 * when the map grows past {@code maxKeys}; if it is still full, a new key is refused (for a
 * second) rather than kept or let through: a flood of keys can neither grow the map nor reset
 * the buckets of the keys it holds.
 */
public final class RateLimits {

  /** Whether a request may go, and if not, after how long it may. */
  public record Verdict(boolean allowed, Duration retryAfter) {}

  private final long tokens;
  private final Duration period;
  private final long burst;
  private final int maxKeys;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimits(long tokens, Duration period, long burst, int maxKeys) {
    if (tokens <= 0 || burst < tokens || period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("rate limit needs tokens > 0, burst >= tokens and a positive period");
    }
    this.tokens = tokens;
    this.period = period;
    this.burst = burst;
    this.maxKeys = maxKeys;
  }

  /** From a config block of {@code tokens}, {@code period}, {@code burst}, {@code max-keys}. */
  public static RateLimits from(Config c) {
    return new RateLimits(c.getLong("tokens"), c.getDuration("period"), c.getLong("burst"), c.getInt("max-keys"));
  }

  public Verdict take(String key) {
    Bucket existing = buckets.get(key);
    if (existing == null && buckets.size() >= maxKeys) {
      dropIdle();
      if (buckets.size() >= maxKeys) return new Verdict(false, Duration.ofSeconds(1));
    }
    Bucket bucket = existing != null ? existing : buckets.computeIfAbsent(key, k -> Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(tokens, period).build())
        .build());
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    return new Verdict(probe.isConsumed(), Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }

  /** A refusal if {@code key}'s bucket is empty now, without taking from it; empty if a request could go. */
  public Optional<Verdict> refusal(String key) {
    Bucket bucket = buckets.get(key);
    if (bucket == null) return Optional.empty();
    EstimationProbe probe = bucket.estimateAbilityToConsume(1);
    return probe.canBeConsumed() ? Optional.empty() : Optional.of(new Verdict(false, Duration.ofNanos(probe.getNanosToWaitForRefill())));
  }

  /** How many buckets are kept now. */
  int size() {
    return buckets.size();
  }

  private void dropIdle() {
    buckets.entrySet().removeIf(e -> e.getValue().getAvailableTokens() >= burst);
  }
}
