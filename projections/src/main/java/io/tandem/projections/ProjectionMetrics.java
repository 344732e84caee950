package io.tandem.projections;

import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Gauge;
import kamon.metric.MeasurementUnit;
import kamon.metric.Metric;

/**
 * What an instance of a projection reports of itself, by projection name and tag (Kamon; the
 * node serves them at {@code GET /v1/metrics}): the events it handled, and its lag, from an
 * event's journaling to its handling done, for the last event it handled. A stalled instance
 * keeps its last lag: it shows as events that stop counting while
 * {@code tandem_ops_applied_total} goes on.
 */
public final class ProjectionMetrics {

  private static final Metric.Gauge LAG = Kamon.gauge("tandem.projection.lag",
      "From an event journaled to the projection done with it, for the last one handled", MeasurementUnit.time().milliseconds());
  private static final Metric.Counter EVENTS = Kamon.counter("tandem.projection.events", "Events a projection handled");

  private final Gauge lag;
  private final Counter events;

  public ProjectionMetrics(String projection, String tag) {
    var tags = kamon.tag.TagSet.builder().add("projection", projection).add("tag", tag).build();
    this.lag = LAG.withTags(tags);
    this.events = EVENTS.withTags(tags);
  }

  /** An event journaled at {@code journaledMillis} (epoch) is handled. */
  public void handled(long journaledMillis) {
    lag.update(Math.max(0, System.currentTimeMillis() - journaledMillis));
    events.increment();
  }
}
