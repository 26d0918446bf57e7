package dev.systemtables.push;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bell page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * which {@code .ci/run} installs). It fails, never skips, when they are missing: push to a real
 * browser is a promise of the service.
 */
@Tag("slow")
@DisplayName("The bell page in a real headless Chromium")
class BellPageBrowserTest {

  static final File CHROMIUM = new File("/usr/bin/chromium");
  static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

  // Wraps the page's WebSocket so the test can cut the connection, hold reconnects back, and lose registers
  // on the way (as a proxy or a dying node might).
  static final String SOCKET_HOOK = """
      (() => {
        const Real = window.WebSocket;
        window.__sockets = [];
        window.__holdSockets = false;
        window.__loseRegisters = false;
        window.__lostRegisters = 0;
        window.WebSocket = function (url, protocols) {
          const ws = new Real(window.__holdSockets ? 'ws://127.0.0.1:9/held' : url, protocols);
          const send = ws.send.bind(ws);
          ws.send = (data) => {
            if (window.__loseRegisters && JSON.parse(data).type === 'register') window.__lostRegisters++;
            else send(data);
          };
          window.__sockets.push(ws);
          return ws;
        };
        window.WebSocket.prototype = Real.prototype;
        Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
      })();
      """;

  static TestApp app;
  static ChromeDriver browser;
  static Path profile;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    assertThat(CHROMIUM).as("Debian's chromium is required (apt-get install -y chromium chromium-driver)").canRead();
    assertThat(CHROMEDRIVER).as("Debian's chromium-driver is required (apt-get install -y chromium chromium-driver)")
        .canRead();
    app = TestApp.start(Map.of());
    admin = app.token("admin-" + UUID.randomUUID(), "ADMIN");

    profile = Files.createTempDirectory("chromium-profile");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1000,900", "--user-data-dir=" + profile);
    // The driver is given, so Selenium Manager has nothing to look up or download.
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", SOCKET_HOOK));
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.quit();
    if (app != null) app.close();
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  static String user() {
    String id = "bell-" + UUID.randomUUID();
    assertThat(app.put("/api/v1/users/" + id, admin, "{\"role\":\"CREATOR\"}").status()).isEqualTo(200);
    return id;
  }

  static String create(String userId, String title, String message) {
    Resp r = app.post("/api/v1/notifications", admin, new JsonObject().put("userId", userId).put("type", "LICENSE")
        .put("priority", "HIGH").put("title", title).put("message", message).put("actionUrl", "/licenses/1").encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.data().getJsonArray("notificationIds").getString(0);
  }

  static WebDriverWait waitUpTo(int seconds) {
    return new WebDriverWait(browser, Duration.ofSeconds(seconds));
  }

  static void awaitBadge(String text) {
    waitUpTo(10).until(ExpectedConditions.textToBe(By.id("badge"), text));
  }

  static WebElement awaitItem(String id) {
    return waitUpTo(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#list li[data-id='" + id + "']")));
  }

  @Test
  @DisplayName("A notification created over REST appears live, moves the badge, and a <script> title stays text")
  void liveNotificationAppears() throws Exception {
    String u = user();
    String old = create(u, "Already there", "from before");
    browser.get(app.baseUrl() + "/?token=" + app.token(u, "CREATOR"));
    waitUpTo(15).until(ExpectedConditions.textToBe(By.id("status"), "live"));
    assertThat(browser.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token=");
    awaitItem(old);
    awaitBadge("1");

    String hostile = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">";
    String id = create(u, hostile, "<b>not bold</b>");
    WebElement item = awaitItem(id);
    awaitBadge("2");
    assertThat(item.findElement(By.className("title")).getText()).isEqualTo(hostile);
    assertThat(item.findElement(By.className("message")).getText()).isEqualTo("<b>not bold</b>");
    assertThat(browser.findElements(By.cssSelector("#list script, #list img, #list b"))).isEmpty();
    assertThat(browser.executeScript("return window.__pwned === undefined")).isEqualTo(true);
    List<WebElement> items = browser.findElements(By.cssSelector("#list li"));
    assertThat(items.get(0).getAttribute("data-id")).as("newest first").isEqualTo(id);
    Files.write(Path.of("target", "bell-page.png"), browser.getScreenshotAs(OutputType.BYTES));

    item.findElement(By.className("mark-read")).click();
    awaitBadge("1");
    waitUpTo(10).until(d -> awaitItem(id).getAttribute("class").contains("read")
        && !awaitItem(id).getAttribute("class").contains("unread"));

    // Marked elsewhere (another tab, another device): this tab follows.
    assertThat(app.post("/api/v1/notifications/read-all", app.token(u, "CREATOR"), null).status()).isEqualTo(200);
    awaitBadge("0");
  }

  @Test
  @DisplayName("After the socket drops, the page re-registers and catches up on what it missed")
  void reconnectCatchesUp() {
    String u = user();
    browser.get(app.baseUrl() + "/?token=" + app.token(u, "CREATOR"));
    waitUpTo(15).until(ExpectedConditions.textToBe(By.id("status"), "live"));
    String first = create(u, "first", "live");
    awaitItem(first);
    awaitBadge("1");

    // Cut the connection and keep it down while a notification is created: no push can reach the page.
    browser.executeScript("window.__holdSockets = true; window.__sockets.forEach(s => s.close());");
    waitUpTo(10).until(ExpectedConditions.not(ExpectedConditions.textToBe(By.id("status"), "live")));
    String missed = create(u, "created while offline", "caught up through after=");
    assertThat(browser.findElements(By.cssSelector("#list li[data-id='" + missed + "']"))).isEmpty();

    browser.executeScript("window.__holdSockets = false;");
    waitUpTo(30).until(ExpectedConditions.textToBe(By.id("status"), "live"));
    awaitItem(missed);
    awaitBadge("2");

    // And it is live again: the re-register worked.
    String after = create(u, "after reconnect", "live again");
    awaitItem(after);
    awaitBadge("3");
  }

  @Test
  @DisplayName("A register the bridge never acknowledges makes the page reconnect, register again and catch up")
  void unacknowledgedRegisterReconnects() {
    String u = user();
    browser.get(app.baseUrl() + "/?token=" + app.token(u, "CREATOR"));
    waitUpTo(15).until(ExpectedConditions.textToBe(By.id("status"), "live"));

    // The next register is lost: the socket opens, but the bridge never hears of it and so never acknowledges.
    browser.executeScript("window.__loseRegisters = true; window.__sockets.forEach(s => s.close());");
    waitUpTo(15).until(d -> ((Number) browser.executeScript("return window.__lostRegisters;")).intValue() >= 1);
    long sockets = (Long) browser.executeScript("return window.__sockets.length;");
    assertThat(browser.findElement(By.id("status")).getText()).as("not live without an acknowledgement")
        .isNotEqualTo("live");
    String missed = create(u, "created while the register was lost", "caught up once acknowledged");

    browser.executeScript("window.__loseRegisters = false;");
    waitUpTo(30).until(ExpectedConditions.textToBe(By.id("status"), "live"));
    assertThat((Long) browser.executeScript("return window.__sockets.length;"))
        .as("a new socket after the unacknowledged one").isGreaterThan(sockets);
    awaitItem(missed);
    awaitBadge("1");
    String after = create(u, "after the acknowledged register", "live again");
    awaitItem(after);
    awaitBadge("2");
  }
}
