package dev.systemtables.push;

import dev.systemtables.testing.BridgeClient;
import dev.systemtables.testing.Jwts;
import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

@DisplayName("Push over the SockJS event-bus bridge: each user hears only their own inbox")
class PushBridgeTest {

  static TestApp app;
  static String admin;

  @BeforeAll
  static void start() {
    app = TestApp.start();
    admin = app.token("admin-" + UUID.randomUUID(), "ADMIN");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static String user() {
    String id = "pu-" + UUID.randomUUID();
    assertThat(app.put("/api/v1/users/" + id, admin, "{\"role\":\"CREATOR\"}").status()).isEqualTo(200);
    return id;
  }

  static String create(String userId, String title) {
    Resp r = app.post("/api/v1/notifications", admin, new JsonObject().put("userId", userId).put("type", "LICENSE")
        .put("title", title).put("message", "m").encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data().getJsonArray("notificationIds").getString(0);
  }

  @Test
  @DisplayName("A registered user receives notification.created for their own address within a second")
  void ownAddressReceivesCreated() throws Exception {
    String u = user();
    String address = BrowserAddresses.user(u);
    try (BridgeClient client = BridgeClient.connect(app.port())) {
      client.register(address, app.token(u, "CREATOR"));
      client.awaitRegistered(address);

      String id = create(u, "Your licence is ready");
      JsonObject frame = client.next(BridgeClient.messageOn(address), 1_000);
      assertThat(frame).as("notification.created within a second").isNotNull();
      JsonObject event = frame.getJsonObject("body");
      assertThat(event.getString("event")).isEqualTo("notification.created");
      assertThat(event.getInteger("unreadCount")).isEqualTo(1);
      assertThat(event.getJsonObject("notification").getString("id")).isEqualTo(id);
      assertThat(event.getJsonObject("notification").getString("title")).isEqualTo("Your licence is ready");

      Resp read = app.post("/api/v1/notifications/" + id + "/read", app.token(u, "CREATOR"), null);
      assertThat(read.status()).isEqualTo(200);
      JsonObject readEvent = client.next(BridgeClient.messageOn(address), 1_000).getJsonObject("body");
      assertThat(readEvent.getString("event")).isEqualTo("notification.read");
      assertThat(readEvent.getInteger("unreadCount")).isZero();
    }
  }

  @Test
  @DisplayName("A register that took effect is acknowledged to its own socket alone, and a push made right after arrives")
  void registerIsAcknowledged() throws Exception {
    String u = user();
    String address = BrowserAddresses.user(u);
    String token = app.token(u, "CREATOR");
    try (BridgeClient first = BridgeClient.connect(app.port()); BridgeClient second = BridgeClient.connect(app.port())) {
      first.register(address, token);
      first.awaitRegistered(address);
      first.register(BrowserAddresses.FLAGS_CHANGED, token);
      first.awaitRegistered(BrowserAddresses.FLAGS_CHANGED);
      second.register(address, token);
      JsonObject ack = second.next(BridgeClient.messageOn(address), 10_000);
      assertThat(ack).as("the second socket's acknowledgement; frames " + second.seen()).isNotNull();
      assertThat(ack.getJsonObject("body")).isEqualTo(new JsonObject().put("event", "registered"));

      // Made the moment the acknowledgement arrived: no probe, no sleep.
      String id = create(u, "right after the acknowledgement");
      assertThat(second.awaitMessage(address, b -> "notification.created".equals(b.getString("event")),
          Duration.ofSeconds(5)).getJsonObject("notification").getString("id")).isEqualTo(id);
      JsonObject firstNext = first.next(BridgeClient.messageOn(address), 5_000);
      assertThat(firstNext).as("frames " + first.seen()).isNotNull();
      assertThat(firstNext.getJsonObject("body").getString("event"))
          .as("the first socket did not hear the second's acknowledgement").isEqualTo("notification.created");
    }
  }

  @Test
  @DisplayName("Registering another user's address is refused with an error frame, and nothing of theirs arrives")
  void otherUsersAddressIsRefused() throws Exception {
    String me = user();
    String victim = user();
    String mine = BrowserAddresses.user(me);
    String theirs = BrowserAddresses.user(victim);
    try (BridgeClient client = BridgeClient.connect(app.port())) {
      client.register(theirs, app.token(me, "CREATOR"));
      JsonObject err = client.next(BridgeClient.errFor(theirs), 5_000);
      assertThat(err).as("an err frame naming the address").isNotNull();
      assertThat(err.getString("message")).contains("another user");

      // Same socket, own address allowed; a create for the victim published before one for me
      // would arrive first if it were delivered at all.
      client.register(mine, app.token(me, "CREATOR"));
      client.awaitRegistered(mine);
      client.clear();
      create(victim, "victim's secret");
      create(me, "mine");
      JsonObject next = client.next(f -> "rec".equals(f.getString("type")), 5_000);
      assertThat(next.getString("address")).isEqualTo(mine);
      assertThat(next.getJsonObject("body").getJsonObject("notification").getString("title")).isEqualTo("mine");
      assertThat(client.next(BridgeClient.messageOn(theirs), 300)).isNull();
    }
  }

  @Test
  @DisplayName("No token, an expired or forged token, a regex-looking address and a duplicate register are refused")
  void badRegistersAreRefused() throws Exception {
    String u = user();
    String address = BrowserAddresses.user(u);
    String expired = Jwts.hs256(TestApp.SECRET, new JsonObject().put("sub", u).put("role", "CREATOR")
        .put("exp", Jwts.now() - 10));
    String forged = Jwts.hs256("another-secret-0123456789-abcdefghijklmnop", new JsonObject().put("sub", u)
        .put("role", "CREATOR").put("exp", Jwts.now() + 600));
    try (BridgeClient client = BridgeClient.connect(app.port())) {
      client.register(address, null);
      assertThat(client.next(BridgeClient.errFor(address), 5_000)).as("without a token").isNotNull();
      client.register(address, expired);
      assertThat(client.next(BridgeClient.errFor(address), 5_000)).as("with an expired token").isNotNull();
      client.register(address, forged);
      assertThat(client.next(BridgeClient.errFor(address), 5_000)).as("with a forged token").isNotNull();
      for (String pattern : new String[] {"notifications.user..*", "notifications\\.user\\..+", "notifications.user.*"}) {
        client.register(pattern, app.token(u, "CREATOR"));
        assertThat(client.next(BridgeClient.errFor(pattern), 5_000)).as(pattern).isNotNull();
      }
      client.register("users.upsert", app.token(u, "CREATOR"));
      assertThat(client.next(BridgeClient.errFor("users.upsert"), 5_000)).as("a domain address").isNotNull();

      client.clear();
      create(u, "before registering");
      assertThat(client.next(BridgeClient.messageOn(address), 300)).as("refused registers deliver nothing").isNull();

      client.register(address, app.token(u, "CREATOR"));
      client.awaitRegistered(address);
      client.register(address, app.token(u, "CREATOR"));
      JsonObject dup = client.next(BridgeClient.errFor(address), 5_000);
      assertThat(dup).as("a duplicate register").isNotNull();
      assertThat(dup.getString("message")).contains("already registered");
    }
  }

  @Test
  @DisplayName("Browsers may not send or publish to any address")
  void inboundIsRefused() throws Exception {
    String u = user();
    String address = BrowserAddresses.user(u);
    BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    MessageConsumer<Object> spy = app.app().vertx().eventBus().consumer(address, m -> received.add(m.body()));
    MessageConsumer<Object> flagSpy = app.app().vertx().eventBus().consumer(BrowserAddresses.FLAGS_CHANGED,
        m -> received.add(m.body()));
    spy.completion().await();
    flagSpy.completion().await();
    try (BridgeClient client = BridgeClient.connect(app.port())) {
      JsonObject fake = new JsonObject().put("event", "notification.created").put("unreadCount", 999);
      JsonObject auth = new JsonObject().put("Authorization", "Bearer " + app.token(u, "ADMIN"));
      client.send(new JsonObject().put("type", "publish").put("address", address).put("body", fake).put("headers", auth));
      assertThat(client.next(BridgeClient.errFor(address), 5_000)).as("publish").isNotNull();
      client.send(new JsonObject().put("type", "send").put("address", address).put("body", fake).put("headers", auth));
      assertThat(client.next(BridgeClient.errFor(address), 5_000)).as("send").isNotNull();
      client.send(new JsonObject().put("type", "publish").put("address", BrowserAddresses.FLAGS_CHANGED)
          .put("body", new JsonObject().put("event", "flags.changed")));
      assertThat(client.next(BridgeClient.errFor(BrowserAddresses.FLAGS_CHANGED), 5_000)).isNotNull();
      client.send(new JsonObject().put("type", "send").put("address", "notifications.read-all")
          .put("body", new JsonObject().put("userId", u)).put("replyAddress", "r-1"));
      assertThat(client.next(BridgeClient.errFor("notifications.read-all"), 5_000)).isNotNull();
      assertThat(received.poll(300, TimeUnit.MILLISECONDS)).as("nothing reached the event bus").isNull();
    } finally {
      spy.unregister().await();
      flagSpy.unregister().await();
    }
  }

  @Test
  @DisplayName("The SockJS transport (what the official JavaScript client speaks) is guarded the same way")
  void sockJsFraming() throws Exception {
    String u = user();
    String address = BrowserAddresses.user(u);
    BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + app.port() + "/eventbus/000/" + UUID.randomUUID() + "/websocket"),
            new WebSocket.Listener() {
              @Override
              public CompletionStage<?> onText(WebSocket s, CharSequence data, boolean last) {
                texts.add(data.toString());
                s.request(1);
                return null;
              }
            }).join();
    try {
      assertThat(texts.poll(5, TimeUnit.SECONDS)).as("SockJS open frame").isEqualTo("o");
      Consumer<JsonObject> send = frame -> ws.sendText(
          new JsonArray().add(frame.encode()).encode(), true).join();
      send.accept(new JsonObject().put("type", "register").put("address", BrowserAddresses.user("someone-else"))
          .put("headers", new JsonObject().put("Authorization", "Bearer " + app.token(u, "CREATOR"))));
      send.accept(new JsonObject().put("type", "register").put("address", address)
          .put("headers", new JsonObject().put("Authorization", "Bearer " + app.token(u, "CREATOR"))));
      boolean refused = false;
      long deadline = System.currentTimeMillis() + 10_000;
      String probe = UUID.randomUUID().toString();
      while (System.currentTimeMillis() < deadline) {
        app.app().vertx().eventBus().publish(address, new JsonObject().put("probe", probe));
        String t = texts.poll(100, TimeUnit.MILLISECONDS);
        if (t == null || !t.startsWith("a[")) continue;
        for (Object f : new JsonArray(t.substring(1))) {
          JsonObject frame = new JsonObject((String) f);
          if ("err".equals(frame.getString("type"))
              && BrowserAddresses.user("someone-else").equals(frame.getString("address"))) {
            refused = true;
          }
          if ("rec".equals(frame.getString("type")) && probe.equals(frame.getJsonObject("body").getString("probe"))) {
            assertThat(refused).as("the foreign register was refused with an err frame").isTrue();
            return;
          }
        }
      }
      throw new AssertionError("no message over the SockJS transport");
    } finally {
      ws.abort();
    }
  }

  @Test
  @DisplayName("Any valid token may listen to flags.changed")
  void flagSignal() throws Exception {
    try (BridgeClient client = BridgeClient.connect(app.port())) {
      client.register(BrowserAddresses.FLAGS_CHANGED, app.token("someone-" + UUID.randomUUID(), "VIEWER"));
      client.awaitRegistered(BrowserAddresses.FLAGS_CHANGED);
      client.awaitProbe(app.app().vertx(), BrowserAddresses.FLAGS_CHANGED);
    }
  }

  @Test
  @DisplayName("A socket is closed when the token it registered with expires")
  void expiryClosesTheSocket() throws Exception {
    String u = user();
    String shortLived = Jwts.hs256(TestApp.SECRET, new JsonObject().put("sub", u).put("role", "CREATOR")
        .put("exp", Jwts.now() + 2));
    try (BridgeClient client = BridgeClient.connect(app.port())) {
      client.register(BrowserAddresses.user(u), shortLived);
      client.awaitRegistered(BrowserAddresses.user(u));
      assertThat(client.closed().get(10, TimeUnit.SECONDS)).isNotNull();
    }
  }

  @Test
  @DisplayName("A foreign Origin is refused with 403 before the socket opens; allowed or same origins pass")
  void originIsChecked() {
    Throwable refused = catchThrowable(() -> BridgeClient.connect(app.port(), "https://evil.example"));
    assertThat(refused).isInstanceOf(CompletionException.class).hasCauseInstanceOf(WebSocketHandshakeException.class);
    assertThat(((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode()).isEqualTo(403);

    assertThat(info("https://evil.example").statusCode()).isEqualTo(403);
    assertThat(info("null").statusCode()).isEqualTo(403);
    assertThat(info("http://localhost:8080").statusCode()).as("configured").isEqualTo(200);
    assertThat(info("http://127.0.0.1:" + app.port()).statusCode()).as("the page's own origin").isEqualTo(200);
    assertThat(info(null).statusCode()).as("not a browser").isEqualTo(200);
    try (BridgeClient ok = BridgeClient.connect(app.port(), "http://127.0.0.1:" + app.port())) {
      assertThat(ok.closed()).isNotDone();
    }
  }

  static HttpResponse<String> info(String origin) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.baseUrl() + "/eventbus/info"));
    if (origin != null) b.header("Origin", origin);
    try {
      return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
