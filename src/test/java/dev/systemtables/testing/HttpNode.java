package dev.systemtables.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A running node the tests call over real HTTP (in-process or a separate process). */
public interface HttpNode {

  /** One client for every test: HTTP/1.1, as most REST callers speak it. */
  HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  String baseUrl();

  default Resp get(String path, String token) {
    return send("GET", path, token, null, Map.of());
  }

  default Resp post(String path, String token, String body) {
    return send("POST", path, token, body, Map.of());
  }

  default Resp put(String path, String token, String body) {
    return send("PUT", path, token, body, Map.of());
  }

  default Resp patch(String path, String token, String body) {
    return send("PATCH", path, token, body, Map.of());
  }

  default Resp delete(String path, String token) {
    return send("DELETE", path, token, null, Map.of());
  }

  /** Any request; a null token sends no Authorization header; a body is JSON unless a Content-Type is given. */
  default Resp send(String method, String path, String token, String body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    if (body != null && headers.keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
      b.header("Content-Type", "application/json");
    }
    headers.forEach(b::header);
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      Resp resp = new Resp(r.statusCode(), r.body(), r.headers().map());
      // Every answer a test receives must also be one the contract describes.
      ContractResponses.check(method, path, resp);
      return resp;
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + " on " + baseUrl() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
