package dev.systemtables.http;

import dev.systemtables.testing.Jwts;
import dev.systemtables.testing.RawHttp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays the bad-input corpus ({@code src/test/resources/bad-input}: every class of classes.tsv against
 * every endpoint of endpoints.tsv in its scope) as raw bytes over sockets against a running node, and
 * holds every answer to the rules of the edge: no 5xx, and every error the server writes is an RFC 9457
 * problem ({@code application/problem+json} with type, title, status, detail and code), except that the
 * tRPC endpoint answers its own errors as tRPC envelopes.
 */
@DisplayName("The bad-input corpus: thousands of malformed requests, not one 5xx, every error a problem+json")
class BadInputCorpusTest {

  static final String OTHER_SECRET = "another-secret-0123456789-abcdefghijklmnop";
  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() {
    // Short timeouts: a request the server must wait on (an incomplete body) ends in seconds, not a minute.
    app = TestApp.start(Map.of(), new JsonObject().put("http", new JsonObject()
        .put("idleTimeoutSeconds", 3).put("headersTimeoutSeconds", 2)));
    admin = app.token("corpus-admin", "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  record Endpoint(String method, String path, String kind) {
  }

  record Case(String name, String scope, boolean mayClose, String template) {
  }

  record Request(Case kind, Endpoint endpoint, byte[] bytes) {
    @Override
    public String toString() {
      return kind.name() + " on " + endpoint.method() + " " + endpoint.path();
    }
  }

  static List<String> lines(String resource) throws IOException {
    try (InputStream in = BadInputCorpusTest.class.getResourceAsStream("/bad-input/" + resource)) {
      List<String> out = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) out.add(line);
      }
      return out;
    }
  }

  static List<Request> corpus() throws IOException {
    List<Endpoint> endpoints = lines("endpoints.tsv").stream().map(l -> l.split("\t"))
        .map(f -> new Endpoint(f[0], f[1], f[2])).toList();
    List<Request> requests = new ArrayList<>();
    for (String line : lines("classes.tsv")) {
      String[] f = line.split("\t", 4);
      Case c = new Case(f[0], f[1], f[2].contains("may-close"), f[3]);
      List<Endpoint> targets = switch (c.scope()) {
        case "all" -> endpoints;
        case "token" -> endpoints.stream().filter(e -> List.of("api", "body", "trpc", "trpc-body").contains(e.kind())).toList();
        case "body" -> endpoints.stream().filter(e -> e.kind().equals("body") || e.kind().equals("trpc-body")).toList();
        case "eventbus" -> endpoints.stream().filter(e -> e.kind().equals("eventbus")).toList();
        case "once" -> endpoints.subList(0, 1);
        default -> throw new IllegalArgumentException("unknown scope " + c.scope() + " in " + line);
      };
      for (Endpoint e : targets) requests.add(new Request(c, e, render(c.template(), e)));
    }
    return requests;
  }

  /** A template with its placeholders filled and escapes applied, as bytes. */
  static byte[] render(String template, Endpoint e) {
    String t = template.replace("{method}", e.method())
        .replace("{path}", e.path().replace("{session}", java.util.UUID.randomUUID().toString()))
        .replace("{host}", "127.0.0.1:" + app.port()).replace("{admin}", admin)
        .replace("{exp}", String.valueOf(Jwts.now() + 3600));
    t = expand(t, "rep", (body) -> {
      int colon = body.indexOf(':');
      return body.substring(colon + 1).repeat(Integer.parseInt(body.substring(0, colon)));
    });
    t = expand(t, "jwt", payload -> Jwts.hs256Raw(TestApp.SECRET, unescape(payload)));
    t = expand(t, "jwt-other", payload -> Jwts.hs256Raw(OTHER_SECRET, unescape(payload)));
    t = expand(t, "jwt-none", payload -> b64("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
        + "." + b64(unescape(payload)) + ".");
    byte[] bytes = unescape(t);
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int bodyAt = text.indexOf("\r\n\r\n");
    if (text.contains("{len}") && bodyAt >= 0) {
      int length = bytes.length - bodyAt - 4;
      text = text.replace("{len}", String.valueOf(length));
      bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    }
    return bytes;
  }

  /** Replaces each {@code {name:...:name}} with what {@code fill} makes of its inside. */
  static String expand(String t, String name, java.util.function.Function<String, String> fill) {
    String open = "{" + name + ":";
    String close = ":" + name + "}";
    int at;
    while ((at = t.indexOf(open)) >= 0) {
      int end = t.indexOf(close, at + open.length());
      t = t.substring(0, at) + fill.apply(t.substring(at + open.length(), end)) + t.substring(end + close.length());
    }
    return t;
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Applies the escapes {@code \r \n \t \\ \xNN}; other characters become their ISO-8859-1 byte. */
  static byte[] unescape(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(i + 1);
        switch (n) {
          case 'r' -> { out.write('\r'); i++; continue; }
          case 'n' -> { out.write('\n'); i++; continue; }
          case 't' -> { out.write('\t'); i++; continue; }
          case '\\' -> { out.write('\\'); i++; continue; }
          case 'x' -> { out.write(Integer.parseInt(s.substring(i + 2, i + 4), 16)); i += 3; continue; }
          default -> { }
        }
      }
      out.write(c);
    }
    return out.toByteArray();
  }

  /** Why an answer breaks the rules, or null. */
  static String violation(Request r, RawHttp.Answer a) {
    if (!a.answered()) return r.kind().mayClose() ? null : "closed without an answer";
    if (a.status() >= 500) return "answered " + a;
    if (a.status() < 400) return null;
    String type = a.header("Content-Type");
    boolean trpc = r.endpoint().kind().startsWith("trpc");
    if (trpc && type != null && type.startsWith("application/json")) {
      // The tRPC endpoint's own error envelope, which its clients read.
      try {
        return a.json().containsKey("error") ? null : "tRPC error without an error envelope: " + a;
      } catch (RuntimeException e) {
        return "tRPC error body is not JSON: " + a;
      }
    }
    if (!"application/problem+json".equals(type)) return "error without problem+json: " + a;
    if (new String(r.bytes(), 0, 5, StandardCharsets.ISO_8859_1).startsWith("HEAD ")) return null;
    try {
      JsonObject p = a.json();
      for (String member : List.of("type", "title", "status", "detail", "code")) {
        if (!p.containsKey(member)) return "problem without " + member + ": " + a;
      }
      if (p.getInteger("status") != a.status()) return "problem status differs from the answer's: " + a;
    } catch (RuntimeException e) {
      return "problem body is not JSON: " + a;
    }
    return null;
  }

  @Test
  @DisplayName("Every request of the corpus gets a non-5xx answer, and every error answer is a problem+json")
  void replay() throws Exception {
    List<Request> corpus = corpus();
    assertThat(corpus).as("the corpus holds at least 2,000 requests").hasSizeGreaterThanOrEqualTo(2_000);

    Map<Integer, AtomicInteger> statuses = new TreeMap<>();
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    AtomicInteger closed = new AtomicInteger();
    long started = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (Request r : corpus) {
      pool.submit(() -> {
        RawHttp.Answer a;
        try {
          a = RawHttp.send(app.port(), r.bytes(), 10_000);
        } catch (RuntimeException e) {
          violations.add(r + ": " + e);
          return;
        }
        if (!a.answered()) closed.incrementAndGet();
        synchronized (statuses) {
          statuses.computeIfAbsent(a.status(), s -> new AtomicInteger()).incrementAndGet();
        }
        String why = violation(r, a);
        if (why != null) violations.add(r + ": " + (why.length() > 300 ? why.substring(0, 300) : why));
      });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(5, TimeUnit.MINUTES)).isTrue();
    System.out.printf("[corpus] %d requests in %d ms; statuses %s; closed without an answer (allowed): %d%n",
        corpus.size(), (System.nanoTime() - started) / 1_000_000, statuses, closed.get());
    violations.forEach(v -> System.out.println("[corpus] violation: " + v));
    assertThat(violations).as(violations.size() + " violations").isEmpty();
  }
}
