package io.tandem.projections;

import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Gauge;
import kamon.metric.MeasurementUnit;
import kamon.metric.Metric;

/**
 * What a projection reports of itself, per projection name (Kamon; the node serves them at
 * {@code GET /v1/metrics}): the events it handled, and its lag, from an event's journaling to
 * its handling done, for the last event handled on this node. A stalled projection keeps its last
 * lag: it shows as events that stop counting while {@code tandem_ops_applied_total} goes on.
 */
public final class ProjectionMetrics {

  private static final Metric.Gauge LAG = Kamon.gauge("tandem.projection.lag",
      "From an event journaled to the projection done with it, for the last one handled", MeasurementUnit.time().milliseconds());
  private static final Metric.Counter EVENTS = Kamon.counter("tandem.projection.events", "Events a projection handled");

  private final Gauge lag;
  private final Counter events;

  public ProjectionMetrics(String projection) {
    this.lag = LAG.withTag("projection", projection);
    this.events = EVENTS.withTag("projection", projection);
  }

  /** An event journaled at {@code journaledMillis} (epoch) is handled. */
  public void handled(long journaledMillis) {
    lag.update(Math.max(0, System.currentTimeMillis() - journaledMillis));
    events.increment();
  }
}
