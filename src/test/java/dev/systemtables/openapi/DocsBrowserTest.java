package dev.systemtables.openapi;

import dev.systemtables.testing.Resp;
import dev.systemtables.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.ElementClickInterceptedException;
import org.openqa.selenium.ElementNotInteractableException;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * /docs in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code .ci/run} installs): Swagger UI from its WebJar renders our contract and "Try it out" calls the node
 * with a pasted token. Fails, never skips, when the browser is missing.
 */
@Tag("slow")
@DisplayName("API docs at /docs in a real headless Chromium")
class DocsBrowserTest {

  static final File CHROMIUM = new File("/usr/bin/chromium");
  static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

  static TestApp app;
  static ChromeDriver browser;
  static Path profile;

  @BeforeAll
  static void start() throws Exception {
    assertThat(CHROMIUM).as("Debian's chromium is required (apt-get install -y chromium chromium-driver)").canRead();
    assertThat(CHROMEDRIVER).as("Debian's chromium-driver is required").canRead();
    app = TestApp.start();
    profile = Files.createTempDirectory("chromium-docs");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1200,2000", "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
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

  static WebDriverWait waitUpTo(int seconds) {
    return new WebDriverWait(browser, Duration.ofSeconds(seconds));
  }

  /**
   * Swagger UI renders each step (an opened operation, its "Try it out", the modal's buttons) after the click
   * that asked for it, so an element is looked up again until it is there and takes the click; looking it up
   * once, right after the previous click, failed in CI on a busy machine.
   */
  static void clickWhenReady(SearchContext scope, By by) {
    waitUpTo(15)
        .ignoring(StaleElementReferenceException.class)
        .ignoring(ElementClickInterceptedException.class)
        .ignoring(ElementNotInteractableException.class)
        .until(driver -> {
          List<WebElement> found = scope.findElements(by);
          if (found.isEmpty() || !found.get(0).isDisplayed() || !found.get(0).isEnabled()) return false;
          found.get(0).click();
          return true;
        });
  }

  @Test
  @DisplayName("/docs is Swagger UI under the bell page's Content-Security-Policy, loading nothing from elsewhere")
  void servedFromTheWebJar() {
    Resp page = app.get("/docs/", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Security-Policy"))
        .isEqualTo("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    assertThat(page.body()).contains("swagger-ui-bundle.js").doesNotContain("http://").doesNotContain("https://");
    assertThat(app.get("/docs/swagger-initializer.js", null).body()).contains("../openapi.json")
        .doesNotContain("petstore");
    assertThat(app.get("/docs/swagger-ui-bundle.js", null).status()).isEqualTo(200);
    Resp bare = app.get("/docs", null);
    assertThat(bare.status()).isEqualTo(302);
    assertThat(bare.header("Location")).isEqualTo("/docs/");
  }

  @Test
  @DisplayName("Try it out on GET /api/v1/me with a pasted token shows the caller the node answered")
  void tryItOut() throws Exception {
    String token = app.token("docs-reader", "CREATOR");
    browser.get(app.baseUrl() + "/docs/");
    try {
      waitUpTo(30).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".opblock-summary")));
    } catch (RuntimeException e) {
      Files.write(Path.of("target", "docs-failed.png"), browser.getScreenshotAs(OutputType.BYTES));
      throw new AssertionError("Swagger UI did not render; browser log: "
          + browser.manage().logs().get(LogType.BROWSER).getAll(), e);
    }
    assertThat(browser.findElement(By.cssSelector(".info .title")).getText()).contains("system-tables");

    // Authorize: paste the token into the bearerAuth dialog.
    clickWhenReady(browser, By.cssSelector("button.authorize"));
    WebElement field = waitUpTo(10).until(ExpectedConditions.visibilityOfElementLocated(
        By.cssSelector(".modal-ux input[type=text], .modal-ux input[type=password]")));
    field.sendKeys(token);
    clickWhenReady(browser, By.cssSelector(".modal-ux .auth-btn-wrapper button.authorize"));
    clickWhenReady(browser, By.cssSelector(".modal-ux button.btn-done, .modal-ux .close-modal"));

    // Open GET /api/v1/me, Try it out, Execute.
    WebElement op = browser.findElement(By.id("operations-identity-getMe"));
    clickWhenReady(op, By.cssSelector(".opblock-summary-control"));
    clickWhenReady(op, By.cssSelector(".try-out__btn"));
    clickWhenReady(op, By.cssSelector(".execute"));

    WebElement status = waitUpTo(15).until(ExpectedConditions.presenceOfNestedElementLocatedBy(op,
        By.cssSelector(".live-responses-table tbody .response-col_status")));
    WebElement body = op.findElement(By.cssSelector(".live-responses-table tbody .response-col_description pre"));
    Files.write(Path.of("target", "docs-try-it-out.png"), browser.getScreenshotAs(OutputType.BYTES));
    assertThat(status.getText()).startsWith("200");
    assertThat(body.getText()).contains("\"sub\": \"docs-reader\"").contains("\"role\": \"CREATOR\"");

    // The policy is the bell page's, unchanged: it refuses Swagger UI's data: icons (from its CSS) and one
    // inline style, which costs some icons and nothing else. Any other refusal or error (a script, a call
    // to another origin) fails here.
    List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .filter(e -> !e.getMessage().contains("Loading the image 'data:image/svg+xml"))
        .filter(e -> !e.getMessage().contains("Applying inline style violates"))
        .toList();
    assertThat(errors).as("browser errors").isEmpty();
  }
}
