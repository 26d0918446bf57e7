package dev.systemtables.http;

import dev.systemtables.testing.RawHttp;
import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Metric labels stay bounded: made-up methods and unmatched paths add no series")
class MetricLabelsTest {

  static TestApp app;

  @BeforeAll
  static void start() {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static final Pattern METHOD = Pattern.compile("method=\"([^\"]*)\"");

  static String metrics() {
    Resp r = app.get("/metrics", null);
    assertThat(r.status()).isEqualTo(200);
    return r.body();
  }

  static Set<String> httpServerSeries(String metrics) {
    Set<String> series = new TreeSet<>();
    for (String line : metrics.split("\n")) {
      if (line.startsWith("vertx_http_server")) series.add(line.substring(0, line.lastIndexOf(' ')));
    }
    return series;
  }

  static void madeUpRequests(int n) {
    for (int i = 0; i < n; i++) {
      String method = "M" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toUpperCase();
      RawHttp.send(app.port(), method + " /nothing/" + UUID.randomUUID() + " HTTP/1.1\r\nHost: a\r\n\r\n");
      RawHttp.send(app.port(), method + " /api/v1/me HTTP/1.1\r\nHost: a\r\n\r\n");
    }
  }

  @Test
  @DisplayName("Unknown methods are counted under one method label, OTHER, and sending more adds no series")
  void unknownMethodsShareOneLabel() {
    madeUpRequests(20);
    metrics(); // a scrape is a GET: its own series exist from here on
    Set<String> before = httpServerSeries(metrics());
    madeUpRequests(50);
    String metrics = metrics();
    Set<String> after = httpServerSeries(metrics);

    Set<String> methods = new TreeSet<>();
    for (String line : after) {
      Matcher m = METHOD.matcher(line);
      if (m.find()) methods.add(m.group(1));
    }
    assertThat(methods).contains("OTHER").isSubsetOf("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER");
    assertThat(after).as("no new series from 50 more made-up methods on unmatched paths").isEqualTo(before);
    assertThat(metrics).doesNotContain("/nothing/");
  }
}
