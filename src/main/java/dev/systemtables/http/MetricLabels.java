package dev.systemtables.http;

import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;

import java.util.List;

/**
 * Keeps the labels of the HTTP server metrics to a bounded set, whatever clients send. The method label
 * is the only one a client chooses freely (paths are not labelled): every method this service does not
 * serve is counted as {@code OTHER}, so a thousand made-up method names add no series to {@code /metrics}.
 */
public final class MetricLabels {

  /** The methods the service answers; anything else is {@code OTHER}. */
  static final String SERVED = "GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS";

  private MetricLabels() {
  }

  /** Label matches for {@code MicrometerMetricsOptions.setLabelMatches}. */
  public static List<Match> bounded() {
    return List.of(new Match().setDomain(MetricsDomain.HTTP_SERVER).setLabel(Label.HTTP_METHOD.toString())
        .setType(MatchType.REGEX).setValue("(?!(" + SERVED + ")$).*").setAlias("OTHER"));
  }
}
