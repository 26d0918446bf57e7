package dev.systemtables.http;

import dev.systemtables.testing.AppProcess;
import dev.systemtables.testing.TestApp;
import dev.systemtables.testing.TestDatabases;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("slow")
@DisplayName("Text responses name charset=UTF-8 whatever the JVM's default charset")
class TextCharsetIT {

  @Test
  @DisplayName("With java -jar under LANG=C (default charset US-ASCII), every text response says UTF-8 and its bytes are UTF-8")
  void textIsUtf8UnderLangC() throws Exception {
    int port = TestApp.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("HTTP_PORT", String.valueOf(port));
    env.put("DATABASE_URL", TestDatabases.freshDatabase());
    env.put("JWT_SECRET", TestApp.SECRET);
    env.put("LANG", "C");
    for (String unset : List.of("LC_ALL", "LC_CTYPE", "LANGUAGE", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) env.put(unset, null);
    try (AppProcess node = AppProcess.start("charset", env)) {
      node.awaitReady(Duration.ofSeconds(90));
      HttpClient http = HttpClient.newHttpClient();
      for (String path : List.of("/", "/assets/bell.js", "/assets/bell.css", "/metrics", "/eventbus/iframe.html",
          "/eventbus/")) {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        String type = r.headers().firstValue("Content-Type").orElse("");
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(type).as(path).startsWith("text/");
        assertThat(type.toLowerCase(Locale.ROOT).replace(" ", "")).as(path + ": " + type).contains("charset=utf-8");
      }
      HttpResponse<byte[]> page = http.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/")).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(new String(page.body(), StandardCharsets.UTF_8)).contains("Notifications · system-tables");
    }
  }
}
