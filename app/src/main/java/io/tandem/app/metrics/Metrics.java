package io.tandem.app.metrics;

import com.typesafe.config.Config;
import kamon.Kamon;
import kamon.prometheus.PrometheusReporter;

/**
 * This JVM's metrics: Kamon (the instruments are where things happen: the document entity, the
 * projections, the connections) with its Prometheus reporter, whose text {@code GET /v1/metrics}
 * serves. Kamon is one per JVM: a second node in the same JVM (tests) shares it.
 */
public final class Metrics {

  private static PrometheusReporter reporter;

  private Metrics() {}

  /** Starts Kamon with {@code config} (its {@code kamon} section) and the reporter, once per JVM. */
  public static synchronized PrometheusReporter start(Config config) {
    if (reporter == null) {
      Kamon.initWithoutAttaching(config); // no Kanela agent: the instruments are explicit
      reporter = new PrometheusReporter(PrometheusReporter.DefaultConfigPath(), Kamon.config());
      Kamon.addReporter("tandem-prometheus", reporter);
    }
    return reporter;
  }
}
